import Foundation
import Testing
import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling

/// `triad snapshot` against the NeuPIMs simulator itself (casys-kaist/NeuPIMs built and run on the
/// batch-256 GPT3-7B TP4 trace its own `trace-generator/get_distributions.py` made; docs/MODEL.md §7
/// lists every figure and how it was obtained).
struct SnapshotTests {
    /// One run of the simulator: the batch file, model, the Triad policy that corresponds to the run, the
    /// simulator's cycles per stage (`_summary.tsv`) and per layer.
    struct Reference: Sendable, CustomStringConvertible {
        var file: String
        var model: String
        var policy: String
        var steps: [String: Int64]
        var perLayer: Int64 {
            steps["C"].map { $0 + steps["D"]! } ?? steps.values.reduce(0, +)
        }
        var description: String { "\(model) \(file) \(policy)" }
    }

    static let neupims = "neupims"
    /// The simulator's sub-batch-on runs interleave whatever the batch; `neupims` interleaves when faster.
    static let interleaved = "npu+pim+drb+fused+bulk+gmlbp+sbi"
    static let dualOnly = "npu+pim+drb+fused+bulk+gmlbp"
    static let blocked = "npu+pim"

    /// The simulator on batches its own generator made (seed 0, greedy placement): main + sub-batch-on
    /// (NeuPIMs), main + sub-batch-off (dual buffers only), the npu+pim branch (blocked).
    static let references: [Reference] = [
        Reference(
            file: "share-gpt2-bs256-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: neupims,
            steps: ["A": 32_765, "B": 101_686, "C": 148_834, "D": 152_237, "E": 113_336, "F": 96_490]),
        Reference(
            file: "share-gpt2-bs256-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: dualOnly,
            steps: ["A": 49_338, "B": 159_117, "E": 155_263]),
        Reference(
            file: "share-gpt2-bs256-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: blocked,
            steps: ["A": 49_338, "B": 484_060, "E": 153_824]),
        Reference(
            file: "share-gpt2-bs64-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: interleaved,
            steps: ["A": 31_466, "B": 43_468, "C": 129_836, "D": 125_576, "E": 100_357, "F": 89_493]),
        Reference(
            file: "share-gpt2-bs64-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: dualOnly,
            steps: ["A": 28_396, "B": 63_818, "E": 86_131]),
        Reference(
            file: "share-gpt2-bs64-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: blocked,
            steps: ["A": 28_396, "B": 168_255, "E": 91_632]),
        Reference(
            file: "share-gpt2-bs128-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: interleaved,
            steps: ["A": 28_396, "B": 70_611, "C": 135_618, "D": 141_707, "E": 105_106, "F": 94_564]),
        Reference(
            file: "share-gpt2-bs128-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: dualOnly,
            steps: ["A": 32_765, "B": 87_957, "E": 97_104]),
        Reference(
            file: "share-gpt2-bs128-ms7B-tp4-pp1-clb-0", model: "gpt3-7b", policy: blocked,
            steps: ["A": 32_765, "B": 249_034, "E": 97_183]),
        Reference(
            file: "share-gpt2-bs256-ms13B-tp4-pp1-clb-0", model: "gpt3-13b", policy: neupims,
            steps: ["A": 47_142, "B": 128_298, "C": 216_337, "D": 223_107, "E": 174_489, "F": 142_748]),
        Reference(
            file: "share-gpt2-bs256-ms13B-tp4-pp1-clb-0", model: "gpt3-13b", policy: dualOnly,
            steps: ["A": 73_901, "B": 190_884, "E": 221_399]),
        Reference(
            file: "share-gpt2-bs256-ms13B-tp4-pp1-clb-0", model: "gpt3-13b", policy: blocked,
            steps: ["A": 73_901, "B": 636_773, "E": 223_221]),
    ]

    static func snapshot(
        _ policy: String, file: String = "share-gpt2-bs256-ms7B-tp4-pp1-clb-0", model: String = "gpt3-7b"
    )
        throws -> SnapshotReport
    {
        let url = try #require(
            Bundle.module.url(forResource: "NeuPIMsTraces", withExtension: nil)?
                .appendingPathComponent("generated/\(file).csv"))
        let batch = try NeuPIMsBatchReader.parse(try String(contentsOf: url, encoding: .utf8), file: file)
        let (devices, costs) = try Fixtures.neupims()
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named(model)!, workload: .fixed(input: 0, output: 1),
            topologyName: "fixture")
        (experiment.batch, experiment.iterations, experiment.seed) = (batch.count, 1, 0)
        var simulator = try Simulator(experiment, policy: Policy(name: policy)!, costs: costs)
        return try simulator.snapshot(batch, trace: file)
    }

    /// Every stage within ±15 % of the simulator and every per-layer total within ±10 %.
    @Test(arguments: SnapshotTests.references)
    func stagesMatchTheSimulator(reference: Reference) throws {
        let report = try Self.snapshot(reference.policy, file: reference.file, model: reference.model)
        #expect(report.steps.map(\.name) == reference.steps.keys.sorted())
        for (name, cycles) in reference.steps {
            let ours = try #require(report.cycles(ofStage: name))
            let error = Double(ours) / Double(cycles) - 1
            #expect(abs(error) <= 0.15, "\(reference) stage \(name): \(ours) vs \(cycles) (\(error))")
        }
        let error = Double(report.perLayerCycles) / Double(reference.perLayer) - 1
        #expect(abs(error) <= 0.10, "\(reference) per layer: \(report.perLayerCycles) vs \(reference.perLayer)")
    }

    @Test func subBatchesSplitEveryChannelInHalf() throws {
        let report = try Self.snapshot("neupims")
        #expect(report.subBatches == [128, 128])
        #expect(report.perLayerCycles == report.cycles(ofStage: "C")! + report.cycles(ofStage: "D")!)
    }

    /// The host issue path alone: a whole tile at once is faster than one instruction per cycle, and the
    /// Newton command set costs more host transactions than the fused one.
    @Test func eachPIMMechanismPays() throws {
        let blocked = try Self.snapshot("npu+pim").cycles(ofStage: "B")!
        let bulk = try Self.snapshot("npu+pim+bulk").cycles(ofStage: "B")!
        let fusedBulk = try Self.snapshot("npu+pim+fused+bulk").cycles(ofStage: "B")!
        let all = try Self.snapshot("npu+pim+drb+fused+bulk").cycles(ofStage: "B")!
        #expect(bulk < blocked)
        #expect(fusedBulk <= bulk)
        #expect(all < fusedBulk)
    }

    /// Grouped-query attention against the NeuPIMs simulator patched for it (docs/MODEL.md §7.1; the patch stays
    /// outside this repository): GPT3-7B TP4 with 8 or 4 KV heads (g = 4, 8), dual buffers not interleaved, stage B
    /// of the column-aligned replay and of open-row reuse on the greedy batches of 64, 128 and 256 — within ±10 %.
    static let groupedReferences:
        [(batch: Int, keyValueHeads: Int, mapping: PIMConfiguration.GroupMapping, cycles: Int64)] = [
            (64, 8, .replay, 83_300), (64, 8, .openRow, 71_103), (64, 4, .replay, 128_111), (64, 4, .openRow, 94_804),
            (128, 8, .replay, 109_634), (128, 8, .openRow, 90_849), (128, 4, .replay, 157_856),
            (128, 4, .openRow, 114_044),
            (256, 8, .replay, 200_630), (256, 8, .openRow, 168_776), (256, 4, .replay, 294_117),
            (256, 4, .openRow, 214_513),
        ]

    @Test func groupedQueriesMatchThePatchedSimulator() throws {
        for reference in Self.groupedReferences {
            let file = "share-gpt2-bs\(reference.batch)-ms7B-tp4-pp1-clb-0"
            let url = try #require(
                Bundle.module.url(forResource: "NeuPIMsTraces", withExtension: nil)?
                    .appendingPathComponent("generated/\(file).csv"))
            let batch = try NeuPIMsBatchReader.parse(try String(contentsOf: url, encoding: .utf8), file: file)
            var pim = PIMConfiguration.neupims(rowBuffers: .dual)
            pim.groupMapping = reference.mapping
            let devices = [
                DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
                DeviceDescription(id: "pim0", configuration: .pim(pim)),
            ]
            var model = ModelPresets.named("gpt3-7b")!
            model.keyValueHeads = reference.keyValueHeads
            var experiment = Experiment(
                devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]), model: model,
                workload: .fixed(input: 0, output: 1), topologyName: "fixture")
            (experiment.batch, experiment.iterations, experiment.seed) = (batch.count, 1, 0)
            var simulator = try Simulator(
                experiment, policy: Policy(name: Self.dualOnly)!, costs: LocalCostService(devices: devices))
            let ours = try #require(try simulator.snapshot(batch, trace: file).cycles(ofStage: "B"))
            let error = Double(ours) / Double(reference.cycles) - 1
            #expect(
                abs(error) <= 0.10,
                "batch \(reference.batch), \(reference.keyValueHeads) KV heads, \(reference.mapping): \(ours) vs \(reference.cycles)"
            )
        }
    }
}
