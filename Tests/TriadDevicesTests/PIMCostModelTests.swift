import Testing
import TriadCore
import TriadDevices

struct PIMCostModelTests {
    let model = PIMCostModel(configuration: .neupims(rowBuffers: .dual))

    /// reference/NEUPIMS.md check values for GPT3-7B TP4 (E_tp 1024, 8 local heads).
    @Test(arguments: [(128, 8360), (512, 12776), (2048, 50504)])
    func attentionLoadEstimateMatchesTheReference(sequence: Int, cycles: Int64) {
        #expect(PIMCostModel.attentionLoadEstimate(sequenceLength: sequence, width: 1024, heads: 8) == cycles)
    }

    /// One composite GEMV tile: tFAW·3 + tRCD + 2·32 + CL + BL/2 = 184 cycles; GWRITE (1 + 2)·32 = 96.
    @Test func commandLatenciesComeFromTheTimingParameters() {
        #expect(model.tileCycles(comps: 32, readResults: 1) == 184)
        #expect(model.globalWriteCycles == 96)
        #expect(model.tileCycles(comps: 32, readResults: 4) == 190)
    }

    private func attention(_ sequence: Int) -> (Operation, Operation) {
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: sequence, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        var attend = logits
        attend.kind = .attentionAttend
        return (logits, attend)
    }

    /// The command streams, before refresh, stay within 3 % of Algorithm 1's estimate.
    @Test(arguments: [16, 128, 300, 512, 1000, 2048])
    func commandStreamAgreesWithTheLoadEstimate(sequence: Int) {
        let (logits, attend) = attention(sequence)
        let cycles = model.commands(for: logits).cycles + model.commands(for: attend).cycles
        let estimate = PIMCostModel.attentionLoadEstimate(sequenceLength: sequence, width: 1024, heads: 8)
        #expect(abs(Double(cycles) / Double(estimate) - 1) < 0.03)
    }

    @Test func costGrowsWithSequenceAndIncludesRefresh() {
        var previous: Int64 = 0
        for sequence in stride(from: 1, through: 2048, by: 37) {
            let (logits, attend) = attention(sequence)
            let cycles = model.cost(of: logits).cycles + model.cost(of: attend).cycles
            #expect(cycles >= previous)
            previous = cycles
        }
        // Refresh stretches latency by tREFI / (tREFI − tRFC) = 3900 / 3640.
        #expect(model.withRefresh(3640) == 3900)
    }

    @Test func energyCountsEveryCommand() {
        let (logits, _) = attention(64)
        let counts = model.commands(for: logits)
        // 2 chunks × 2 token tiles; 32 COMPs and 4 READRES per tile.
        #expect(counts.globalWrites == 2)
        #expect(counts.tiles == 4)
        #expect(counts.comps == 128)
        #expect(counts.readResults == 16)
        let energy = model.cost(of: logits).energyPicojoules
        let gwrites: Double = 2 * 12864
        let groupActivates: Double = 4 * 8 * 3312
        let comps: Double = 128 * 3216
        let readResults: Double = 16 * 804
        #expect(energy == gwrites + groupActivates + comps + readResults)
    }
}
