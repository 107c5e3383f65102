public import TriadCore
import TriadDevices

/// One study: a device group, a model and a workload, run under any number of policies — what `triad run`,
/// `compare`, `up`, `coordinator`, `bench` and `reproduce` all do, as a library call.
///
/// ```swift
/// let experiment = Experiment(devices: try DeviceSet(devices: …, links: …), model: ModelPresets.named("gpt3-7b")!,
///                             workload: .fixed(input: 80, output: 296))
/// let outcome = try experiment.run([.npuOnly, .neupims])          // in this process
/// let remote = try experiment.run([.neupims], costs: ClusterCostService(coordinator: coordinator))
/// ```
public struct Experiment: Sendable {
    public var devices: DeviceSet
    public var model: ModelSpec
    public var workload: RequestStream
    /// Name of the device group in reports.
    public var topologyName: String
    public var batch = 256
    public var iterations = 200
    public var seed: UInt64 = 1
    public var maxSequence = 2048
    public var warmupIterations = 0
    /// Whether costs learnt once are reused (identical results; off asks the cost service every iteration).
    public var reusesCosts = true
    /// Iterations whose timeline each run keeps (0: none).
    public var traceIterations = 0
    /// Links between the groups of a multi-group topology (see `SimulationConfiguration.communication`).
    public var communication: CommunicationPlan?
    /// Every device of a multi-group topology and the simulated device it mirrors.
    public var mirrors: [(device: String, mirrors: String?)]?
    /// A pipeline whose stages differ in hardware or policy, simulated stage by stage (nil: `devices` stands for
    /// every group).
    public var stages: [PipelineStage]?
    /// Prefill, arrivals and SLOs (default: the decode-only mode).
    public var serving = ServingOptions()

    public init(devices: DeviceSet, model: ModelSpec, workload: RequestStream, topologyName: String = "topology") {
        self.devices = devices
        self.model = model
        self.workload = workload
        self.topologyName = topologyName
    }

    /// What a run of several policies gives: a report per policy and, when traced, each one's timeline.
    public struct Outcome: Sendable {
        public var reports: [RunReport]
        public var traces: [(policy: String, events: [TraceEvent])]
    }

    /// The simulation configuration of one policy.
    public func configuration(for policy: Policy) -> SimulationConfiguration {
        var configuration = SimulationConfiguration(
            model: model, stream: workload, batchSize: batch, iterations: iterations, seed: seed, policy: policy,
            maxSequence: maxSequence, topologyName: topologyName)
        configuration.reusesCosts = reusesCosts
        configuration.warmupIterations = warmupIterations
        configuration.traceIterations = traceIterations
        configuration.communication = communication
        configuration.mirrors = mirrors
        configuration.serving = serving
        return configuration
    }

    /// Runs `policies` one after another, costing through `costs` (the devices' models in this process
    /// unless given).
    public func run(_ policies: [Policy], costs: (any CostService)? = nil) throws -> Outcome {
        let service = costs ?? LocalCostService(devices: stages?.flatMap(\.devices.devices) ?? devices.devices)
        var outcome = Outcome(reports: [], traces: [])
        for policy in policies {
            if let stages {
                let staged = try runStaged(policy, stages: stages, costs: service)
                outcome.reports.append(staged.report)
                outcome.traces.append((policy.name, staged.events))
                continue
            }
            var simulator = try Simulator(configuration: configuration(for: policy), devices: devices, costs: service)
            outcome.reports.append(try simulator.run())
            outcome.traces.append((policy.name, simulator.trace))
        }
        return outcome
    }

    /// One decode step of one layer over `batch` under each of `policies`, staged as the NeuPIMs simulator
    /// stages it (`Simulator.snapshot`); `trace` names the batch in the reports.
    public func snapshot(_ batch: [BatchEntry], trace: String, policies: [Policy], costs: (any CostService)? = nil)
        throws -> [SnapshotReport]
    {
        let service = costs ?? LocalCostService(devices: devices.devices)
        var staged = self
        staged.batch = max(1, batch.count)
        staged.iterations = 1
        staged.maxSequence = max(batch.map(\.sequenceLength).max() ?? 2, 2)
        staged.model.pipelineParallel = 1
        return try policies.map { policy in
            var simulator = try Simulator(configuration: staged.configuration(for: policy), devices: devices, costs: service)
            return try simulator.snapshot(batch, trace: trace)
        }
    }
}
