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
    /// The simulator's cycles per stage (`_summary.tsv`) for each run on the shipped trace.
    static let reference: [(policy: String, stages: [String: Int64], perLayer: Int64)] = [
        (
            "neupims",
            ["A": 32_765, "B": 101_686, "C": 148_834, "D": 152_237, "E": 113_336, "F": 96_490], 301_071
        ),
        ("npu+pim+drb+fused+bulk+gmlbp", ["A": 49_338, "B": 159_117, "E": 155_263], 363_718),
        ("npu+pim", ["A": 49_338, "B": 484_060, "E": 153_824], 687_222),
    ]

    static func snapshot(_ policy: String) throws -> SnapshotReport {
        let url = try #require(
            Bundle.module.url(forResource: "NeuPIMsTraces", withExtension: nil)?
                .appendingPathComponent("generated/share-gpt2-bs256-ms7B-tp4-pp1-clb-0.csv"))
        let batch = try NeuPIMsBatchReader.parse(try String(contentsOf: url, encoding: .utf8), file: "bs256")
        let (devices, workers) = try Fixtures.neupims()
        let configuration = SimulationConfiguration(
            model: ModelPresets.named("gpt3-7b")!, stream: .fixed(input: 0, output: 1), batchSize: batch.count,
            iterations: 1, seed: 0, policy: Policy(name: policy)!, topologyName: "fixture")
        var simulator = try Simulator(configuration: configuration, devices: devices, workers: workers)
        return try simulator.snapshot(batch, trace: "bs256")
    }

    @Test(arguments: 0..<3)
    func stagesMatchTheSimulator(index: Int) throws {
        let reference = Self.reference[index]
        let report = try Self.snapshot(reference.policy)
        #expect(report.stages.map(\.name) == reference.stages.keys.sorted())
        for (name, cycles) in reference.stages {
            let ours = try #require(report.cycles(ofStage: name))
            let error = Double(ours) / Double(cycles) - 1
            #expect(abs(error) <= 0.15, "\(reference.policy) stage \(name): \(ours) vs \(cycles) (\(error))")
        }
        let error = Double(report.perLayerCycles) / Double(reference.perLayer) - 1
        #expect(abs(error) <= 0.10, "\(reference.policy) per layer: \(report.perLayerCycles) vs \(reference.perLayer)")
    }

    /// The simulator splits each channel's requests in trace order, odd channels alternating the extra one.
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
}
