/// What the `auto` policy did in a run: the plans it ran and for what share of the iterations, how often it
/// switched, and how often it composed the candidates to decide.
public struct AutoPlanSummary: Sendable, Hashable {
    public var plans: [(name: String, share: Double)]
    public var switches: Int
    public var reviews: Int
    /// Every plan it could choose from.
    public var candidates: [String]

    public static func == (lhs: AutoPlanSummary, rhs: AutoPlanSummary) -> Bool {
        lhs.plans.map(\.name) == rhs.plans.map(\.name) && lhs.plans.map(\.share) == rhs.plans.map(\.share)
            && lhs.switches == rhs.switches && lhs.reviews == rhs.reviews && lhs.candidates == rhs.candidates
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(plans.map(\.name))
        hasher.combine(switches)
        hasher.combine(reviews)
    }

    /// "neupims 97 %, npu-only 3 %".
    public var label: String {
        plans.map { "\($0.name) \(Int(($0.share * 100).rounded())) %" }.joined(separator: ", ")
    }
}
