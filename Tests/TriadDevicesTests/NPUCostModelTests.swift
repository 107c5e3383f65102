import Testing
import TriadCore
import TriadDevices

struct NPUCostModelTests {
    let model = NPUCostModel(configuration: .neupims)

    private func gemm(_ tokens: Int64, _ inner: Int64, _ outputs: Int64, on model: NPUCostModel? = nil) -> Int64 {
        (model ?? self.model).matrixCost(
            tokens: tokens, inner: inner, outputs: outputs, weightBytes: inner * outputs * 2
        )
        .cycles
    }

    /// The NeuPIMs simulator's pipeline: 16-cycle instructions, 128-cycle preloads, 270-cycle latency
    /// (`NeuPIMSystolicWS::issue_ex_inst`); a stationary tile against 3072 / 4096 outputs costs 496 / 624.
    @Test func pipelineConstantsFollowTheArrays() {
        #expect(model.instructionCycles == 16)
        #expect(model.pipelineLatencyCycles == 270)
        #expect(model.cyclesPerStationaryTile(outputs: 3072) == 496)
        #expect(model.cyclesPerStationaryTile(outputs: 4096) == 624)
    }

    /// Activation-stationary check values (GPT3-7B TP4 shapes). The first 128-token pass streams the
    /// weights at 1024 B/cycle × 3640/3900; the second is 32 K-tiles × 496 cycles of compute:
    /// 26,214,400 B / 955.7 = 27,429 + 15,872 + 270 + a write tail of 823 − 368 = 455 → 44,026.
    @Test func activationStationaryCheckValues() {
        #expect(gemm(256, 4096, 3072) == 44_026)
        // Up to 128 tokens a GEMM costs its weight stream: the same at 64 and 128 tokens but for the writes.
        let at128 = gemm(128, 4096, 3072)
        let at64 = gemm(64, 4096, 3072)
        #expect(abs(at128 - 27_429 - 270 - 823) <= 2)
        #expect(at64 < at128 && Double(at64) > 0.95 * Double(at128))
        // The simulator's stage A at batch 256 is 49,338 cycles (LayerNorm + QKV), at 128 tokens 32,765.
        let norm256 = model.vectorCost(Operation(kind: .norm, rows: 256, inner: 4096)).cycles
        let norm128 = model.vectorCost(Operation(kind: .norm, rows: 128, inner: 4096)).cycles
        #expect(abs(Double(gemm(256, 4096, 3072) + norm256) / 49_338 - 1) < 0.05)
        #expect(abs(Double(at128 + norm128) / 32_765 - 1) < 0.05)
    }

    /// Past 128 tokens each further pass adds compute only; efficiency approaches 77 % (N = 3072).
    @Test func laterPassesAreComputeBound() {
        let pass = 32 * 496
        #expect(abs(gemm(512, 4096, 3072) - gemm(384, 4096, 3072) - Int64(pass)) <= 1)
        #expect(abs(gemm(384, 4096, 3072) - gemm(256, 4096, 3072) - Int64(pass)) <= 1)
    }

    @Test(arguments: [1, 16, 64, 128, 200, 256, 384, 512])
    func gemmCyclesGrowWithTokens(tokens: Int) {
        #expect(gemm(Int64(tokens + 8), 1024, 3072) >= gemm(Int64(tokens), 1024, 3072))
        var study = NPUConfiguration.neupims
        study.gemmMapping = .weightStationary
        let ws = NPUCostModel(configuration: study)
        #expect(gemm(Int64(tokens + 8), 1024, 3072, on: ws) >= gemm(Int64(tokens), 1024, 3072, on: ws))
    }

    /// Weight-stationary (kept for studies): array efficiency 12.5 % at 128 tokens, 22 % at 256, 36 % at 512,
    /// 53 % at 1024 — and the GEMM is bound by compute, not by the weight stream, at those sizes.
    @Test(arguments: [(128, 0.125), (256, 0.22), (512, 0.36), (1024, 0.53)])
    func weightStationaryEfficiency(tokens: Int, expected: Double) {
        #expect(abs(model.weightStationaryEfficiency(tokens: Int64(tokens)) - expected) < 0.005)
    }

    @Test func residentWeightsRemoveTheStream() {
        let cost = model.matrixCost(tokens: 128, inner: 4096, outputs: 4096, weightBytes: 4096 * 4096 * 2)
        #expect(cost.memoryCycles > 0)
        #expect(cost.cycles - cost.memoryCycles == 32 * 624 + 270 + (2 * 128 * 4096 * 3900).ceilDiv(1024 * 3640))
    }

    /// NeuPIMs LAYERNORM = 2·tree + 3 + 5·iter; SOFTMAX = 2·tree + 3·iter (1-cycle ops, 128 lanes); an op
    /// takes at least its traffic (inputs and output through memory).
    @Test func vectorOpCyclesFollowTheSimulatorFormulas() {
        #expect(model.addTreePasses(width: 4096) == 33)
        #expect(model.vectorRowCycles(.norm, width: 4096) == 2 * 33 + 3 + 5 * 32)
        #expect(model.vectorRowCycles(.softmax, width: 300) == 2 * (3 + 1) + 3 * 3)
        #expect(model.vectorRowCycles(.activation, width: 4096) == 32)
        let cost = model.vectorCost(Operation(kind: .norm, rows: 16, inner: 4096))
        #expect(cost.cycles == 2 * (2 * 33 + 3 + 5 * 32))
        // A residual add over 256 × 4096 is traffic-bound: 6 MiB at 955.7 B/cycle.
        let add = model.vectorCost(Operation(kind: .residualAdd, rows: 256, inner: 4096))
        #expect(add.cycles == (3 * 256 * 4096 * 2 * 3900).ceilDiv(1024 * 3640))
    }

    @Test func attentionOnTheVectorUnitsIsBoundByTheKVStream() {
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 300, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        let cost = model.attentionCost(logits)
        #expect(cost.streamedBytes == 300 * 1024 * 2)
        #expect(cost.cycles == (300 * 1024 * 2 * 3900).ceilDiv(1024 * 3640))
    }

    /// Grouped-query attention (Llama-3-8B on one device: 32 query heads over 8 KV heads, d = 128) at 4,096 tokens:
    /// on the arrays each KV tile serves the group's 4 query rows, so the GEMV is bound by the KV stream; on the
    /// vector units every query head's MACs take lanes, 4 × the MHA compute, and the GEMV is compute-bound.
    /// `fastest` (the default) takes the arrays here and the vector units for a short MHA context.
    @Test func groupedQueriesAreStreamBoundOnTheArraysAndComputeBoundOnTheVectorUnits() {
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 4096, sequenceLength: 4096, heads: 32, keyValueHeads: 8,
            headDimension: 128)
        let stream = model.streamCycles(4096 * 8 * 128 * 2)
        let arrays = model.attentionCost(logits, mapping: .systolicArrays)
        let vectors = model.attentionCost(logits, mapping: .vectorUnits)
        #expect(arrays.cycles == stream)
        // 8 KV heads × 32 tiles of 128 keys, 8 arrays, 128 + 4 cycles per tile.
        #expect(arrays.computeCycles == 8 * 32 / 8 * 132)
        #expect(vectors.cycles == 4096 * 32 * 128 / 1024 * 2)
        #expect(vectors.cycles > 2 * stream)
        #expect(model.attentionCost(logits) == arrays)
        var attend = logits
        attend.kind = .attentionAttend
        #expect(model.attentionCost(attend, mapping: .systolicArrays).cycles == stream)
        // A 40-token MHA GEMV fills a third of one tile: the vector units are faster, and `fastest` takes them.
        let short = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 40, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        #expect(
            model.attentionCost(short, mapping: .vectorUnits).cycles
                < model.attentionCost(short, mapping: .systolicArrays).cycles)
        #expect(model.attentionCost(short) == model.attentionCost(short, mapping: .vectorUnits))
    }

    /// The simulator's FusedMHA at s = 307 is ≈ 1,410 cycles per head with softmax (npu-only branch).
    @Test func fusedMHAFollowsTheSimulatorsSerialPreloads() {
        var configuration = NPUConfiguration.neupims
        configuration.attentionMapping = .singleArray
        let fused = NPUCostModel(configuration: configuration)
        var operation = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 307, heads: 1, keyValueHeads: 1,
            headDimension: 128)
        let logits = fused.attentionCost(operation).cycles
        operation.kind = .attentionAttend
        let attend = fused.attentionCost(operation).cycles
        let softmax = fused.vectorRowCycles(.softmax, width: 307)
        #expect(logits == 8 + 255 + 38)
        #expect(attend == 8 + 271 * 4)
        #expect(abs(Double(logits + attend + softmax) / 1_410 - 1) < 0.02)
    }
}
