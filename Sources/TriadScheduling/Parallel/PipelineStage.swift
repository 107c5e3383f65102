/// One stage of a pipeline whose stages differ (hardware or policy): the groups that hold it (tensor-parallel
/// peers, alike), the devices simulated for it (its first group's), and the policy it is pinned to.
public struct PipelineStage: Sendable {
    public var groupIDs: [String]
    public var devices: DeviceSet
    /// The stage's own policy (a group's `policy:`); nil: the run's.
    public var policy: Policy?
    /// The layers the stage holds (a group's `layers:`); nil: the balance decides.
    public var layers: Int?

    public init(groupIDs: [String], devices: DeviceSet, policy: Policy?, layers: Int? = nil) {
        self.groupIDs = groupIDs
        self.devices = devices
        self.policy = policy
        self.layers = layers
    }
}
