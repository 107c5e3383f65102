public import TriadCore

/// A command-level model of one HBM-PIM channel: per-bank row-buffer state and the DRAM timing rules,
/// issuing a request's PIM program together with the NPU's ordinary read traffic to the same channel.
/// It is the reference the analytic `PIMCostModel` is checked against.
///
/// Rules (NewtonSim as the NeuPIMs simulator configures it; docs/MODEL.md §2.2):
/// - one command per cycle on the channel's command bus; READ, READRES and GWRITE data share the data bus;
/// - a G_ACT opens the same row in every bank of a bank group and counts as that many activations in its
///   rank's four-activate window (tFAW); activations in one rank are spaced tRRD_S (other group) or tRRD_L
///   (same group); a bank activates tRP after its precharge and precharges no earlier than tRAS after it
///   was activated;
/// - an all-bank COMP every max(BL/2, tCCD_S) cycles, no earlier than tRCD after the last G_ACT and after
///   the global buffer is written; READRES every max(BL/2, tCCD_L); the result returns CL + BL/2 later;
/// - a GWRITE occupies the data bus (tCCD_S + tCCD_L) per COMP width of a row and waits for the previous
///   tile's COMPs (one global buffer); the tiles that use it activate after it completes (the NeuPIMs
///   controller's sequence, which its load estimate also assumes);
/// - PIM precharge follows the last COMP after tRTP with a single row buffer, at once with dual ones;
/// - ordinary reads are row-sized bursts (ACT, one READ per access, precharge): with a single row buffer a
///   tile starts only when no ordinary burst is queued and ordinary bursts wait while a tile runs; with dual
///   row buffers they proceed between PIM commands (PIM first on ties), an ACT to a bank in PIM use waits
///   tRRD_L after its G_ACT (tRC with a single buffer) and counts in tFAW;
/// - all-bank refresh every tREFI blocks the channel for tRFC.
public struct PIMCommandModel: Sendable {
    public let configuration: PIMConfiguration

    public init(configuration: PIMConfiguration) { self.configuration = configuration }

    /// Ordinary traffic offered to the channel while the program runs.
    public struct Traffic: Sendable, Hashable {
        /// Cycles between row-burst arrivals (0: none).
        public var burstInterval: Int64
        /// Seed for the banks the bursts hit.
        public var seed: UInt64

        public init(burstInterval: Int64, seed: UInt64 = 1) {
            self.burstInterval = burstInterval
            self.seed = seed
        }

        public static let none = Traffic(burstInterval: 0)
    }

    /// What running a program took.
    public struct Outcome: Sendable, Hashable {
        /// Cycles from the first command until the last result returned.
        public var cycles: Int64
        public var globalWrites: Int64 = 0
        public var groupActivates: Int64 = 0
        public var comps: Int64 = 0
        public var readResults: Int64 = 0
        /// Ordinary row bursts completed before the program finished, and their mean latency in cycles.
        public var burstsServed: Int64 = 0
        public var meanBurstLatency: Double = 0
    }

    /// Runs `program` on one idle channel alongside `traffic`.
    public func run(_ program: PIMProgram, traffic: Traffic = .none) -> Outcome {
        var channel = ChannelState(configuration: configuration, traffic: traffic)
        for step in program.steps {
            switch step {
            case .globalWrite: channel.globalWrite()
            case .tile(let comps, let readResults, let readouts):
                channel.tile(comps: comps, readResults: readResults, readouts: readouts)
            case .pass(let comps, let readResults, let readouts):
                channel.pass(comps: comps, readResults: readResults, readouts: readouts)
            }
        }
        return channel.outcome()
    }

    /// Cycles of one attention GEMV of `operation` on an idle channel (before any queueing).
    public func cycles(of operation: Operation) -> Int64 {
        run(PIMProgram(operation: operation, configuration: configuration)).cycles
    }

    /// The cost of an attention GEMV, as the analytic model reports it.
    public func cost(of operation: Operation) -> OperationCost {
        let outcome = run(PIMProgram(operation: operation, configuration: configuration))
        let energy =
            Double(outcome.globalWrites) * configuration.globalWriteEnergyPicojoules
            + Double(outcome.groupActivates) * configuration.groupActivateEnergyPicojoules
            + Double(outcome.comps) * configuration.compEnergyPicojoules
            + Double(outcome.readResults) * configuration.readResultEnergyPicojoules
        let timing = configuration.timing
        let computeCycles = outcome.comps * max(timing.burstCycles, timing.columnToColumnShort)
        return OperationCost(
            cycles: outcome.cycles, duration: configuration.memory.clock.picoseconds(forCycles: outcome.cycles),
            energyPicojoules: energy, computeCycles: computeCycles, commandCycles: outcome.cycles - computeCycles)
    }
}
