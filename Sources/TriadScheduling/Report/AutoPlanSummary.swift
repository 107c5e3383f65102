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
    /// The tensor × pipeline split it chose ("TP16×PP2"; nil when the split was not its to choose).
    public var split: String?
    /// What the reviews optimized ("throughput", "energy", either "… within TPOT x ms").
    public var objective = "throughput"
    /// A switch after the first choice: before which iteration, from and to which plan, and the gain the review
    /// predicted (a fraction of the objective's value for the plan left). A switch moves nothing in simulated time:
    /// every candidate reads the same weights and KV layout (docs/MODEL.md §11).
    public struct Switch: Sendable, Hashable {
        public var iteration: Int
        public var from: String
        public var to: String
        public var predictedGain: Double
    }

    /// The first `switchLogLimit` switches.
    public var switchLog: [Switch] = []
    public static let switchLogLimit = 64

    /// "neupims 97 %, npu-only 3 %".
    public var label: String {
        (split.map { $0 + " " } ?? "")
            + plans.map { "\($0.name) \(Int(($0.share * 100).rounded())) %" }.joined(separator: ", ")
    }
}
