import Testing
import TriadCore
import TriadDevices

struct PIMCostModelTests {
    let model = PIMCostModel(configuration: .neupims(rowBuffers: .dual))

    /// Algorithm 1's check values for GPT3-7B TP4 (E_tp 1024, 8 local heads; docs/MODEL.md §2.6).
    @Test(arguments: [(128, 8360), (512, 12776), (2048, 50504)])
    func attentionLoadEstimateMatchesTheReference(sequence: Int, cycles: Int64) {
        #expect(PIMCostModel.attentionLoadEstimate(sequenceLength: sequence, width: 1024, heads: 8) == cycles)
    }

    /// Header periods as NewtonSim issues them back to back (docs/MODEL.md §2.2): 143 cycles to the first
    /// result (tRTP 5 + 32 precharges + header + 3·tFAW + 1 + tRCD), then 18 per further fused result; with
    /// the Newton command set max(2·nc, 6) + 2 per result. GWRITE 96, +tRP +tRCD with one row buffer.
    @Test func headerPeriodsComeFromTheTimingParameters() {
        #expect(model.headerCycles(comps: 32, results: 4) == 197)
        #expect(model.headerCycles(comps: 32, results: 1) == 143)
        #expect(model.globalWriteCycles == 96)
        let newton = PIMCostModel(configuration: PIMConfiguration.neupims(rowBuffers: .dual).driven(by: []))
        #expect(newton.headerCycles(comps: 32, results: 4) == 213)
        #expect(newton.headerCycles(comps: 32, results: 1) == 143 + 64)
        #expect(newton.globalWriteCycles == 124)
        #expect(model.controllerEstimate(comps: 32, results: 4) == 334)
    }

    /// One request alone in one channel, run in the NeuPIMs simulator (logits + attend + softmax, stage B):
    /// dual/fused 15,964 cycles at 512 tokens and 63,436 at 2048; single/Newton 19,928 and 77,644. The refresh
    /// rule (deadline check + tRFC stall) is what brings the header streams up to these.
    @Test(arguments: [(512, true, 15_964), (2048, true, 63_436), (512, false, 19_928), (2048, false, 77_644)])
    func oneRequestMatchesTheSimulator(sequence: Int, neupims: Bool, simulator: Int64) {
        let hardware = PIMConfiguration.neupims(rowBuffers: .dual)
        let driven = hardware.driven(by: neupims ? [.dualRowBuffers, .fusedCommands] : [])
        let (logits, attend) = attention(sequence)
        let model = PIMCostModel(configuration: driven)
        let cycles = model.cost(of: logits).cycles + model.cost(of: attend).cycles
        #expect(abs(Double(cycles) / Double(simulator) - 1) < 0.03, "\(cycles) vs \(simulator)")
    }

    private func attention(_ sequence: Int) -> (Operation, Operation) {
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: sequence, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        var attend = logits
        attend.kind = .attentionAttend
        return (logits, attend)
    }

    @Test func costGrowsWithSequenceAndIncludesRefresh() {
        var previous: Int64 = 0
        for sequence in stride(from: 1, through: 2048, by: 37) {
            let (logits, attend) = attention(sequence)
            let cycles = model.cost(of: logits).cycles + model.cost(of: attend).cycles
            #expect(cycles >= previous)
            previous = cycles
        }
        // A refresh every tREFI / ranks = 1950 cycles costs tRFC plus the deadline check's idle time.
        #expect(model.refreshStretch(1950, period: 200, estimate: 199) == (1950 * 1950 + 1589) / (1950 - 260 - 100))
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

    /// Grouped-query attention on PIM (docs/MODEL.md §2.7). With one query head per KV head every mapping is the
    /// MHA command stream; with a group of g: replay costs what g MHA heads over one KV head cost (only the
    /// capacity shrinks), open-row saves the re-activations but pays a GWRITE per pass, and a unit with g query
    /// vectors reads each column once for the whole group.
    @Test func groupMappingsPriceTheReuseTheyOffer() {
        func cycles(
            _ mapping: PIMConfiguration.GroupMapping, vectors: Int = 1, heads: Int, keyValueHeads: Int,
            sequence: Int = 2048
        )
            -> (logits: Int64, attend: Int64, comps: Int64)
        {
            var configuration = PIMConfiguration.neupims(rowBuffers: .dual)
            configuration.groupMapping = mapping
            configuration.queryVectors = vectors
            let model = PIMCostModel(configuration: configuration)
            let logits = Operation(
                kind: .attentionLogits, rows: 1, inner: heads * 128, sequenceLength: sequence, heads: heads,
                keyValueHeads: keyValueHeads, headDimension: 128)
            var attend = logits
            attend.kind = .attentionAttend
            return (
                model.cost(of: logits).cycles, model.cost(of: attend).cycles,
                model.commands(for: logits).comps + model.commands(for: attend).comps
            )
        }
        // MHA: identical whatever the mapping.
        let mha = cycles(.replay, heads: 8, keyValueHeads: 8)
        #expect(cycles(.openRow, heads: 8, keyValueHeads: 8) == mha)
        #expect(cycles(.multiQuery, vectors: 8, heads: 8, keyValueHeads: 8) == mha)
        // Llama-3-8B on one device: 32 query heads over 8 KV heads.
        let replay = cycles(.replay, heads: 32, keyValueHeads: 8)
        let openRow = cycles(.openRow, heads: 32, keyValueHeads: 8)
        let multiQuery = cycles(.multiQuery, vectors: 4, heads: 32, keyValueHeads: 8)
        // Replay: 4 passes of an 8-KV-head logits GEMV, 32 attend GEMVs — what 32 MHA heads over 8 KV heads cost.
        #expect(replay.comps == 4 * mha.comps)
        #expect(openRow.comps == replay.comps)
        #expect(multiQuery.comps * 4 == replay.comps)
        #expect(openRow.logits < replay.logits && openRow.attend < replay.attend)
        #expect(Double(multiQuery.logits + multiQuery.attend) < 0.5 * Double(replay.logits + replay.attend))
        // A unit holding more vectors than the group has heads serves the group in one pass.
        #expect(cycles(.multiQuery, vectors: 16, heads: 32, keyValueHeads: 8) == multiQuery)
    }
}
