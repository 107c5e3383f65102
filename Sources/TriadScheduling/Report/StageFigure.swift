/// What one pipeline stage of a staged run held and ran: its groups, the layers the balance gave it, its
/// policy, and the measured cost the balance used (a stage's fixed time per iteration plus its time per layer).
public struct StageFigure: Sendable, Hashable {
    public var groups: [String]
    public var layers: Int
    public var policy: String
    /// Mean iteration time of the stage's probes, milliseconds: without layers (the fixed part: LM head,
    /// hand-over) and per layer.
    public var fixedMilliseconds: Double
    public var perLayerMilliseconds: Double

    public init(groups: [String], layers: Int, policy: String, fixedMilliseconds: Double, perLayerMilliseconds: Double)
    {
        self.groups = groups
        self.layers = layers
        self.policy = policy
        self.fixedMilliseconds = fixedMilliseconds
        self.perLayerMilliseconds = perLayerMilliseconds
    }
}
