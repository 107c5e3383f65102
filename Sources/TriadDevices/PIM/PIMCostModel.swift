public import TriadCore

/// Analytic costs of attention GEMVs on an HBM-PIM channel, built from the PIM command sequence and the
/// DRAM timing parameters (reference/NEUPIMS.md, "GEMV latency" and "KV layout and attention on PIM").
///
/// KV layout: a key occupies one bank (one row per 512 elements), so a GEMV tile covers `banksPerChannel`
/// tokens; V is stored transposed, one head dimension per bank for 512 consecutive tokens.
/// - Logits K·q: per 512-element chunk of the K width, one GWRITE of the query chunk, then per token tile
///   one composite GEMV whose READRES count is the heads in the chunk.
/// - Attend S·V: per head and 512-token chunk, one GWRITE of the scores, then ⌈d_head / banks⌉ tiles.
/// All latencies are stretched by refresh: tREFI / (tREFI − tRFC).
public struct PIMCostModel: Sendable {
    public let configuration: PIMConfiguration

    public init(configuration: PIMConfiguration) { self.configuration = configuration }

    private var timing: DRAMTiming { configuration.timing }

    /// Cycles of one GWRITE: a row's worth of vector written into the global buffer, one write per COMP
    /// width at tCCD_S + tCCD_L each (NewtonSim's gwrite delay; the row is already open).
    public var globalWriteCycles: Int64 {
        (timing.columnToColumnShort + timing.columnToColumnLong) * Int64(configuration.compsPerRow)
    }

    /// G_ACT commands per tile: one per (rank, bank group) with no PIM row open.
    public var groupActivatesPerTile: Int64 { Int64(configuration.ranks * configuration.bankGroups) }

    /// Cycles of one composite GEMV tile (header, G_ACTs, COMPs, READRESes) until its result is back:
    /// tFAW·(G_ACT/2 − 1) + tRCD + max(BL/2, tCCD_S)·max(COMPs, 6) + max(BL/2, tCCD_L)·(READRES − 1) + CL + BL/2.
    public func tileCycles(comps: Int64, readResults: Int64) -> Int64 {
        timing.fourActivateWindow * (groupActivatesPerTile / 2 - 1) + timing.rowToColumnDelay
            + max(timing.burstCycles, timing.columnToColumnShort) * max(comps, 6)
            + max(timing.burstCycles, timing.columnToColumnLong) * (readResults - 1)
            + timing.casLatency + timing.burstCycles
    }

    /// Cycles one GEMV result (its COMPs and READRES) keeps ordinary traffic off the channel.
    public func resultBlockingCycles(comps: Int64) -> Int64 {
        switch configuration.commandSet {
        case .fused: return 2 * (max(comps, 6) + 1)
        case .newton: return max(timing.burstCycles, timing.columnToColumnShort) * comps + timing.burstCycles
        }
    }

    /// Command counts of one attention GEMV.
    public struct CommandCounts: Sendable, Hashable {
        public var globalWrites: Int64 = 0
        public var tiles: Int64 = 0
        public var comps: Int64 = 0
        public var readResults: Int64 = 0
        public var cycles: Int64 = 0
        /// Cycles the channel cannot serve ordinary reads and writes while the program runs (docs/MODEL.md
        /// §2.5): a fused COMPS_READRES holds the channel 2·(max(nc, 6) + 1) cycles (NewtonSim
        /// `ChannelState::UpdateChannelTiming`), a Newton COMP its issue slot and a READRES its burst, and a
        /// GWRITE the data bus for its whole write.
        public var blockedCycles: Int64 = 0

        /// Transactions the host sends to the channel: a GWRITE per vector chunk, a header per tile, and
        /// either one fused COMPS_READRES per result or every COMP plus a READRES per result (the Newton
        /// command set) (`NeuPIMSLogitSoftmax.cc`, `NeuPIMSAttend.cc`).
        public func hostTransactions(fused: Bool) -> Int64 {
            globalWrites + tiles + readResults + (fused ? 0 : comps)
        }
    }

    /// The command stream of the logits or attend GEMV of one request, before refresh.
    public func commands(for operation: Operation) -> CommandCounts {
        let sequence = Int64(operation.sequenceLength)
        let heads = Int64(operation.heads)
        let keyValueHeads = Int64(max(1, operation.keyValueHeads))
        let headDimension = Int64(operation.headDimension)
        let rowElements = Int64(configuration.rowElements)
        let banks = Int64(configuration.banksPerChannel)
        let compsPerRow = Int64(configuration.compsPerRow)
        var counts = CommandCounts()
        switch operation.kind {
        case .attentionLogits:
            // Each query group (heads sharing a KV head, GQA) runs over the same K rows.
            let keyWidth = keyValueHeads * headDimension
            let chunks = keyWidth.ceilDiv(rowElements)
            let groups = heads / keyValueHeads
            let headsPerChunk = max(1, min(keyValueHeads, rowElements / headDimension))
            let tilesPerChunk = sequence.ceilDiv(banks)
            let comps = min(keyWidth, rowElements).ceilDiv(Int64(configuration.multipliersPerBank))
            counts.globalWrites = groups * chunks
            counts.tiles = groups * chunks * tilesPerChunk
            counts.comps = counts.tiles * comps
            counts.readResults = counts.tiles * headsPerChunk
            counts.cycles =
                counts.globalWrites * globalWriteCycles
                + counts.tiles * tileCycles(comps: comps, readResults: headsPerChunk)
            counts.blockedCycles =
                counts.globalWrites * globalWriteCycles
                + counts.tiles * headsPerChunk * resultBlockingCycles(comps: comps.ceilDiv(headsPerChunk))
        case .attentionAttend:
            // The last 512-token chunk is partial: its tiles need only ⌈tokens / multipliers⌉ COMPs.
            let chunks = sequence.ceilDiv(rowElements)
            let tilesPerChunk = headDimension.ceilDiv(banks)
            let lastTokens = sequence - (chunks - 1) * rowElements
            let lastComps = lastTokens.ceilDiv(Int64(configuration.multipliersPerBank))
            counts.globalWrites = heads * chunks
            counts.tiles = heads * chunks * tilesPerChunk
            counts.comps = heads * tilesPerChunk * ((chunks - 1) * compsPerRow + lastComps)
            counts.readResults = counts.tiles
            counts.cycles =
                counts.globalWrites * globalWriteCycles
                + heads * tilesPerChunk
                * ((chunks - 1) * tileCycles(comps: compsPerRow, readResults: 1)
                    + tileCycles(comps: lastComps, readResults: 1))
            counts.blockedCycles =
                counts.globalWrites * globalWriteCycles
                + heads * tilesPerChunk
                * ((chunks - 1) * resultBlockingCycles(comps: compsPerRow) + resultBlockingCycles(comps: lastComps))
        default:
            preconditionFailure("PIM computes attention GEMVs only, not \(operation.kind)")
        }
        return counts
    }

    /// `cycles` stretched by refresh (tRFC lost every tREFI), rounded up.
    public func withRefresh(_ cycles: Int64) -> Int64 {
        scaled(
            cycles, times: timing.refreshInterval, over: timing.refreshInterval - timing.refreshCycle, roundingUp: true)
    }

    /// The cost of an attention GEMV of one request on its channel.
    public func cost(of operation: Operation) -> OperationCost {
        let counts = commands(for: operation)
        let cycles = withRefresh(counts.cycles)
        let computeCycles = counts.comps * max(timing.burstCycles, timing.columnToColumnShort)
        let energy =
            Double(counts.globalWrites) * configuration.globalWriteEnergyPicojoules
            + Double(counts.tiles * groupActivatesPerTile) * configuration.groupActivateEnergyPicojoules
            + Double(counts.comps) * configuration.compEnergyPicojoules
            + Double(counts.readResults) * configuration.readResultEnergyPicojoules
        return OperationCost(
            cycles: cycles, duration: configuration.memory.clock.picoseconds(forCycles: cycles),
            energyPicojoules: energy, computeCycles: computeCycles, commandCycles: cycles - computeCycles)
    }

    /// NeuPIMs' attention-load estimate (Algorithm 1), cycles, used to place KV caches: with E = K width,
    /// P = row elements, B = banks and the algorithm's constants L_GWRITE = 100 and L_tile = 184
    /// (reference/NEUPIMS.md):
    /// L = L_GWRITE·⌈E/P⌉ + L_tile·⌈seq/B⌉·⌈E/P⌉ + L_GWRITE·⌈seq/P⌉·H + L_tile·⌈(E/H)/B⌉·⌈seq/P⌉·H.
    public static func attentionLoadEstimate(
        sequenceLength: Int, width: Int, heads: Int, rowElements: Int = 512, banks: Int = 32
    ) -> Int64 {
        let gwrite: Int64 = 100
        let tile: Int64 = 184
        let e = Int64(width)
        let p = Int64(rowElements)
        let b = Int64(banks)
        let h = Int64(heads)
        let s = Int64(sequenceLength)
        return gwrite * e.ceilDiv(p) + tile * s.ceilDiv(b) * e.ceilDiv(p) + gwrite * s.ceilDiv(p) * h
            + tile * (e / h).ceilDiv(b) * s.ceilDiv(p) * h
    }
}
