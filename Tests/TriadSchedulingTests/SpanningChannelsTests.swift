import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Requests whose KV is larger than a PIM channel span channels instead of being refused (docs/MODEL.md §3.1).
@Suite struct SpanningChannelsTests {
    /// Llama-3-8B at 8K on NeuPIMs: 1 GiB of KV per request against 0.55 GB per channel after the weights — each
    /// request's 8 KV heads split over 2 channels, 4 heads each. Every request is admitted and its two parts run
    /// on two channels: the channels' summed PIM time per token is the same as with channels large enough to hold
    /// a whole request (within 5 %), spread over twice the channels, so the run is faster.
    @Test func longRequestsSplitTheirHeadsOverChannels() throws {
        func run(channelBytes: Int64) throws -> RunReport {
            var pim = PIMConfiguration.neupims(rowBuffers: .dual)
            pim.memory.channelCapacityBytes = channelBytes
            let devices = [
                DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
                DeviceDescription(id: "pim0", configuration: .pim(pim)),
            ]
            var experiment = Experiment(
                devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]),
                model: ModelPresets.named("llama-3-8b")!, workload: .fixed(input: 7936, output: 256),
                topologyName: "fixture")
            (experiment.batch, experiment.iterations, experiment.maxSequence) = (8, 10, 8192)
            var simulator = try Simulator(
                experiment, policy: Policy(name: "npu+pim+drb+fused+bulk")!, costs: LocalCostService(devices: devices))
            return try simulator.run()
        }
        let spanning = try run(channelBytes: 1 << 30)
        let whole = try run(channelBytes: 4 << 30)
        #expect(spanning.tokens == 80 && whole.tokens == 80)
        func channelTimePerToken(_ report: RunReport) -> Double {
            report.paperUtilization.first { $0.id == "pim0" }!.value * Double(report.simulatedPicoseconds)
                / Double(report.tokens)
        }
        #expect(abs(channelTimePerToken(spanning) / channelTimePerToken(whole) - 1) < 0.05)
        #expect(spanning.tokensPerSecond > whole.tokensPerSecond)
    }

    /// A multi-query model (one KV head) cannot split heads: its tokens split, and the NPU merges the parts.
    @Test func oneKeyValueHeadSplitsTokens() throws {
        var model = ModelPresets.named("llama-3-8b")!
        model.keyValueHeads = 1
        var pim = PIMConfiguration.neupims(rowBuffers: .dual)
        pim.memory.channelCapacityBytes = 600 << 20
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(pim)),
        ]
        var experiment = Experiment(
            devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]), model: model,
            workload: .fixed(input: 60_000, output: 64), topologyName: "fixture")
        (experiment.batch, experiment.iterations, experiment.maxSequence) = (2, 4, 65_536)
        var simulator = try Simulator(experiment, policy: .neupims, costs: LocalCostService(devices: devices))
        #expect(simulator.keyValueSpans == [1, 2, 4, 8, 16, 32])
        let report = try simulator.run()
        #expect(report.tokens == 8)
    }
}
