import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Today's models on the NeuPIMs hardware: grouped-query attention and KV capacity (docs/MODEL.md §1.6, §2.7,
/// §3.1).
@Suite struct GroupedQueryAttentionTests {
    /// The NeuPIMs NPU and its 32-channel stack, the stack as a PIM or as plain HBM, with the NPU's attention
    /// mapping as given.
    static func devices(plainMemory: Bool = false, mapping: NPUConfiguration.AttentionMapping = .fastest) throws
        -> (DeviceSet, LocalCostService)
    {
        var npu = NPUConfiguration.neupims
        npu.attentionMapping = mapping
        let memory: DeviceConfiguration =
            plainMemory ? .hbm(PIMConfiguration.neupims(rowBuffers: .dual).memory) : .pim(.neupims(rowBuffers: .dual))
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(npu)),
            DeviceDescription(id: "mem0", configuration: memory),
        ]
        return (try DeviceSet(devices: devices, links: [("npu0", "mem0")]), LocalCostService(devices: devices))
    }

    static func simulator(
        model: String = "llama-3-8b", policy: Policy = .npuOnly, plainMemory: Bool = true,
        mapping: NPUConfiguration.AttentionMapping = .fastest,
        workload: RequestStream = .fixed(input: 3072, output: 256),
        maxSequence: Int = 8192, batch: Int = 32
    ) throws -> Simulator {
        let (devices, costs) = try Self.devices(plainMemory: plainMemory, mapping: mapping)
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named(model)!, workload: workload, topologyName: "fixture")
        (experiment.batch, experiment.iterations, experiment.seed, experiment.maxSequence) = (batch, 20, 1, maxSequence)
        return try Simulator(experiment, policy: policy, costs: costs)
    }

    /// Llama-3-8B, batch 32 at 3–3.6K tokens, NPU-only: the attention stage streams K and V at ≥ 85 % of the
    /// sustained bandwidth on the arrays (and on `fastest`, the default), below half of it on the vector units,
    /// which spend 4 × the MHA MACs on the group's query heads.
    @Test func npuOnlyGroupedAttentionIsStreamBound() throws {
        let batch = (0..<32).map { BatchEntry(sequenceLength: 3072 + 16 * $0, channel: $0) }
        let keyValueBytes = batch.reduce(Int64(0)) { $0 + Int64($1.sequenceLength) } * 2 * 8 * 128 * 2
        let sustained = NPUConfiguration.neupims.sustainedBytesPerCycle
        func share(_ mapping: NPUConfiguration.AttentionMapping) throws -> Double {
            var simulator = try Self.simulator(mapping: mapping)
            let report = try simulator.snapshot(batch, trace: "fixture")
            let attention = try #require(report.cycles(ofStage: "B"))
            return Double(keyValueBytes) / Double(attention) / sustained
        }
        let arrays = try share(.systolicArrays)
        #expect(arrays >= 0.85 && arrays <= 1)
        #expect(try share(.fastest) == arrays)
        #expect(try share(.vectorUnits) < 0.5)
    }

    /// Llama-3-8B at its native 8K context on plain HBM: 1 GiB of KV per request, more than a channel holds after
    /// the weights (0.55 GB), runs NPU-only because attention on the NPU stripes KV over every channel.
    @Test func longContextsStripeOverThePlainStack() throws {
        var simulator = try Self.simulator(workload: .fixed(input: 7936, output: 256), batch: 16)
        let report = try simulator.run()
        // 16 GiB of KV in the 18.3 GB the weights leave: every request admitted, no channel packing lost.
        #expect(report.tokens == 20 * 16)
        #expect(report.kvOccupancyPeak > 0.9 && report.kvLimitedFraction == 0)
    }

    /// Capacity follows the workload's real lengths, not --max-sequence: a 128K limit with 2K requests runs.
    @Test func capacityFollowsTheWorkloadsLengths() throws {
        var simulator = try Self.simulator(
            policy: .neupims, plainMemory: false, workload: .fixed(input: 1792, output: 256), maxSequence: 131_072,
            batch: 4)
        #expect(try simulator.run().tokens == 20 * 4)
    }

    /// Llama 3's embedding table is not the LM head's: counted, it takes 1 GB of KV room.
    @Test func untiedEmbeddingsCountAgainstMemory() throws {
        var tied = ModelPresets.named("llama-3-8b")!
        tied.tiedEmbeddings = true
        let (devices, costs) = try Self.devices(plainMemory: true)
        func occupancy(_ model: ModelSpec) throws -> Double {
            var experiment = Experiment(
                devices: devices, model: model, workload: .fixed(input: 4000, output: 96), topologyName: "fixture")
            (experiment.batch, experiment.iterations, experiment.maxSequence) = (8, 4, 8192)
            var simulator = try Simulator(experiment, policy: .npuOnly, costs: costs)
            return try simulator.run().kvOccupancyPeak
        }
        let withTable = try occupancy(ModelPresets.named("llama-3-8b")!)
        let without = try occupancy(tied)
        // The same reservations over 32 channels of 1 GiB less the weights: 15,009,316,864 B with the table tied,
        // 16,059,990,016 B with its own 128,256 × 4,096 × 2 B.
        let pools = [Int64(15_009_316_864), 16_059_990_016].map { Double(32 * ((1 << 30) - $0.ceilDiv(32))) }
        #expect(abs(withTable / without - pools[0] / pools[1]) < 1e-9)
    }
}
