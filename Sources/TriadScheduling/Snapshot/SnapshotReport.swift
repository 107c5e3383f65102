/// One decode step of one layer over a fixed batch, staged as the NeuPIMs simulator steps it: what
/// `triad snapshot` prints. Cycles are NPU clock cycles.
public struct SnapshotReport: Sendable, Hashable {
    public var policy: String
    public var model: String
    /// The batch file's name.
    public var trace: String
    public var batch: Int
    /// Requests per sub-batch (one entry without interleaving).
    public var subBatches: [Int]
    /// Stage letters and their cycles, in order (A, B, E serial; A–F interleaved).
    public var steps: [(name: String, cycles: Int64)]
    /// One layer in steady state: A + B + E serial, C + D interleaved.
    public var perLayerCycles: Int64
    /// The whole model's layers composed from the steps (docs/MODEL.md §3).
    public var modelCycles: Int64
    /// PIM channels' mean busy cycles in each attention phase, summed (the simulator's `pim_cycles`).
    public var pimBusyCycles: Int64

    public init(
        policy: String, model: String, trace: String, batch: Int, subBatches: [Int],
        steps: [(name: String, cycles: Int64)], perLayerCycles: Int64, modelCycles: Int64, pimBusyCycles: Int64
    ) {
        self.policy = policy
        self.model = model
        self.trace = trace
        self.batch = batch
        self.subBatches = subBatches
        self.steps = steps
        self.perLayerCycles = perLayerCycles
        self.modelCycles = modelCycles
        self.pimBusyCycles = pimBusyCycles
    }

    public static func == (lhs: SnapshotReport, rhs: SnapshotReport) -> Bool {
        lhs.policy == rhs.policy && lhs.model == rhs.model && lhs.trace == rhs.trace && lhs.batch == rhs.batch
            && lhs.subBatches == rhs.subBatches && lhs.steps.map(\.name) == rhs.steps.map(\.name)
            && lhs.steps.map(\.cycles) == rhs.steps.map(\.cycles) && lhs.perLayerCycles == rhs.perLayerCycles
            && lhs.modelCycles == rhs.modelCycles && lhs.pimBusyCycles == rhs.pimBusyCycles
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(policy)
        hasher.combine(perLayerCycles)
    }

    /// The cycles of stage `name`, if the schedule has it.
    public func cycles(ofStage name: String) -> Int64? { steps.first { $0.name == name }?.cycles }
}
