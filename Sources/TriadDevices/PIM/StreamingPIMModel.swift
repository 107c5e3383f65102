public import TriadCore

/// Attention GEMVs on PIM units that stream whole DRAM rows (AttAcc, ASPLOS 2024; docs/MODEL.md §2.8): the KV cache
/// of a request lies in one channel so that each of the channel's `units` (one per bank, per bank group, or on the
/// buffer die) reads its own rows column after column, and a MAC command makes every unit read one column of
/// `multipliers × elementBytes` bytes and multiply it, one command every `macIntervalCycles`.
///
/// Per GEMV (K·q or S·V) of a request with s tokens, KV heads h_kv, head dimension d and g query heads per KV head:
///   bytes = s·h_kv·d·elementBytes, commands = ⌈bytes ÷ (units · multipliers · elementBytes)⌉ · passes,
///   passes = g (replay, open-row) or ⌈g ÷ queryVectors⌉ (multi-query);
///   cycles = [commands · interval + rowSwitches · (max(0, tRTP − interval) + tRP + tRCD) + tRCD + CL]
///            · tREFI ÷ (tREFI − tRFC).
/// Row switches cost time only at bank level, where every unit switches rows at once (AttAcc's all-bank PREA +
/// ACTAB, `HBM3-PIM.cpp`); bank-group and buffer units interleave banks and hide their activations behind MACs.
/// Open-row reuse switches rows once for all passes. All-bank refresh stops the units for tRFC every tREFI.
public struct StreamingPIMModel: Sendable {
    public let configuration: PIMConfiguration

    public init(configuration: PIMConfiguration) { self.configuration = configuration }

    private var timing: DRAMTiming { configuration.timing }

    /// What one GEMV streams and issues.
    public struct Stream: Sendable, Hashable {
        /// KV bytes the units read (each pass re-reads them).
        public var bytesRead: Int64
        public var macCommands: Int64
        public var rowSwitches: Int64
        /// Multiply-accumulates of all query heads.
        public var multiplyAccumulates: Int64
    }

    /// The KV passes and command counts of `operation`.
    public func stream(of operation: Operation) -> Stream {
        let sequence = Int64(operation.sequenceLength)
        let keyValueHeads = Int64(max(1, operation.keyValueHeads))
        let heads = Int64(operation.heads)
        let group = max(1, heads / keyValueHeads)
        let headDimension = Int64(operation.headDimension)
        let passes: Int64
        switch configuration.groupMapping {
        case .replay, .openRow: passes = group
        case .multiQuery: passes = group.ceilDiv(Int64(max(1, configuration.queryVectors)))
        }
        let units = Int64(configuration.processingUnitsPerChannel)
        let bytes = sequence * keyValueHeads * headDimension * Int64(configuration.elementBytes)
        let perCommand = units * Int64(configuration.multipliersPerBank * configuration.elementBytes)
        let rows = bytes.ceilDiv(units * configuration.memory.rowBytes)
        let rowSwitches =
            configuration.level == .bank ? rows * (configuration.groupMapping == .openRow ? 1 : passes) : 0
        return Stream(
            bytesRead: bytes * passes, macCommands: bytes.ceilDiv(perCommand) * passes, rowSwitches: rowSwitches,
            multiplyAccumulates: sequence * heads * headDimension)
    }

    /// Cycles between MAC commands.
    public var interval: Int64 { configuration.effectiveMACIntervalCycles }

    /// Cycles an all-unit row switch stops the MACs: the last MAC's read-to-precharge beyond its own interval, the
    /// precharge and the next activation (AttAcc bank level: 8 − 6 + 19 + 19 = 40 on HBM3).
    public var rowSwitchCycles: Int64 {
        max(0, timing.readToPrecharge - interval) + timing.rowPrecharge + timing.rowToColumnDelay
    }

    /// Cycles of `stream` before refresh.
    func cyclesBeforeRefresh(_ stream: Stream) -> Int64 {
        stream.macCommands * interval + stream.rowSwitches * rowSwitchCycles + timing.rowToColumnDelay
            + timing.casLatency
    }

    /// `cycles` stretched by all-bank refresh: tREFI ÷ (tREFI − tRFC).
    func refreshed(_ cycles: Int64) -> Int64 {
        let usable = max(timing.refreshInterval - timing.refreshCycle, 1)
        let stretched = (Double(cycles) * Double(timing.refreshInterval) / Double(usable)).rounded(.up)
        return stretched < 9e18 ? Int64(stretched) : .max
    }

    /// The cost of a logits or attend GEMV of one request on its channel.
    public func cost(of operation: Operation) -> OperationCost {
        let stream = self.stream(of: operation)
        let cycles = refreshed(cyclesBeforeRefresh(stream))
        let compute = min(stream.macCommands * interval, cycles)
        let energy =
            Double(stream.bytesRead) * configuration.readEnergyPicojoulesPerByte
            + Double(stream.multiplyAccumulates) * configuration.unitMACEnergyPicojoules
        return OperationCost(
            cycles: cycles, duration: configuration.memory.clock.picoseconds(forCycles: cycles),
            energyPicojoules: energy, computeCycles: compute, commandCycles: cycles - compute)
    }

    /// The host's view: it writes the query (or scores) once and reads the result once; the memory-side controller
    /// issues the MACs. Units on the buffer die read through the channel's own data path, so ordinary traffic waits
    /// for the whole GEMV; bank and bank-group units leave it free.
    public func commands(for operation: Operation) -> PIMCostModel.CommandCounts {
        let cycles = cyclesBeforeRefresh(stream(of: operation))
        var counts = PIMCostModel.CommandCounts()
        counts.globalWrites = 1
        counts.readResults = 1
        counts.cycles = cycles
        counts.blockedCycles = configuration.level == .buffer ? cycles : 0
        return counts
    }

    /// A generous floating-point estimate of the GEMV's cycles, for the cost bounds (nothing can overflow).
    static func estimatedCycles(_ operation: Operation, on configuration: PIMConfiguration) -> Double {
        let bytes =
            Double(operation.sequenceLength) * Double(max(1, operation.keyValueHeads)) * Double(operation.headDimension)
            * Double(configuration.elementBytes) * Double(max(1, operation.heads / max(1, operation.keyValueHeads)))
        let perCommand = Double(
            configuration.processingUnitsPerChannel * configuration.multipliersPerBank * configuration.elementBytes)
        let timing = configuration.timing
        let rowSwitch = Double(timing.readToPrecharge + timing.rowPrecharge + timing.rowToColumnDelay)
        return (bytes / perCommand + 1) * Double(configuration.effectiveMACIntervalCycles)
            + (bytes / Double(configuration.memory.rowBytes) + 1) * rowSwitch + Double(timing.refreshInterval)
    }
}
