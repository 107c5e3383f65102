/// What the `auto` policy did in a run: the plans it ran and for what share of the iterations, how often it
/// switched, and how often it composed the candidates to decide.
public struct AutoPlanSummary: Sendable, Hashable {
    /// A plan that ran and its share of the iterations.
    public struct Share: Sendable, Hashable {
        public var name: String
        public var share: Double
    }

    public var plans: [Share]
    public var switches: Int
    public var reviews: Int
    /// Every plan it could choose from.
    public var candidates: [String]

    /// "neupims 97 %, npu-only 3 %".
    public var label: String {
        plans.map { "\($0.name) \(Int(($0.share * 100).rounded())) %" }.joined(separator: ", ")
    }
}
