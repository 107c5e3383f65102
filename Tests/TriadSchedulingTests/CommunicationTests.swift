import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Collectives and hand-overs against hand-computed values, and the work of a multi-group run: the same
/// device work as one group standing for all, plus exactly the communication.
struct CommunicationTests {
    static let link = LinkProperties(bandwidthBytesPerSecond: 300_000_000_000, latency: 1_000_000)

    @Test func collectivesMatchHandComputedValues() {
        let plan = CommunicationPlan(tensorRanks: 4, tensorLink: Self.link, pipelineStages: 2, pipelineLink: Self.link)
        // 1 MiB all-reduce over 4 ranks: 6 steps of 1 µs + 262,144 B / 300 GB/s (873,813.3 → 873,814 ps).
        #expect(plan.allReduce(1 << 20) == 6 * (1_000_000 + 873_814))
        // All-gather: 3 such steps.
        #expect(plan.allGather(1 << 20) == 3 * (1_000_000 + 873_814))
        // Hand-over of 1 MiB: 1 µs + 3,495,253.3 → 3,495,254 ps.
        #expect(plan.stageTransfer(1 << 20) == 1_000_000 + 3_495_254)
        #expect(plan.allReduceTraffic(1 << 20) == 6 * 262_144)
        let single = CommunicationPlan(tensorRanks: 1, tensorLink: nil, pipelineStages: 1, pipelineLink: nil)
        #expect(single.allReduce(1 << 20) == 0 && single.stageTransfer(1 << 20) == 0)
    }

    static func experiment(_ communication: CommunicationPlan?) throws -> Experiment {
        let (devices, _) = try Fixtures.neupims()
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: .fixed(input: 200, output: 100))
        experiment.batch = 64
        experiment.iterations = 20
        if let communication {
            experiment.communication = communication
            experiment.mirrors = (0..<4).flatMap { [("npu\($0)", "npu0"), ("pim\($0)", "pim0")] }
        }
        return experiment
    }

    /// TP4 over four explicit groups does the single group's device work plus the communication, and each
    /// device shows the simulated group's utilization.
    @Test(arguments: [Policy.npuOnly, .neupims])
    func tensorParallelRunsAddExactlyTheirCommunication(policy: Policy) throws {
        var plan = CommunicationPlan(tensorRanks: 4, tensorLink: Self.link, pipelineStages: 1, pipelineLink: nil)
        plan.ringLinks = (0..<4).map { DirectedLink(from: "g\($0)", to: "g\(($0 + 1) % 4)") }
        let alone = try Self.experiment(nil).run([policy]).reports[0]
        let grouped = try Self.experiment(plan).run([policy]).reports[0]
        let communication = Double(grouped.simulatedPicoseconds) * grouped.communicationFraction
        #expect(abs(Double(grouped.simulatedPicoseconds - alone.simulatedPicoseconds) - communication) < 2)
        #expect(grouped.tokens == alone.tokens)
        // Per layer two all-reduces of 64 rows × 4096 × 2 B, ranks' traffic 2 · 3/4 of it, 32 layers, 20 iterations.
        #expect(grouped.tensorParallelBytes == 20 * 32 * 2 * plan.allReduceTraffic(64 * 4096 * 2))
        let busy = { (report: RunReport, id: String) in
            Double(report.simulatedPicoseconds) * (report.deviceUtilization.first { $0.id == id }?.value ?? -1)
        }
        for index in 0..<4 {
            #expect(abs(busy(grouped, "npu\(index)") - busy(alone, "npu0")) < 1e-6 * busy(alone, "npu0"))
        }
        #expect(grouped.deviceUtilization.count == 8)
        #expect(grouped.linkTraffic.map(\.link) == plan.ringLinks)
        #expect(grouped.linkTraffic.allSatisfy { $0.bytes == grouped.tensorParallelBytes })
    }
}
