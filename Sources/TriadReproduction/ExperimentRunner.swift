public import TriadCore
public import TriadDevices
public import TriadScheduling
public import TriadDatasets

/// Runs one simulation point of a reproduction on a fixed device group.
public struct ExperimentRunner: Sendable {
    public let devices: [DeviceDescription]
    public let links: [(String, String)]
    public let iterations: Int
    public let seed: UInt64
    let deviceSet: DeviceSet
    let costs: LocalCostService

    public init(devices: [DeviceDescription], links: [(String, String)], iterations: Int, seed: UInt64) throws {
        self.devices = devices
        self.links = links
        self.iterations = iterations
        self.seed = seed
        deviceSet = try DeviceSet(devices: devices, links: links)
        costs = LocalCostService(devices: devices)
    }

    /// The NeuPIMs hardware: the simulator's NPU and a dual-row-buffer HBM2-PIM (policies that assume less
    /// drive it as such).
    public static func neupims(
        iterations: Int, seed: UInt64, attentionMapping: NPUConfiguration.AttentionMapping = .vectorUnits
    ) throws -> ExperimentRunner {
        var npu = NPUConfiguration.neupims
        npu.attentionMapping = attentionMapping
        return try ExperimentRunner(
            devices: [
                DeviceDescription(id: "npu0", configuration: .npu(npu)),
                DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
            ], links: [("npu0", "pim0")], iterations: iterations, seed: seed)
    }

    public func run(model: ModelSpec, stream: RequestStream, batch: Int, policy: Policy) throws -> RunReport {
        let configuration = SimulationConfiguration(
            model: model, stream: stream, batchSize: batch, iterations: iterations, seed: seed, policy: policy,
            topologyName: "reproduce")
        var simulator = try Simulator(configuration: configuration, devices: deviceSet, costs: costs)
        return try simulator.run()
    }

    /// One decode step of one layer over `batch`, staged as the NeuPIMs simulator stages it.
    public func snapshot(model: ModelSpec, batch: BundledBatches.Batch, policy: Policy) throws -> SnapshotReport {
        let longest = batch.entries.map(\.sequenceLength).max() ?? 2
        let configuration = SimulationConfiguration(
            model: model, stream: .fixed(input: 0, output: 1), batchSize: batch.entries.count, iterations: 1,
            seed: seed, policy: policy, maxSequence: max(longest, 2), topologyName: "reproduce")
        var simulator = try Simulator(configuration: configuration, devices: deviceSet, costs: costs)
        return try simulator.snapshot(batch.entries, trace: batch.name)
    }

    /// A bundled data set as a request stream.
    public static func dataset(_ name: String) throws -> RequestStream {
        guard let distribution = try BundledDatasets.distribution(named: name) else {
            throw SimulationError(.incompatible, "no bundled data set \(name)")
        }
        return .sampled(distribution)
    }
}
