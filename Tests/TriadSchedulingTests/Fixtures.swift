import TriadCore
import TriadDevices
import TriadScheduling

/// Device sets built from the documented presets, so scheduling tests need no files.
enum Fixtures {
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
