import Testing
import TriadCore
import TriadDevices

struct NPUCostModelTests {
    let model = NPUCostModel(configuration: .neupims)

    /// reference/NEUPIMS.md: array efficiency ≈12.5 % at M = 128 rows, 22 % at 256, 36 % at 512, 53 % at 1024.
    @Test(arguments: [(128, 0.125), (256, 0.22), (512, 0.36), (1024, 0.53)])
    func systolicEfficiencyMatchesTheReference(rows: Int, expected: Double) {
        #expect(abs(model.arrayEfficiency(rows: Int64(rows)) - expected) < 0.005)
    }

    @Test func largeGEMMReachesTheTileEfficiency() {
        let cost = model.matrixCost(rows: 256, inner: 4096, columns: 4096, weightBytes: 4096 * 4096 * 2)
        let ideal = Double(256 * 4096 * 4096) / Double(8 * 128 * 128)
        let efficiency = ideal / Double(cost.cycles)
        #expect(abs(efficiency - model.arrayEfficiency(rows: 256)) < 0.01)
        #expect(cost.streamedBytes == 4096 * 4096 * 2)
    }

    @Test(arguments: [1, 16, 64, 128, 200, 256, 384, 512])
    func gemmCyclesGrowWithRows(rows: Int) {
        let smaller = model.matrixCost(rows: Int64(rows), inner: 1024, columns: 3072, weightBytes: 0).cycles
        let larger = model.matrixCost(rows: Int64(rows + 8), inner: 1024, columns: 3072, weightBytes: 0).cycles
        #expect(larger >= smaller)
    }

    /// NeuPIMs LAYERNORM = 2·tree + 3 + 5·iter; SOFTMAX = 2·tree + 3·iter (1-cycle ops, 128 lanes).
    @Test func vectorOpCyclesFollowTheSimulatorFormulas() {
        // width 4096: iter 32, tree = 32 + tree(32) = 33.
        #expect(model.addTreePasses(width: 4096) == 33)
        #expect(model.vectorRowCycles(.norm, width: 4096) == 2 * 33 + 3 + 5 * 32)
        #expect(model.vectorRowCycles(.softmax, width: 300) == 2 * (3 + 1) + 3 * 3)
        #expect(model.vectorRowCycles(.activation, width: 4096) == 32)
        // 16 rows over 8 vector units: two rounds.
        let cost = model.vectorCost(Operation(kind: .norm, rows: 16, inner: 4096))
        #expect(cost.cycles == 2 * (2 * 33 + 3 + 5 * 32))
    }

    @Test func attentionOnTheNPUStreamsTheKVCache() {
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 300, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        let cost = model.attentionCost(logits)
        #expect(cost.streamedBytes == 300 * 1024 * 2)
        #expect(cost.cycles == (300 * 1024).ceilDiv(1024) * 2)
    }
}
