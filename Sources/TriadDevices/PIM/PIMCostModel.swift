public import TriadCore

/// Analytic costs of attention GEMVs on an HBM-PIM channel, built from the PIM command sequence and the
/// DRAM timing parameters as the NeuPIMs simulator's controllers issue them (docs/MODEL.md §2).
///
/// KV layout: a key occupies one bank (one row per 512 elements), so a GEMV tile covers `banksPerChannel`
/// tokens; V is stored transposed, one head dimension per bank for 512 consecutive tokens.
/// - Logits K·q: per 512-element chunk of the K width, one GWRITE of the query chunk, then per token tile
///   one header whose results are the heads in the chunk.
/// - Attend S·V: per head and 512-token chunk, one GWRITE of the scores, then ⌈d_head / banks⌉ tiles, the
///   last chunk's with only the COMPs its tokens need.
/// Headers follow one another back to back; refresh costs what the controller's deadline check and the
/// refreshed rank's tRFC make it cost (`refreshStretch`).
public struct PIMCostModel: Sendable {
    public let configuration: PIMConfiguration

    public init(configuration: PIMConfiguration) { self.configuration = configuration }

    private var timing: DRAMTiming { configuration.timing }

    /// Cycles between COMPs: max(BL/2, tCCD_S).
    private var compSpacing: Int64 { max(timing.burstCycles, timing.columnToColumnShort) }

    /// Cycles a GWRITE holds the channel: a row's worth of vector written into the global buffer at
    /// tCCD_S + tCCD_L per COMP width (NewtonSim `gwrite_delay`, 96); with one row buffer the row must be
    /// precharged and activated first (+ tRP + tRCD).
    public var globalWriteCycles: Int64 {
        (timing.columnToColumnShort + timing.columnToColumnLong) * Int64(configuration.compsPerRow)
            + (configuration.rowBuffers == .single ? timing.rowPrecharge + timing.rowToColumnDelay : 0)
    }

    /// G_ACT commands per tile: one per (rank, bank group).
    public var groupActivatesPerTile: Int64 { Int64(configuration.ranks * configuration.bankGroups) }

    /// Cycles from one header's last result command to the next one's, in a back-to-back stream
    /// (NewtonSim `BankState::GetReadyPIMCommand`, `timing.cc`, `ChannelState::UpdateChannelTiming`):
    /// the lazy precharge of the previous tile's banks, one per cycle after tRTP; the header's own slot;
    /// the G_ACTs, tFAW apart within a rank with the ranks interleaved; tRCD; then the results
    /// (`resultPhaseCycles`). NeuPIMs (dual, fused): 143 + 54 = 197 cycles for a logit header of 4 results ×
    /// 8 COMPs, 143 for an attend header.
    public func headerCycles(comps: Int64, results: Int64, vectors: Int64 = 1) -> Int64 {
        let sweep = timing.readToPrecharge + Int64(configuration.banksPerChannel) + 1
        let activation =
            timing.fourActivateWindow * Int64(configuration.bankGroups - 1) + Int64(configuration.ranks - 1)
        return sweep + activation + timing.rowToColumnDelay
            + resultPhaseCycles(comps: comps, results: results, vectors: vectors)
    }

    /// Cycles from a pass's first result command to its last: fused, each COMPS_READRES but the last holds the
    /// channel 2·(max(nc, 6) + 1) cycles; Newton, each result's nc COMPs then its READRES take max(2·nc, 6) + 2.
    /// With several query vectors per COMP every result is read out once more per further vector, a
    /// READRES every max(BL/2, tCCD_L) (docs/MODEL.md §2.7).
    public func resultPhaseCycles(comps: Int64, results: Int64, vectors: Int64 = 1) -> Int64 {
        let perResult = comps.ceilDiv(max(results, 1))
        let readouts = results * (vectors - 1) * readoutCycles
        switch configuration.commandSet {
        case .fused:
            // The last result's further read-outs wait for its hold as well.
            let hold = compSpacing * (max(perResult, 6) + 1)
            return (results - 1) * hold + readouts + (vectors > 1 ? hold - readoutCycles : 0)
        case .newton: return results * (max(compSpacing * perResult, 6) + compSpacing) - compSpacing + readouts
        }
    }

    /// Cycles between two further read-outs of one result (multi-query units): max(BL/2, tCCD_L).
    public var readoutCycles: Int64 { max(timing.burstCycles, timing.columnToColumnLong) }

    /// Cycles an open-row pass adds after the previous pass's last result, besides its GWRITE: the GWRITE
    /// issues one slot after that result (fused) or after its burst (Newton), then the pass's results.
    public func passCycles(comps: Int64, results: Int64, vectors: Int64 = 1) -> Int64 {
        let gap = configuration.commandSet == .fused ? 1 : timing.burstCycles
        return gap + resultPhaseCycles(comps: comps, results: results, vectors: vectors)
    }

    /// The controller's latency estimate for a header, checked against the time left before the next
    /// refresh (`EstimatePIMOperationLatency`): every bank's precharge at AL + tRTP, tFAW·(G_ACT/2 − 1),
    /// tRCD, the COMPs (at least 6) and the further READRESes.
    public func controllerEstimate(comps: Int64, results: Int64) -> Int64 {
        Int64(configuration.banksPerChannel) * (timing.additiveLatency + timing.readToPrecharge)
            + timing.fourActivateWindow * (groupActivatesPerTile / 2 - 1) + timing.rowToColumnDelay
            + compSpacing * max(comps, 6) + max(timing.burstCycles, timing.columnToColumnLong) * (results - 1)
    }

    /// `cycles` of back-to-back headers (mean period `period`, controller estimate `estimate`) stretched by
    /// refresh. Refreshes are rank-staggered, one every tREFI / ranks per channel. Before each header the
    /// controller checks it fits before the next refresh and otherwise idles, on average estimate + 1 −
    /// period/2 cycles; after the refresh every header waits tRFC for the refreshed rank's G_ACT
    /// (`CanMeetRefreshDeadline`, `refresh.cc`, `timing.cc`):
    /// T = T₀ · R / (R − tRFC − W), R = tREFI / ranks, W = max(0, estimate + 1 − period / 2).
    public func refreshStretch(_ cycles: Int64, period: Double, estimate: Double) -> Int64 {
        let window = Double(timing.refreshInterval) / Double(max(configuration.ranks, 1))
        let idle = max(0, estimate + 1 - period / 2)
        let usable = max(window - Double(timing.refreshCycle) - idle, 1)
        let stretched = (Double(cycles) * window / usable).rounded(.up)
        return stretched < 9e18 ? Int64(stretched) : .max
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
        /// Headers the controller checks against the refresh deadline: one per activated tile.
        public var headers: Int64 = 0
        public var comps: Int64 = 0
        public var readResults: Int64 = 0
        /// Cycles of the program without refresh.
        public var cycles: Int64 = 0
        /// The controller's latency estimates of all headers, summed (for the refresh rule).
        public var estimateCycles: Int64 = 0
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
        if configuration.dataflow == .streaming {
            return StreamingPIMModel(configuration: configuration).commands(for: operation)
        }
        let layout = PIMLayout(operation: operation, configuration: configuration)
        var counts = CommandCounts()
        for run in layout.runs {
            let chunks = layout.repeats * run.count
            let tiles = chunks * run.tiles
            let passes = tiles * run.passes
            let writes = chunks * run.writesPerChunk
            counts.globalWrites += writes
            counts.tiles += tiles
            counts.comps += passes * run.comps
            counts.readResults += passes * run.results * run.vectors
            let header = headerCycles(comps: run.comps, results: run.results, vectors: run.vectors)
            let pass = passCycles(comps: run.comps, results: run.results, vectors: run.vectors)
            let furtherPasses = tiles * (run.passes - 1)
            let passTime = furtherPasses * (pass + globalWriteCycles)
            // Every refresh that falls among a tile's further passes closes its rows: the next pass activates
            // them again (one header's activation, once per refresh window of the passes' time).
            let window = max(1, timing.refreshInterval / Int64(max(configuration.ranks, 1)))
            let reactivations = passTime / window
            counts.tiles += reactivations
            counts.cycles +=
                writes * globalWriteCycles + tiles * header + furtherPasses * pass
                + reactivations
                * (header - resultPhaseCycles(comps: run.comps, results: run.results, vectors: run.vectors))
            // The controller checks a tile's activating header against the next refresh; the passes that follow on
            // its open rows are short (a GWRITE and their results) and go through unchecked.
            counts.headers += tiles
            counts.estimateCycles += tiles * controllerEstimate(comps: run.comps, results: run.results * run.vectors)
            counts.blockedCycles +=
                writes * globalWriteCycles
                + passes * run.results
                * (resultBlockingCycles(comps: run.comps.ceilDiv(run.results)) + (run.vectors - 1) * timing.burstCycles)
        }
        return counts
    }

    /// The cost of an attention GEMV of one request on its channel.
    public func cost(of operation: Operation) -> OperationCost {
        if configuration.dataflow == .streaming {
            return StreamingPIMModel(configuration: configuration).cost(of: operation)
        }
        let counts = commands(for: operation)
        let headers = Double(max(counts.headers, 1))
        let cycles = refreshStretch(
            counts.cycles, period: Double(counts.cycles) / headers, estimate: Double(counts.estimateCycles) / headers)
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
    /// (docs/MODEL.md §2.6):
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
