public import TriadCore

/// Costs of operations on a GEMM NPU (docs/MODEL.md §1).
///
/// GEMMs follow `NPUConfiguration.gemmMapping`. Every operation reads its inputs from memory and writes its
/// outputs back, one operation at a time (the NeuPIMs simulator's `StageProgram`: each op is its own SRAM
/// tile, MOVIN before, MOVOUT after), so element-wise ops cost at least their traffic.
public struct NPUCostModel: Sendable {
    public let configuration: NPUConfiguration

    public init(configuration: NPUConfiguration) { self.configuration = configuration }

    private var rows: Int64 { Int64(configuration.arrayRows) }
    private var columns: Int64 { Int64(configuration.arrayColumns) }
    private var arrays: Int64 { Int64(configuration.systolicArrays) }

    /// Bytes per element of activations (FP16).
    static let activationBytes: Int64 = 2

    /// Cycles between two instructions entering the arrays' shared pipeline: one instruction covers
    /// `arrayRows / systolicArrays` rows per array, at least 4 (`NeuPIMSystolicWS::issue_ex_inst`).
    public var instructionCycles: Int64 { max(rows.ceilDiv(arrays), 4) }

    /// A GEMM_PRELOAD holds the pipeline for `arrayRows` cycles before the next instruction starts.
    public var preloadCycles: Int64 { rows }

    /// Latency of the last instruction through the arrays: rows + columns − 2 + its size (270 for NeuPIMs).
    public var pipelineLatencyCycles: Int64 { rows + columns - 2 + instructionCycles }

    /// Cycles to stream `bytes` at the sustained bandwidth, rounded up.
    public func streamCycles(_ bytes: Int64) -> Int64 {
        Int64((Double(bytes) / configuration.sustainedBytesPerCycle).rounded(.up))
    }

    // MARK: - SRAM tiling

    /// The SRAM tile of a `tokens × inner × outputs` GEMM: each dimension padded to the array size, then the
    /// largest halved until (MK + KN + MN)·2 B fits half the SRAM (double buffering; `MatMul::calculate_loops`).
    public func sramTile(tokens: Int64, inner: Int64, outputs: Int64) -> (tokens: Int64, inner: Int64, outputs: Int64) {
        var (m, k, n) = (tokens.ceilDiv(rows) * rows, inner.ceilDiv(rows) * rows, outputs.ceilDiv(rows) * rows)
        let budget = configuration.sramBytes / 2
        while (m * k + k * n + m * n) * 2 > budget, max(m, k, n) > 1 {
            if m >= k && m >= n { m = m.ceilDiv(2) } else if k >= n { k = k.ceilDiv(2) } else { n = n.ceilDiv(2) }
        }
        return (min(m, tokens), min(k, inner), min(n, outputs))
    }

    // MARK: - Activation-stationary GEMM (the NeuPIMs simulator's)

    /// Cycles one stationary activation tile occupies the pipeline while `outputs` weight columns stream
    /// through it: a preload, then one instruction per `arrayColumns` outputs (128 + 16·(⌈N/128⌉ − 1)).
    public func cyclesPerStationaryTile(outputs: Int64) -> Int64 {
        preloadCycles + instructionCycles * (outputs.ceilDiv(columns) - 1)
    }

    /// A GEMM with activation tiles stationary. Per SRAM tile, the first pass over `arrayColumns` tokens
    /// streams every weight in (and the first activation column), bound by the slower of the stream and
    /// the arrays; later token passes find the weights in SRAM and are bound by the arrays. The last
    /// instruction's latency and the writes of the last outputs end the op (docs/MODEL.md §1.2).
    func activationStationaryCost(tokens: Int64, inner: Int64, outputs: Int64, weightBytes: Int64) -> OperationCost {
        let tile = sramTile(tokens: tokens, inner: inner, outputs: outputs)
        let tileCount = tokens.ceilDiv(tile.tokens) * inner.ceilDiv(tile.inner) * outputs.ceilDiv(tile.outputs)
        let tokenPasses = tile.tokens.ceilDiv(columns)
        let innerTiles = tile.inner.ceilDiv(rows)
        let perStationary = cyclesPerStationaryTile(outputs: tile.outputs)
        let tileWeightBytes = (weightBytes * tile.inner * tile.outputs).ceilDiv(max(1, inner * outputs))
        let firstActivationBytes = Self.activationBytes * tile.inner * min(tile.tokens, columns)
        let firstPassCompute = innerTiles * perStationary
        let firstPass = max(streamCycles(tileWeightBytes + firstActivationBytes), firstPassCompute)
        let laterPasses = (tokenPasses - 1) * innerTiles * perStationary
        let lastWrites = streamCycles(Self.activationBytes * min(tile.tokens, columns) * tile.outputs)
        let writeTail = max(
            0, lastWrites - (tokenPasses > 1 ? instructionCycles * (tile.outputs.ceilDiv(columns) - 1) : 0))
        let cycles = tileCount * (firstPass + laterPasses) + pipelineLatencyCycles + writeTail
        // With the weights already in SRAM the first pass runs at the arrays' pace too.
        let resident = tileCount * tokenPasses * innerTiles * perStationary + pipelineLatencyCycles + writeTail
        let preload = tileCount * tokenPasses * innerTiles * (preloadCycles - instructionCycles) + pipelineLatencyCycles
        return matrixResult(
            cycles: cycles, residentCycles: resident, preloadCycles: preload,
            streamedBytes: tileCount * tileWeightBytes + Self.activationBytes * (tokens * inner + tokens * outputs),
            multiplyAccumulates: tokens * inner * outputs)
    }

    // MARK: - Weight-stationary GEMM (kept for studies)

    /// Cycles one weight tile occupies the arrays while `tokens` rows stream through it: a preload of
    /// `arrayRows` cycles (not shared between arrays), the first tile's issue hidden under it.
    public func cyclesPerWeightTile(tokens: Int64) -> Int64 {
        let issue = tokens.ceilDiv(arrays)
        return preloadCycles + max(0, issue - rows.ceilDiv(arrays))
    }

    /// Fraction of peak MAC throughput the weight-stationary arrays reach with `tokens` rows.
    package func weightStationaryEfficiency(tokens: Int64) -> Double {
        Double(tokens) / Double(arrays) / Double(cyclesPerWeightTile(tokens: tokens))
    }

    /// A GEMM with weight tiles stationary and tokens streaming through them; weights stream in under the
    /// compute, tile by tile.
    func weightStationaryCost(tokens: Int64, inner: Int64, outputs: Int64, weightBytes: Int64) -> OperationCost {
        let tile = sramTile(tokens: tokens, inner: inner, outputs: outputs)
        let splits = tokens.ceilDiv(tile.tokens)
        let tiles = inner.ceilDiv(rows) * outputs.ceilDiv(columns)
        let perTile = cyclesPerWeightTile(tokens: tile.tokens)
        let fill = rows + columns - 2
        let compute = tiles * splits * perTile + fill
        let traffic = splits * weightBytes + Self.activationBytes * (tokens * inner + tokens * outputs)
        let issue = tiles * splits * tile.tokens.ceilDiv(arrays)
        return matrixResult(
            cycles: max(compute, streamCycles(traffic)), residentCycles: compute,
            preloadCycles: compute - min(issue, compute), streamedBytes: traffic,
            multiplyAccumulates: tokens * inner * outputs)
    }

    private func matrixResult(
        cycles: Int64, residentCycles: Int64, preloadCycles: Int64, streamedBytes: Int64, multiplyAccumulates: Int64
    ) -> OperationCost {
        OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), streamedBytes: streamedBytes,
            energyPicojoules: Double(multiplyAccumulates) * configuration.macEnergyPicojoules,
            computeCycles: residentCycles - preloadCycles, memoryCycles: cycles - residentCycles,
            preloadCycles: preloadCycles)
    }

    /// A GEMM of `tokens × inner` activations by an `inner × outputs` weight matrix of `weightBytes`.
    public func matrixCost(tokens: Int64, inner: Int64, outputs: Int64, weightBytes: Int64) -> OperationCost {
        switch configuration.gemmMapping {
        case .activationStationary:
            return activationStationaryCost(tokens: tokens, inner: inner, outputs: outputs, weightBytes: weightBytes)
        case .weightStationary:
            return weightStationaryCost(tokens: tokens, inner: inner, outputs: outputs, weightBytes: weightBytes)
        }
    }

    // MARK: - Vector ops

    /// Adder-tree passes to reduce `width` values with `vectorLanes`-wide units (NeuPIMs' recursion).
    public func addTreePasses(width: Int64) -> Int64 {
        let lanes = Int64(configuration.vectorLanes)
        if width <= lanes { return 1 }
        // One lane has no tree: it adds the values one after another.
        if lanes <= 1 { return width }
        let passes = width.ceilDiv(lanes)
        return passes + addTreePasses(width: passes)
    }

    /// Cycles of one vector op over one row of `width` elements on one vector unit
    /// (`NeuPIMSystolicWS::get_vector_compute_cycles`).
    public func vectorRowCycles(_ kind: Operation.Kind, width: Int64) -> Int64 {
        let passes = width.ceilDiv(Int64(configuration.vectorLanes))
        let latency = configuration.vectorOpLatency
        switch kind {
        case .norm:
            // 2 adder trees (mean, variance), 3 scalar ops, 5 vector ops per pass (LAYERNORM).
            return 2 * addTreePasses(width: width) * latency + 3 * latency + 5 * passes * latency
        case .softmax:
            // max and sum trees, then subtract, exp, multiply per pass (SOFTMAX).
            return 2 * addTreePasses(width: width) * latency + 3 * passes * latency
        case .recurrence:
            // MLGRU: about 15 element-wise ops per hidden element (docs/MODEL.md §5).
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

    /// Rows' worth of memory traffic per element a vector op reads and writes: its inputs and one output
    /// (a residual add reads two inputs; the MLGRU recurrence reads i, f, g and h and writes h).
    private func vectorTrafficPerElement(_ kind: Operation.Kind) -> Int64 {
        switch kind {
        case .residualAdd: return 3
        case .recurrence: return 5
        default: return 2
        }
    }

    /// A vector op: rows spread over the vector units, no faster than its inputs and output stream.
    public func vectorCost(_ operation: Operation) -> OperationCost {
        let rowCount = Int64(operation.rows)
        let perRow = vectorRowCycles(operation.kind, width: Int64(operation.inner))
        let compute = rowCount.ceilDiv(Int64(configuration.vectorUnits)) * perRow
        let traffic = operation.elements * vectorTrafficPerElement(operation.kind) * Self.activationBytes
        let cycles = max(compute, streamCycles(traffic))
        let energy =
            Double(operation.elements) * vectorOpsPerElement(operation.kind) * configuration.vectorOpEnergyPicojoules
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), streamedBytes: traffic,
            energyPicojoules: energy, computeCycles: compute, memoryCycles: cycles - compute)
    }

    // MARK: - Attention on the NPU

    /// An attention GEMV (logits or attend) of one request on the NPU, streaming the request's K or V.
    /// `.systolicArrays`: per KV head, K (d × s) or V (s × d) in array-sized tiles, each preloaded into one of
    /// the arrays (R cycles, not overlapped with compute) while the group's g query rows — or their g score
    /// rows — stream through it (g cycles); arrays take different tiles; bound by the slower of that and the
    /// KV stream.
    /// `.vectorUnits`: a multiply and an accumulate per lane per pass, bound by the KV stream.
    /// `.singleArray`: the NeuPIMs simulator's FusedMHA (`npu-only` branch, `operations/FusedMHA.cc`,
    /// `SystolicWS::issue_ex_inst`): per head, a q·Kᵀ GEMV preload of 2R − 1 + ⌊s/arrays⌋ cycles, and
    /// ⌈(s + C − 1)/C⌉ S·V preloads of 2R − 1 + 16 cycles each, every preload waiting for the previous one.
    public func attentionCost(_ operation: Operation) -> OperationCost {
        attentionCost(operation, mapping: configuration.attentionMapping)
    }

    /// The attention GEMV on `mapping`; `.fastest` takes the cheaper of the arrays and the vector units.
    public func attentionCost(_ operation: Operation, mapping: NPUConfiguration.AttentionMapping) -> OperationCost {
        let sequence = Int64(operation.sequenceLength)
        let heads = Int64(operation.heads)
        let macs = sequence * heads * Int64(operation.headDimension)
        let bytes = operation.keyValueBytes / 2
        let stream = streamCycles(bytes)
        let cycles: Int64
        let compute: Int64
        switch mapping {
        case .fastest:
            let arrays = attentionCost(operation, mapping: .systolicArrays)
            let vectors = attentionCost(operation, mapping: .vectorUnits)
            return vectors.cycles < arrays.cycles ? vectors : arrays
        case .systolicArrays:
            let keyValueHeads = Int64(max(1, operation.keyValueHeads))
            let group = max(1, heads / keyValueHeads)
            let headDimension = Int64(operation.headDimension)
            let tilesPerHead =
                operation.kind == .attentionLogits
                ? headDimension.ceilDiv(rows) * sequence.ceilDiv(columns)
                : sequence.ceilDiv(rows) * headDimension.ceilDiv(columns)
            let rounds = (keyValueHeads * tilesPerHead).ceilDiv(arrays)
            // Requests' tiles follow one another through the arrays, so the pipeline fills once per phase, not
            // per GEMV: no fill is charged here.
            compute = rounds * (preloadCycles + group)
            cycles = max(compute, stream)
        case .vectorUnits:
            let lanes = Int64(configuration.vectorUnits * configuration.vectorLanes)
            compute = macs.ceilDiv(lanes) * 2 * configuration.vectorOpLatency
            cycles = max(compute, stream)
        case .singleArray:
            let emptyPipelinePreload = 2 * rows - 1
            let issueGap = instructionCycles / 2
            if operation.kind == .attentionLogits {
                cycles = heads * (issueGap + emptyPipelinePreload + sequence / arrays)
            } else {
                let preloads = (sequence + columns - 1).ceilDiv(columns)
                cycles = heads * (issueGap + (emptyPipelinePreload + instructionCycles) * preloads)
            }
            compute = cycles
        }
        // A KV cache stored below FP16 (`KeyValueFormat`) is expanded to FP16 on the vector units, one element per lane
        // per cycle, as it streams in (docs/MODEL.md §14).
        var total = cycles
        if operation.keyValueVectorBytes > 0 {
            let elements = sequence * Int64(max(1, operation.keyValueHeads)) * Int64(operation.headDimension)
            total = max(total, elements.ceilDiv(Int64(configuration.vectorUnits * configuration.vectorLanes)))
        }
        let computeCycles = min(compute, total)
        return OperationCost(
            cycles: total, duration: configuration.clock.picoseconds(forCycles: total), streamedBytes: bytes,
            energyPicojoules: Double(macs) * configuration.macEnergyPicojoules, computeCycles: computeCycles,
            memoryCycles: total - computeCycles)
    }

    /// The cost of any operation on this NPU. Ternary weights are streamed at 2 bits and expanded on chip.
    public func cost(of operation: Operation) -> OperationCost {
        switch operation.kind.category {
        case .matrix:
            if configuration.lowBitGEMM == .lookupTables, let bits = LookupTableGEMM.weightBits(of: operation) {
                return LookupTableGEMM(configuration: configuration).cost(
                    of: operation, bits: bits, weightBytes: configuration.storedWeightBytes(of: operation),
                    streamCycles: streamCycles)
            }
            // Skipping zeros does only the nonzeros' work: the GEMM's inner dimension shrinks by the density.
            let inner =
                operation.skipsZeros
                ? max(1, (Int64(operation.inner) * Int64(operation.weightDensity)).ceilDiv(10_000))
                : Int64(operation.inner)
            return matrixCost(
                tokens: Int64(operation.rows), inner: inner, outputs: Int64(operation.columns),
                weightBytes: configuration.storedWeightBytes(of: operation))
        case .attention:
            return attentionCost(operation)
        case .vector:
            return vectorCost(operation)
        }
    }
}
