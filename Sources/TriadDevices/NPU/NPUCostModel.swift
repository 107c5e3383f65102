public import TriadCore

/// Costs of operations on a GEMM NPU (reference/NEUPIMS.md, "NPU GEMM timing" and "NPU vector op cycles").
///
/// GEMM follows the NeuPIMs simulator's weight-stationary tile model: the arrays act as one wide array
/// that takes `systolicArrays` input rows per cycle; each `arrayRows × arrayColumns` weight tile starts
/// with a preload of `arrayRows` cycles that is not shared between arrays, and the first L1 tile's issue
/// (`arrayRows / systolicArrays` cycles) hides under that preload; one pipeline fill of
/// `arrayRows + arrayColumns − 2` cycles drains the last tile. This gives the sheet's array efficiency of
/// 12.5 % at M = 128 rows, 22 % at 256, 36 % at 512 and 53 % at 1024.
public struct NPUCostModel: Sendable {
    public let configuration: NPUConfiguration

    public init(configuration: NPUConfiguration) { self.configuration = configuration }

    /// Weight-tile preload, cycles (one array row per cycle).
    public var preloadCycles: Int64 { Int64(configuration.arrayRows) }

    /// Issue cycles of one full L1 tile (`arrayRows` input rows across all arrays).
    public var issueCyclesPerL1Tile: Int64 {
        Int64(configuration.arrayRows).ceilDiv(Int64(configuration.systolicArrays))
    }

    /// Pipeline fill and drain of the arrays, cycles.
    public var pipelineFillCycles: Int64 { Int64(configuration.arrayRows + configuration.arrayColumns - 2) }

    /// Cycles one weight tile occupies the arrays while `rows` input rows stream through it.
    public func cyclesPerWeightTile(rows: Int64) -> Int64 {
        let issue = rows.ceilDiv(Int64(configuration.systolicArrays))
        return preloadCycles + max(0, issue - issueCyclesPerL1Tile)
    }

    /// Fraction of peak MAC throughput the arrays reach on a GEMM with `rows` rows and many weight tiles.
    public func arrayEfficiency(rows: Int64) -> Double {
        let ideal = Double(rows) / Double(configuration.systolicArrays)
        return ideal / Double(cyclesPerWeightTile(rows: rows))
    }

    /// How many times the weights are re-preloaded because the M dimension is split to fit half the SRAM:
    /// halve the largest of (M, K, N) until (MK + KN + MN)·2 B fits (reference/NEUPIMS.md, "SRAM").
    public func rowSplits(rows: Int64, inner: Int64, columns: Int64) -> Int64 {
        var (m, k, n) = (rows, inner, columns)
        let budget = configuration.sramBytes / 2
        while (m * k + k * n + m * n) * 2 > budget, max(m, k, n) > 1 {
            if m >= k && m >= n { m = m.ceilDiv(2) } else if k >= n { k = k.ceilDiv(2) } else { n = n.ceilDiv(2) }
        }
        return rows.ceilDiv(m)
    }

    /// A GEMM of `rows × inner` by `inner × columns` on the systolic arrays.
    public func matrixCost(rows: Int64, inner: Int64, columns: Int64, weightBytes: Int64) -> OperationCost {
        let tiles = inner.ceilDiv(Int64(configuration.arrayRows)) * columns.ceilDiv(Int64(configuration.arrayColumns))
        let splits = rowSplits(rows: rows, inner: inner, columns: columns)
        let rowsPerSplit = rows.ceilDiv(splits)
        let perTile = cyclesPerWeightTile(rows: rowsPerSplit)
        let cycles = tiles * splits * perTile + pipelineFillCycles
        let issue = tiles * splits * max(0, rowsPerSplit.ceilDiv(Int64(configuration.systolicArrays)))
        let macs = rows * inner * columns
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles),
            streamedBytes: weightBytes, energyPicojoules: Double(macs) * configuration.macEnergyPicojoules,
            computeCycles: min(issue, cycles), preloadCycles: cycles - min(issue, cycles))
    }

    /// Adder-tree passes to reduce `width` values with `vectorLanes`-wide units (NeuPIMs' recursion).
    public func addTreePasses(width: Int64) -> Int64 {
        let lanes = Int64(configuration.vectorLanes)
        if width <= lanes { return 1 }
        let passes = width.ceilDiv(lanes)
        return passes + addTreePasses(width: passes)
    }

    /// Cycles of one vector op over one row of `width` elements on one vector unit.
    public func vectorRowCycles(_ kind: Operation.Kind, width: Int64) -> Int64 {
        let passes = width.ceilDiv(Int64(configuration.vectorLanes))
        let latency = configuration.vectorOpLatency
        switch kind {
        case .norm:
            // 2 adder trees (mean, variance), 3 scalar ops, 5 vector ops per pass (NeuPIMs LAYERNORM).
            return 2 * addTreePasses(width: width) * latency + 3 * latency + 5 * passes * latency
        case .softmax:
            // max and sum trees, then add (subtract max), exp, multiply per pass (NeuPIMs SOFTMAX).
            return 2 * addTreePasses(width: width) * latency + 3 * passes * latency
        case .recurrence:
            // MLGRU: about 15 element-wise ops per hidden element (reference/MATMULFREE.md).
            return 15 * passes * latency
        default:
            // ADD, GELU, SiLU·gate: one pass each.
            return passes * latency
        }
    }

    /// Element-wise operations a vector op performs per element (for energy).
    private func vectorOpsPerElement(_ kind: Operation.Kind) -> Double {
        switch kind {
        case .norm: return 5
        case .softmax: return 3
        case .recurrence: return 15
        default: return 1
        }
    }

    /// A vector op: rows are spread over the vector units.
    public func vectorCost(_ operation: Operation) -> OperationCost {
        let rows = Int64(operation.rows)
        let perRow = vectorRowCycles(operation.kind, width: Int64(operation.inner))
        let cycles = rows.ceilDiv(Int64(configuration.vectorUnits)) * perRow
        let energy =
            Double(operation.elements) * vectorOpsPerElement(operation.kind)
            * configuration.vectorOpEnergyPicojoules
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), energyPicojoules: energy,
            computeCycles: cycles)
    }

    /// An attention GEMV (logits or attend) of one request on the NPU, streaming the request's K or V from
    /// memory. With `.vectorUnits` a one-row GEMV runs on the vector units (it cannot amortise the arrays'
    /// weight preload): a multiply and an accumulate per lane per pass. With `.singleArray` it runs as the
    /// NeuPIMs simulator's FusedMHA: per head on one array, a key (logits) or a head dimension (attend) per cycle.
    public func attentionCost(_ operation: Operation) -> OperationCost {
        let macs = Int64(operation.sequenceLength) * Int64(operation.heads) * Int64(operation.headDimension)
        let cycles: Int64
        switch configuration.attentionMapping {
        case .vectorUnits:
            let lanes = Int64(configuration.vectorUnits * configuration.vectorLanes)
            cycles = macs.ceilDiv(lanes) * 2 * configuration.vectorOpLatency
        case .singleArray:
            let perHead = operation.kind == .attentionLogits ? operation.sequenceLength : operation.headDimension
            cycles = Int64(operation.heads) * max(Int64(perHead), 4)
        }
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles),
            streamedBytes: operation.keyValueBytes / 2,
            energyPicojoules: Double(macs) * configuration.macEnergyPicojoules, computeCycles: cycles)
    }

    /// The cost of any operation on this NPU. Ternary weights are streamed at 2 bits and expanded on chip.
    public func cost(of operation: Operation) -> OperationCost {
        switch operation.kind.category {
        case .matrix:
            let weightBits: Int64 = operation.isTernary ? 2 : 16
            return matrixCost(
                rows: Int64(operation.rows), inner: Int64(operation.inner), columns: Int64(operation.columns),
                weightBytes: (operation.weightCount * weightBits).ceilDiv(8))
        case .attention:
            return attentionCost(operation)
        case .vector:
            return vectorCost(operation)
        }
    }
}
