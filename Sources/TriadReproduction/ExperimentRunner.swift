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
        iterations: Int, seed: UInt64, attentionMapping: NPUConfiguration.AttentionMapping = .fastest
    ) throws -> ExperimentRunner {
        var npu = NPUConfiguration.neupims
        npu.attentionMapping = attentionMapping
        return try ExperimentRunner(
            devices: [
                DeviceDescription(id: "npu0", configuration: .npu(npu)),
                DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
            ], links: [("npu0", "pim0")], iterations: iterations, seed: seed)
    }

    /// The experiment of one point.
    func experiment(model: ModelSpec, stream: RequestStream, batch: Int) -> Experiment {
        var experiment = Experiment(devices: deviceSet, model: model, workload: stream, topologyName: "reproduce")
        experiment.batch = batch
        experiment.iterations = iterations
        experiment.seed = seed
        return experiment
    }

    /// One point; with `communication`, the devices' links as a multi-group topology would cost them.
    public func run(
        model: ModelSpec, stream: RequestStream, batch: Int, policy: Policy, communication: CommunicationPlan? = nil
    ) throws -> RunReport {
        var experiment = experiment(model: model, stream: stream, batch: batch)
        experiment.communication = communication
        return try experiment.run([policy], costs: costs).reports[0]
    }

    /// The link the reproduction's multi-device points assume: 300 GB/s per direction, 1 µs per message (an
    /// NVLink-3-class link; the NeuPIMs paper gives none — Topologies/neupims-tp4.yaml uses the same).
    public static let assumedLink = LinkProperties(bandwidthBytesPerSecond: 300_000_000_000, latency: 1_000_000)

    /// One decode step of one layer over `batch`, staged as the NeuPIMs simulator stages it.
    public func snapshot(model: ModelSpec, batch: BundledBatches.Batch, policy: Policy) throws -> SnapshotReport {
        try experiment(model: model, stream: .fixed(input: 0, output: 1), batch: batch.entries.count)
            .snapshot(batch.entries, trace: batch.name, policies: [policy], costs: costs)[0]
    }

    /// A bundled data set as a request stream.
    public static func dataset(_ name: String) throws -> RequestStream {
        guard let distribution = try BundledDatasets.distribution(named: name) else {
            throw SimulationError(.incompatible, "no bundled data set \(name)")
        }
        return .sampled(distribution)
    }
}
