import Testing
import TriadCore
import TriadDevices
@testable import TriadScheduling

/// Mixture-of-Experts models (docs/MODEL.md §12): their weights, their routing, and one decode step by hand.
struct MixtureOfExpertsTests {
    /// Mixtral 8x7B's weights in memory are its published 46.7 B parameters × 2 bytes, summed here from its
    /// config.json by hand: per layer Q and O (2 × 4096²), K and V (2 × 4096 × 1024), 8 experts of 3 × 4096 × 14,336
    /// and the 4096 × 8 router, over 32 layers, plus the untied embedding and LM head (2 × 32,000 × 4096).
    @Test func everyExpertsWeightsAreInMemory() throws {
        var model = ModelPresets.named("mixtral-8x7b")!
        model.tensorParallel = 1
        var experiment = Experiment(
            devices: try Fixtures.npuWithMemory(channelBytes: 1 << 40), model: model, workload: .fixed(input: 8, output: 8))
        experiment.batch = 1
        let ledger = try Simulator(experiment, policy: .npuOnly).makeLedger()!
        let channels = Int64(MemoryConfiguration.neupimsHBM2.channels)
        let weights = (1 << 40) * channels - ledger.totalCapacityBytes
        let perLayer: Int64 = 2 * 4096 * 4096 + 2 * 4096 * 1024 + 8 * 3 * 4096 * 14_336 + 4096 * 8
        let parameters = 32 * perLayer + 2 * 32_000 * 4096
        #expect(parameters == 46_702_526_464)
        #expect(weights == 2 * parameters)
    }

    /// Uniform routing gives each of 64 experts k/E of the assignments (within 4 σ over 20,000 tokens, top-6), every
    /// token k distinct experts; a skew of 1 with top-1 gives expert shares of 1/(i+1) over H₈ (within 3 %).
    @Test func routingFollowsItsPopularity() throws {
        let uniform = ExpertRouting(
            MixtureOfExperts(experts: 64, perToken: 6, expertIntermediate: 1), skew: 0, seed: 7)
        var counts = Array(repeating: 0, count: 64)
        var chosen: [Int] = []
        for token in 0..<20_000 {
            let before = counts.reduce(0, +)
            uniform.route(request: token, position: 3, layer: 5, into: &counts, chosen: &chosen)
            #expect(counts.reduce(0, +) == before + 6 && Set(chosen).count == 6)
        }
        let mean = 20_000.0 * 6 / 64
        for count in counts { #expect(abs(Double(count) - mean) < 4 * mean.squareRoot(), "\(count) vs \(mean)") }
        let skewed = ExpertRouting(MixtureOfExperts(experts: 8, perToken: 1, expertIntermediate: 1), skew: 1, seed: 7)
        var zipf = Array(repeating: 0, count: 8)
        for token in 0..<200_000 { skewed.route(request: token, position: 0, layer: 0, into: &zipf, chosen: &chosen) }
        let harmonic = (1...8).reduce(0.0) { $0 + 1 / Double($1) }
        for (expert, count) in zipf.enumerated() {
            let expected = 200_000 / (Double(expert + 1) * harmonic)
            #expect(abs(Double(count) / expected - 1) < 0.03, "expert \(expert): \(count) vs \(expected)")
        }
    }

    /// One decode step of one request on Mixtral (NPU only), summed by hand from the device's own operation costs:
    /// per layer the norm and QKV, the request's attention over its 101 tokens, the projection and add, the norm and
    /// router, its two experts with one token each (every expert has the same shape) and the add; then the head.
    @Test func oneTokenStepIsTheHandSum() throws {
        var model = ModelPresets.named("mixtral-8x7b")!
        model.tensorParallel = 1
        let devices = try Fixtures.npuWithMemory(channelBytes: 1 << 40)
        var experiment = Experiment(
            devices: devices, model: model,
            workload: .trace(name: "one", requests: [Request(id: 0, inputTokens: 100, outputTokens: 50)]))
        experiment.batch = 1
        experiment.iterations = 1
        let report = try experiment.run([.npuOnly]).reports[0]
        let shard = ModelShard(model)
        let template = LayerTemplate(shard: shard, rows: 1)
        let attention = LayerTemplate.attention(shard: shard, sequenceLength: 101)
        let layer =
            template.beforeAttention + [attention.logits, attention.attend, attention.softmax]
            + template.afterAttention.prefix(template.feedForwardStart) + LayerTemplate.mixtureCommon(shard: shard, rows: 1)
            + LayerTemplate.expert(shard: shard, rows: 1) + LayerTemplate.expert(shard: shard, rows: 1)
            + [Operation(kind: .residualAdd, rows: 1, inner: 4096)]
        let head = LayerTemplate.head(shard: shard, rows: 1)
        let costs = try LocalCostService(devices: devices.devices).costs([
            CostRequest(deviceID: "npu0", iteration: 0, operations: layer + head)
        ])[0]
        let perLayer = costs.prefix(layer.count).reduce(Picoseconds(0)) { $0 + $1.duration }
        let expected = 32 * perLayer + costs.suffix(head.count).reduce(0) { $0 + $1.duration }
        #expect(report.simulatedPicoseconds == expected, "\(report.simulatedPicoseconds) vs \(expected)")
    }

    /// Data-parallel attention with expert parallelism over two ranks (docs/MODEL.md §12.4), Mixtral, two requests
    /// routed by a trace: token 0 (rank 0) to experts 0 and 1, token 1 (rank 1) to experts 0 and 2; expert e lives on
    /// rank e mod 2. Each rank sends one 4096 × 2 B vector and receives one per layer, so each of the 32 layers pays
    /// dispatch and combine of 2 µs + 8,192 B / 100 GB/s (81,920 ps) each. Each rank holds the whole attention and
    /// head and four experts.
    @Test func dataParallelAttentionExchangesTokensByHand() throws {
        var model = ModelPresets.named("mixtral-8x7b")!
        model.tensorParallel = 2
        model.expertParallel = true
        model.dataParallelAttention = true
        var experiment = Experiment(
            devices: try Fixtures.npuWithMemory(channelBytes: 1 << 40), model: model,
            workload: .fixed(input: 100, output: 50))
        experiment.batch = 2
        experiment.iterations = 1
        experiment.routingTrace = RoutingTrace(layers: [[[0, 1], [0, 2]]], experts: 8)
        let link = LinkProperties(bandwidthBytesPerSecond: 100_000_000_000, latency: 2_000_000)
        experiment.communication = CommunicationPlan(
            tensorRanks: 2, tensorLink: link, pipelineStages: 1, pipelineLink: nil)
        let report = try experiment.run([.npuOnly]).reports[0]
        let communication = Double(report.simulatedPicoseconds) * report.communicationFraction
        #expect(abs(communication - 32 * 2 * 2_081_920) < 2, "\(communication)")
        #expect(report.tensorParallelBytes == 32 * 2 * 8192)
        #expect(report.parallelism == "TP2×PP1 EP, DP attention")

        let ledger = try Simulator(experiment, policy: .npuOnly).makeLedger()!
        let channels = Int64(MemoryConfiguration.neupimsHBM2.channels)
        let weights = (1 << 40) * channels - ledger.totalCapacityBytes
        let perLayer: Int64 = 2 * 4096 * 4096 + 2 * 4096 * 1024 + 4 * 3 * 4096 * 14_336 + 4096 * 8
        #expect(weights == 2 * (32 * perLayer + 2 * 32_000 * 4096))
    }
}
