import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// The iteration's exact shortcuts — the attention pass's specialised paths for PIM attention (one micro-batch with
/// registers for its sums, several micro-batches, groups assigned in the pass) and skipping the whole batch's
/// composition when its serial lower bound loses to the split — give the reports the general path gives, byte for
/// byte: over seeded random batches, workloads and models with one and two pipeline stages, under the plans that
/// interleave or not.
struct AttentionPathTests {
    static let cases: [(model: String, policy: Policy)] = [
        ("gpt3-7b", .neupims), ("gpt3-7b", .npuPIM), ("gpt3-30b", .neupims), ("llama-3-8b", .neupims),
    ]

    @Test(arguments: 0..<12)
    func fastPathsChangeNothing(seed: UInt64) throws {
        var random = SplitMix64(seed: seed &+ 101)
        let chosen = Self.cases[Int(random.next() % UInt64(Self.cases.count))]
        let batch = 1 + Int(random.next() % 300)
        let (devices, costs) = try Fixtures.neupims()
        let stream: RequestStream =
            random.next() % 2 == 0
            ? .sampled(Fixtures.uniformLengths)
            : .fixed(input: 1 + Int(random.next() % 500), output: 2 + Int(random.next() % 200))
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named(chosen.model)!, workload: stream, topologyName: "paths")
        (experiment.batch, experiment.iterations, experiment.seed) = (batch, 60, seed)
        var fast = try Simulator(experiment, policy: chosen.policy, costs: costs)
        var general = try Simulator(experiment, policy: chosen.policy, costs: costs)
        general.usesFastPaths = false
        let fastReport = try fast.run()
        let generalReport = try general.run()
        #expect(
            fastReport == generalReport,
            "\(chosen.model) \(chosen.policy.name) batch \(batch) seed \(seed): the fast paths changed the report")
        #expect(fastReport.tokens > 0)
    }
}
