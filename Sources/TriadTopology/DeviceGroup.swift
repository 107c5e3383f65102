/// Devices that share a memory system — an NPU with its PIM stacks, or an FPGA with its DDR — and act as one
/// rank of tensor parallelism or one stage of a pipeline. Inside a group every device reaches every other.
public struct DeviceGroup: Sendable, Hashable {
    public var id: String
    public var deviceIDs: [String]
    public var location: SourceLocation
    /// The placement policy this group runs whatever the run asks (`policy:`), e.g. `ternary` for an FPGA
    /// stage of a pipeline whose other stages follow the run's policy; nil: the run's policy.
    public var policy: String?
    /// Where `policy:`'s value is, for errors about it.
    public var policyLocation: SourceLocation?
    /// The layers this group's pipeline stage holds (`layers:`); nil: the balance decides.
    public var layers: Int?
    /// Whether the group only prefills prompts (`role: prefill`; disaggregated prefill, docs/MODEL.md §9.6) rather
    /// than decoding (`role: decode`, the default).
    public var prefillsOnly = false

    public init(
        id: String, deviceIDs: [String], location: SourceLocation, policy: String? = nil,
        policyLocation: SourceLocation? = nil
    ) {
        self.id = id
        self.deviceIDs = deviceIDs
        self.location = location
        self.policy = policy
        self.policyLocation = policyLocation
    }
}
