import TriadCore
import TriadDevices
@testable import TriadScheduling

/// Device sets built from the documented presets, so scheduling tests need no files.
enum Fixtures {
    /// The NeuPIMs NPU with plain HBM2 whose channels hold `channelBytes` each.
    static func npuWithMemory(channelBytes: Int64) throws -> DeviceSet {
        var memory = MemoryConfiguration.neupimsHBM2
        memory.channelCapacityBytes = channelBytes
        return try DeviceSet(
            devices: [
                DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
                DeviceDescription(id: "hbm0", configuration: .hbm(memory)),
            ], links: [("npu0", "hbm0")])
    }

    /// `experiment` on `npuWithMemory` sized to hold its model's weights (under `npu-only`) and `tokens` tokens of
    /// KV cache besides: the weights' share of a channel comes from a ledger over a huge memory.
    static func withKVRoom(_ experiment: Experiment, tokens: Int64) throws -> Experiment {
        var sized = experiment
        sized.devices = try npuWithMemory(channelBytes: 1 << 40)
        let probe = try Simulator(sized, policy: .npuOnly)
        let channels = Int64(MemoryConfiguration.neupimsHBM2.channels)
        let weightsPerChannel = (1 << 40) - (try probe.makeLedger()!.capacityPerChannel / channels)
        let room = tokens * probe.keyValueBytesPerToken
        sized.devices = try npuWithMemory(channelBytes: weightsPerChannel + room.ceilDiv(channels))
        return sized
    }

    static func neupims(rowBuffers: PIMConfiguration.RowBuffers = .dual) throws -> (DeviceSet, LocalCostService) {
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: rowBuffers))),
        ]
        return (
            try DeviceSet(devices: devices, links: [("npu0", "pim0")]), LocalCostService(devices: devices)
        )
    }

    static let uniformLengths = LengthDistribution(
        name: "uniform", pairs: (1...40).map { (input: $0 * 20, output: $0 * 15, count: 1) })

    static func run(
        _ policy: Policy, batch: Int = 64, iterations: Int = 20, seed: UInt64 = 1,
        stream: RequestStream = .sampled(uniformLengths), model: String = "gpt3-7b",
        rowBuffers: PIMConfiguration.RowBuffers = .dual
    ) throws -> RunReport {
        let (devices, costs) = try neupims(rowBuffers: rowBuffers)
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named(model)!, workload: stream, topologyName: "fixture")
        (experiment.batch, experiment.iterations, experiment.seed) = (batch, iterations, seed)
        var simulator = try Simulator(experiment, policy: policy, costs: costs)
        return try simulator.run()
    }
}
