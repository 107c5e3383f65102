import TriadCore

/// What the attention pass reads of one sequence length's PIM attention cost (`AttentionCost`), packed for the pass
/// over the batch (`Simulator.pimAttention`): 48 bytes instead of the whole cost.
struct PIMAttentionEntry: Sendable {
    /// Logits plus attend on the request's channel, and the host instructions they take, and the time their commands
    /// keep ordinary traffic off the channel (negative duration: not costed yet).
    var duration: Picoseconds
    var transactions: Int64
    var blocked: Picoseconds
    /// The softmax on the NPU's vector units.
    var softmaxDuration: Picoseconds
    var energyPicojoules: Double
    var softmaxEnergyPicojoules: Double

    static let unknown = PIMAttentionEntry(
        duration: -1, transactions: 0, blocked: 0, softmaxDuration: 0, energyPicojoules: 0, softmaxEnergyPicojoules: 0)

    var isKnown: Bool { duration >= 0 }

    init(
        duration: Picoseconds, transactions: Int64, blocked: Picoseconds, softmaxDuration: Picoseconds,
        energyPicojoules: Double, softmaxEnergyPicojoules: Double
    ) {
        self.duration = duration
        self.transactions = transactions
        self.blocked = blocked
        self.softmaxDuration = softmaxDuration
        self.energyPicojoules = energyPicojoules
        self.softmaxEnergyPicojoules = softmaxEnergyPicojoules
    }

    /// The entry of `cost`, or `unknown` when there is none.
    init(_ cost: AttentionCost?) {
        guard let cost else {
            self = .unknown
            return
        }
        self.init(
            duration: max(0, cost.duration), transactions: cost.transactions, blocked: cost.blocked,
            softmaxDuration: cost.softmaxDuration, energyPicojoules: cost.energyPicojoules,
            softmaxEnergyPicojoules: cost.softmaxEnergyPicojoules)
    }
}
