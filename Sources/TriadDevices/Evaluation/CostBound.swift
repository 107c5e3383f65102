public import TriadCore

/// Refuses operations whose cost would be absurd on a device, before any integer arithmetic runs: a
/// hostile or corrupted request must get an error, not overflow a cost model or stall a worker.
public enum CostBound {
    /// More device cycles than any real operation needs (≈ 11 days at 1 GHz).
    public static let maximumCycles = 1e15
    /// Most GEMV tiles the command-level PIM model simulates for one operation.
    public static let maximumCommandTiles = 1 << 22

    /// Throws if `operation` on `configuration` would exceed the bounds.
    public static func check(_ operation: Operation, on configuration: DeviceConfiguration) throws {
        // The cost models multiply up to three of an operation's sizes (times small constants) in Int64: refuse
        // shapes where the three largest pass 2^60, whatever the estimate says (a fast device divides the
        // estimate, not the product).
        let sizes = [
            operation.rows, operation.inner, operation.columns, operation.sequenceLength, operation.heads,
            operation.keyValueHeads, operation.headDimension,
        ].map { Double(max($0, 1)) }.sorted()
        guard sizes.suffix(3).reduce(1, *) < 0x1p60 else {
            throw DeviceError(
                .unsupportedOperation, "operation \(operation.kind.label) is far too large for this device")
        }
        guard let cycles = try estimatedCycles(operation, on: configuration) else { return }
        guard cycles.isFinite, cycles <= maximumCycles else {
            throw DeviceError(
                .unsupportedOperation, "operation \(operation.kind.label) is far too large for this device")
        }
    }

    /// Whether a cost a worker reported for `operation` is beyond any the device could take: more than 1,000×
    /// the generous estimate below (plus 10⁶ cycles of slack) in cycles, or in time at the device's clock.
    public static func isAbsurd(_ cost: OperationCost, for operation: Operation, on configuration: DeviceConfiguration)
        -> Bool
    {
        guard let estimate = try? estimatedCycles(operation, on: configuration), estimate.isFinite,
            let clock = configuration.clock
        else { return false }
        let ceiling = 1000 * estimate + 1e6
        let picosecondsPerCycle = 1e6 / Double(clock.megahertz)
        return Double(cost.cycles) > ceiling || Double(cost.duration) > ceiling * picosecondsPerCycle
    }

    /// A generous estimate of the device cycles `operation` takes on `configuration` (everything it moves at
    /// the sustained rate on top of its compute), in floating point so nothing overflows; nil where the
    /// device does not cost it. Throws for an empty or inconsistent shape.
    static func estimatedCycles(_ operation: Operation, on configuration: DeviceConfiguration) throws -> Double? {
        let shapeIsValid: Bool
        switch operation.kind.category {
        case .matrix: shapeIsValid = operation.rows > 0 && operation.inner > 0 && operation.columns > 0
        case .vector: shapeIsValid = operation.rows > 0 && operation.inner > 0
        case .attention:
            shapeIsValid =
                operation.sequenceLength > 0 && operation.heads > 0 && operation.keyValueHeads > 0
                && operation.headDimension > 0 && operation.heads % operation.keyValueHeads == 0
        }
        guard shapeIsValid else {
            throw DeviceError(
                .unsupportedOperation, "operation \(operation.kind.label) has an empty or inconsistent shape")
        }
        let rows = Double(operation.rows)
        let inner = Double(operation.inner)
        let columns = Double(operation.columns)
        let sequence = Double(operation.sequenceLength)
        let heads = Double(operation.heads)
        let headDimension = Double(operation.headDimension)
        var cycles = 0.0
        switch configuration {
        case .npu(let npu):
            // Everything an op moves through memory, at the sustained rate, on top of its compute.
            let bytesPerCycle = npu.sustainedBytesPerCycle
            switch operation.kind.category {
            case .matrix:
                let tiles =
                    (inner / Double(npu.arrayRows)).rounded(.up) * (columns / Double(npu.arrayColumns)).rounded(.up)
                cycles =
                    tiles * (Double(npu.arrayRows) * max(1, rows) + rows) + 2 * Double(npu.arrayRows + npu.arrayColumns)
                    + 2 * (inner * columns + rows * (inner + columns)) / bytesPerCycle
            case .attention:
                // Either mapping: every multiply-accumulate at the vector units' latency on one lane, or one array
                // preload (2R + 16 cycles) per head and token.
                cycles =
                    sequence * heads * headDimension * 2 * Double(npu.vectorOpLatency)
                    + heads * (sequence + 1) * Double(2 * npu.arrayRows + 16) + 2 * sequence * heads
                    + 4 * sequence * heads * headDimension / bytesPerCycle
            case .vector:
                cycles =
                    max(1, rows) * (inner / Double(npu.vectorLanes) + 16) * 16 * Double(npu.vectorOpLatency)
                    + 10 * max(1, rows) * inner / bytesPerCycle
            }
        case .pim(let configuration):
            // An FC GEMV is costed as its channels' GEMV (they run at once).
            let gemv =
                PIMMatrixMapping.runs(operation)
                ? PIMMatrixMapping.channelGEMV(of: operation, channels: configuration.memory.channels) : operation
            guard gemv.kind.category == .attention else { return nil }
            // The layout the models use, multiplied out in floating point so nothing can overflow here, on the
            // PIM as the operation drives it (the command set and row buffers `DeviceEvaluator` costs it with).
            let pim = configuration.driven(by: gemv.pimModes)
            if pim.dataflow == .streaming { return StreamingPIMModel.estimatedCycles(gemv, on: pim) }
            let model = PIMCostModel(configuration: pim)
            let layout = PIMLayout(operation: gemv, configuration: pim)
            var tiles = 0.0
            for run in layout.runs {
                let chunks = Double(layout.repeats) * Double(run.count)
                let runTiles = chunks * Double(run.tiles)
                let furtherPasses = runTiles * Double(run.passes - 1)
                let (comps, results, vectors) = (
                    min(run.comps, 1 << 20), min(run.results, 1 << 20), min(run.vectors, 1 << 10)
                )
                tiles += runTiles + furtherPasses
                cycles +=
                    chunks * Double(run.writesPerChunk) * Double(model.globalWriteCycles)
                    + runTiles * Double(model.headerCycles(comps: comps, results: results, vectors: vectors))
                    + furtherPasses * Double(model.passCycles(comps: comps, results: results, vectors: vectors))
            }
            // Refresh stretches by at most the refresh window over its smallest usable part (1 cycle).
            cycles *= Double(pim.timing.refreshInterval)
            if pim.fidelity == .command && tiles > Double(maximumCommandTiles) {
                throw DeviceError(
                    .unsupportedOperation, "operation too large for the command-level PIM model (\(Int(tiles)) tiles)")
            }
        case .fpga(let fpga):
            let adds = rows * inner * max(columns, 1)
            let memory =
                (inner * max(columns, 1) * fpga.bitsPerWeight / 8 + rows * (inner + columns))
                / (Double(fpga.memoryBandwidthBytesPerSecond) * fpga.memoryEfficiency) * Double(fpga.clock.megahertz)
                * 1e6
            cycles =
                adds / Double(fpga.cores * fpga.addersPerCore) + memory + Double(fpga.fixedLatencyCycles)
                + rows * inner * 15 / Double(fpga.elementwiseLanes)
        case .hbm:
            return nil
        }
        return cycles
    }
}
