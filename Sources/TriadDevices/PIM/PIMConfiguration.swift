public import TriadCore

/// An HBM-PIM stack: the memory, its bank organisation, timing, PIM datapath and command energies
/// (the NeuPIMs simulator's `configs/memory_configs/neupims.json` and NewtonSim; docs/MODEL.md §2).
public struct PIMConfiguration: Sendable, Hashable {
    /// Row-buffer organisation of each bank.
    public enum RowBuffers: String, Sendable, Hashable {
        /// One row buffer: while banks compute, ordinary reads and writes to the stack wait ("blocked").
        case single
        /// A separate PIM row buffer: ordinary traffic proceeds during GEMV (NeuPIMs).
        case dual
    }

    /// The PIM commands the stack accepts (docs/MODEL.md §2.3).
    public enum CommandSet: String, Sendable, Hashable, CaseIterable {
        /// COMP, READRES and the fused COMPS_READRES (NeuPIMs).
        case fused
        /// COMP and READRES only (Newton / AiM): one host transaction per COMP.
        case newton
    }

    /// What a bank unit does when several query heads share one KV head (grouped-query attention,
    /// docs/MODEL.md §2.7). Every option gives MHA (one query head per KV head) the same command stream.
    public enum GroupMapping: String, Sendable, Hashable, CaseIterable {
        /// Each query head runs its own GEMV over its KV head's rows, as Newton and NeuPIMs publish it (a
        /// GEMV unit holds one input vector, NeuPIMs §4 / `NeuPIMSLogitSoftmax.cc`): KV capacity shrinks with the
        /// group, time does not shrink — the K rows are passed once per query slot, each pass's GWRITE aligned
        /// with the KV heads of the row.
        case replay
        /// Per activated row tile, the group's query vectors are written to the global buffer and computed one
        /// after another before the rows close (column re-reads without new activations): g GWRITEs per tile,
        /// one activation.
        case openRow = "open-row"
        /// The global buffer holds `queryVectors` query vectors and each COMP multiplies the column it reads
        /// against all of them (multipliers × `queryVectors` per bank): one activation and one column read
        /// serve up to `queryVectors` heads of a group, each head's result read out separately.
        case multiQuery = "multi-query"
    }

    /// Where the PIM units sit (docs/MODEL.md §2.8).
    public enum Level: String, Sendable, Hashable, CaseIterable {
        /// One unit per bank (Newton, NeuPIMs, AttAcc_bank).
        case bank
        /// One unit per (rank, bank group) (AttAcc_BG).
        case bankGroup = "bank-group"
        /// On the buffer (logic) die: one unit per channel unless `processing_units` says otherwise
        /// (AttAcc_buffer: one per pseudo-channel; Duplex's Logic-PIM with more TSVs).
        case buffer
    }

    /// How the units are driven and how the KV cache lies in their rows.
    public enum Dataflow: String, Sendable, Hashable, CaseIterable {
        /// Newton/NeuPIMs: the host issues GWRITE, G_ACT headers and COMPs per GEMV tile; a key per bank
        /// (§2.1–2.5). Bank level only.
        case newton
        /// AttAcc: every unit streams whole rows of its share of the KV cache, one MAC command every
        /// `mac_interval_cycles` (§2.8).
        case streaming
    }

    /// How attention GEMV latency is computed.
    public enum Fidelity: String, Sendable, Hashable {
        /// Closed form per GEMV tile from the timing parameters.
        case analytic
        /// A per-bank command-level state machine (the reference model).
        case command
    }

    public var memory: MemoryConfiguration
    public var ranks: Int
    public var bankGroups: Int
    public var banksPerGroup: Int
    /// Multipliers per bank; one COMP processes this many elements (NeuPIMs: 16).
    public var multipliersPerBank: Int
    /// Bytes per element (FP16: 2).
    public var elementBytes: Int
    public var timing: DRAMTiming
    public var rowBuffers: RowBuffers
    public var fidelity: Fidelity
    /// Commands the stack accepts.
    public var commandSet: CommandSet = .fused
    /// How a GEMV unit serves the query heads of a KV-head group.
    public var groupMapping: GroupMapping = .replay
    /// Query vectors the global buffer holds and each COMP serves at once (`multi-query` only; 1 otherwise).
    public var queryVectors: Int = 1
    /// The query vectors a topology or a peer may give.
    public static let queryVectorRange: ClosedRange<Int> = 1...256
    /// Where the units sit.
    public var level: Level = .bank
    /// How the units are driven.
    public var dataflow: Dataflow = .newton
    /// PIM units per channel (streaming; 0: one per bank, one per (rank, bank group), or one on the buffer die).
    public var unitsPerChannel: Int = 0
    /// Cycles between two MAC commands (streaming; 0: max(BL/2, tCCD_S)). AttAcc's power-constrained HBM3:
    /// 6 at bank and bank-group level (nCCDAB, nCCDSB), 2 on the buffer die (nBL).
    public var macIntervalCycles: Int64 = 0
    /// Energy of moving one byte from the cells to a unit, picojoules (streaming). AttAcc's `config.py`:
    /// 4.4 bank, 12.48 bank group, 26.32 buffer die (FGDRAM's per-bit costs).
    public var readEnergyPicojoulesPerByte: Double = 4.4
    /// Energy of one MAC in a unit, picojoules (streaming; AttAcc's `config.py`: 0.32).
    public var unitMACEnergyPicojoules: Double = 0.32

    /// The units of one channel.
    public var processingUnitsPerChannel: Int {
        if unitsPerChannel > 0 { return unitsPerChannel }
        switch level {
        case .bank: return banksPerChannel
        case .bankGroup: return ranks * bankGroups
        case .buffer: return 1
        }
    }

    /// Cycles between MAC commands of a streaming unit.
    public var effectiveMACIntervalCycles: Int64 {
        macIntervalCycles > 0 ? macIntervalCycles : max(timing.burstCycles, timing.columnToColumnShort)
    }

    /// The most units per channel and MAC-interval cycles a topology or a peer may give.
    public static let unitsPerChannelRange: ClosedRange<Int> = 1...4096
    public static let macIntervalRange: ClosedRange<Int64> = 1...1024
    /// Energy of one COMP, picojoules (4 × READ = 3,216).
    public var compEnergyPicojoules: Double
    /// Energy of one G_ACT, picojoules (4 × ACT = 3,312).
    public var groupActivateEnergyPicojoules: Double
    /// Energy of one GWRITE, picojoules (16 × READ = 12,864).
    public var globalWriteEnergyPicojoules: Double
    /// Energy of one READRES, picojoules (804).
    public var readResultEnergyPicojoules: Double

    public init(
        memory: MemoryConfiguration, ranks: Int, bankGroups: Int, banksPerGroup: Int, multipliersPerBank: Int,
        elementBytes: Int, timing: DRAMTiming, rowBuffers: RowBuffers, fidelity: Fidelity,
        compEnergyPicojoules: Double, groupActivateEnergyPicojoules: Double, globalWriteEnergyPicojoules: Double,
        readResultEnergyPicojoules: Double
    ) {
        self.memory = memory
        self.ranks = ranks
        self.bankGroups = bankGroups
        self.banksPerGroup = banksPerGroup
        self.multipliersPerBank = multipliersPerBank
        self.elementBytes = elementBytes
        self.timing = timing
        self.rowBuffers = rowBuffers
        self.fidelity = fidelity
        self.compEnergyPicojoules = compEnergyPicojoules
        self.groupActivateEnergyPicojoules = groupActivateEnergyPicojoules
        self.globalWriteEnergyPicojoules = globalWriteEnergyPicojoules
        self.readResultEnergyPicojoules = readResultEnergyPicojoules
    }

    /// The stack as a policy drives it: dual row buffers only if asked for and present, the fused command
    /// only if asked for and accepted.
    public func driven(by modes: PIMModes) -> PIMConfiguration {
        var copy = self
        copy.rowBuffers = modes.contains(.dualRowBuffers) && rowBuffers == .dual ? .dual : .single
        copy.commandSet = modes.contains(.fusedCommands) && commandSet == .fused ? .fused : .newton
        return copy
    }

    /// Banks per channel (NeuPIMs: 2 ranks × 4 groups × 4 banks = 32).
    public var banksPerChannel: Int { ranks * bankGroups * banksPerGroup }

    /// Elements in one DRAM row (1 KB of FP16 = 512).
    public var rowElements: Int { Int(memory.rowBytes) / elementBytes }

    /// COMP commands that consume one row (512 / 16 = 32).
    public var compsPerRow: Int { rowElements / multipliersPerBank }

    /// The NeuPIMs simulator's PIM stack with the given row-buffer mode.
    public static func neupims(rowBuffers: RowBuffers) -> PIMConfiguration {
        PIMConfiguration(
            memory: .neupimsHBM2, ranks: 2, bankGroups: 4, banksPerGroup: 4, multipliersPerBank: 16, elementBytes: 2,
            timing: .neupimsHBM2, rowBuffers: rowBuffers, fidelity: .analytic, compEnergyPicojoules: 3216,
            groupActivateEnergyPicojoules: 3312, globalWriteEnergyPicojoules: 12864, readResultEnergyPicojoules: 804)
    }
}
