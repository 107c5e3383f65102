public import TriadCore
import TriadDevices

/// One study: a device group, a model and a workload with the run's parameters, run under any number of
/// policies — what `triad run`, `compare`, `up`, `coordinator`, `sweep`, `bench` and `reproduce` all do, as a
/// library call. It is the one parameter set of a run: every path builds one (its ranges in `Limits`) and the
/// simulator reads it as it is.
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
    /// Requests decoded together (continuous batching keeps the batch full).
    public var batch = 256
    /// Decode iterations to simulate.
    public var iterations = 200
    /// Seed of request sampling and arrivals.
    public var seed: UInt64 = 1
    /// Longest sequence (prompt + output) a request may reach; NeuPIMs caps at 2048.
    public var maxSequence = 2048
    /// Iterations simulated before measuring starts (a trace's first batch fills up in these).
    public var warmupIterations = 0
    /// Whether costs learnt once are reused (identical results; off asks the cost service every iteration).
    public var reusesCosts = true
    /// Iterations whose Perfetto timeline each run keeps (0: none).
    public var timelineIterations = 0
    /// Communication between the groups of a multi-group topology (nil: one group stands for every replica and
    /// communication is not modelled).
    public var communication: CommunicationPlan?
    /// Every device of a multi-group topology and the simulated group's device it mirrors (nil: only the simulated
    /// group's devices are reported, each standing for TP × PP replicas).
    public var mirrors: [(device: String, mirrors: String?)]?
    /// A pipeline whose stages differ in hardware or policy, simulated stage by stage (nil: `devices` stands for
    /// every group).
    public var stages: [PipelineStage]?
    /// Prefill, arrivals and SLOs (default: the decode-only mode).
    public var serving = ServingOptions()
    /// Copies of the whole topology serving one arrival stream, and how arrivals are spread over them
    /// (docs/MODEL.md §9.3; more than one needs arrivals: a rate or a trace).
    public var replicas = 1
    public var router = Router.roundRobin
    /// Whether each replica's devices are workers of their own (`ReplicaCostService`; `triad up`, `coordinator`),
    /// rather than every replica asking the topology's workers.
    public var replicaWorkers = false
    /// Mixture of experts: the routing's popularity skew (Zipf exponent; 0 routes uniformly; docs/MODEL.md §12.2).
    public var expertSkew = 0.0
    /// Expert choices given instead of drawn (`--routing`).
    public var routingTrace: RoutingTrace?
    /// Groups that only prefill, and the link to the decode devices (nil: prompts are prefilled where they decode).
    public var prefillPool: PrefillPool?
    /// An iteration time that replaces the simulated one (nil: the devices' own; `LinearIterationCost`).
    public var iterationCost: LinearIterationCost?
    /// What the `auto` policy optimizes at each review, and the TPOT (one iteration of the batch) it must meet when
    /// it can, milliseconds (nil: no bound).
    public var objective = PlanObjective.throughput
    public var tpotBoundMilliseconds: Double?
    /// The tensor × pipeline splits of this topology the `auto` policy chooses among (each the whole run at that
    /// split); empty: `auto` keeps this experiment's split.
    public var autoSplits: [AutoSplit] = []

    /// One split `auto` may run.
    public struct AutoSplit: Sendable {
        public var tensorParallel: Int
        public var pipelineParallel: Int
        public var experiment: Experiment

        public init(tensorParallel: Int, pipelineParallel: Int, experiment: Experiment) {
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.experiment = experiment
        }
    }

    public init(devices: DeviceSet, model: ModelSpec, workload: RequestStream, topologyName: String = "topology") {
        self.devices = devices
        self.model = model
        self.workload = workload
        self.topologyName = topologyName
    }

    /// What a run of several policies gives: a report per policy and, when traced, each one's timeline.
    public struct Outcome: Sendable {
        public var reports: [RunReport]
        public var timelines: [(policy: String, events: [TimelineEvent])]
    }

    /// Runs `policies` one after another, costing through `costs` (the devices' models in this process
    /// unless given).
    public func run(_ policies: [Policy], costs: (any CostService)? = nil) throws -> Outcome {
        if replicaWorkers && replicas > 1, let costs, !(costs is ReplicaCostService) {
            // Each replica asks its own workers.
            let ids = Set((stages?.flatMap(\.devices.devices) ?? devices.devices).map(\.id))
            return try run(policies, costs: ReplicaCostService(base: costs, replicatedDevices: ids))
        }
        guard replicas == 1 || serving.arrivalRate != nil || workload.isFinite else {
            throw SimulationError(
                .incompatible,
                "\(replicas) replicas need arrivals to route: give an --arrival-rate or a trace (a closed loop keeps each replica's batch full on its own)"
            )
        }
        if model.weightFormat == .fp8 {
            // LUT Tensor Core takes integer weights as bit planes; an FP8 weight is not a sum of them.
            for device in stages?.flatMap(\.devices.devices) ?? devices.devices {
                if case .npu(let npu) = device.configuration, npu.lowBitGEMM == .lookupTables {
                    throw SimulationError(
                        .incompatible,
                        "FP8 weights on \(device.id)'s LUT units (low_bit_gemm: lut) are not yet modelled: LUT Tensor Core takes integer weights",
                        device: device.id)
                }
            }
        }
        if model.dataParallelAttention && model.tensorParallel > 1 {
            // A rank's requests with every head cost as every request with its heads only when the heads split evenly.
            let ranks = model.tensorParallel
            guard model.attentionHeads % ranks == 0, model.keyValueHeads % ranks == 0 else {
                throw SimulationError(
                    .incompatible,
                    "data-parallel attention over \(ranks) ranks needs attention and KV heads divisible by \(ranks) (\(model.name) has \(model.attentionHeads) and \(model.keyValueHeads)): not yet modelled"
                )
            }
        }
        if let draft = serving.speculation?.draft {
            // The draft model runs on the target's devices, split over the same tensor-parallel ranks.
            guard model.pipelineParallel == 1, stages == nil else {
                throw SimulationError(
                    .incompatible, "a draft model with pipeline parallelism is not yet built (its place in the pipeline)")
            }
            guard !policies.contains(where: \.isAuto) else {
                throw SimulationError(.incompatible, "a draft model under --policy auto is not yet built")
            }
            let ranks = model.tensorParallel
            guard draft.attentionHeads % ranks == 0,
                draft.keyValueHeads % ranks == 0 || ranks % draft.keyValueHeads == 0
            else {
                throw SimulationError(
                    .incompatible,
                    "the draft model \(draft.name)'s \(draft.attentionHeads) attention heads do not split over \(model.name)'s \(ranks) tensor-parallel ranks"
                )
            }
            if draft.tensorParallel != ranks || draft.pipelineParallel != 1 {
                var aligned = self
                aligned.serving.speculation!.draft!.tensorParallel = ranks
                aligned.serving.speculation!.draft!.pipelineParallel = 1
                return try aligned.run(policies, costs: costs)
            }
        }
        if serving.sessions != nil {
            guard serving.arrivalRate != nil, !workload.isFinite else {
                throw SimulationError(
                    .incompatible,
                    "--sessions draws conversations from a length distribution at an --arrival-rate (a trace's sessions come from its session_id column)"
                )
            }
        }
        if serving.sharedPrefix != nil && workload.hasSessions {
            throw SimulationError(
                .incompatible,
                "--shared-prefix would lengthen the first turns of the trace's sessions but not the histories its later turns carry: drop one"
            )
        }
        if serving.cachesPrefixes {
            guard serving.sharedPrefix != nil || serving.sessions != nil || workload.hasPrefixes,
                serving.prefill != .none
            else {
                throw SimulationError(
                    .incompatible,
                    "a prefix cache needs prefixes to share (--shared-prefix N:K, --sessions T:THINK or a trace with session_id) and a --prefill mode"
                )
            }
            guard prefillPool == nil else {
                throw SimulationError(
                    .incompatible,
                    "a prefix cache with prefill groups is not yet built (the prefill instances would have to keep it)")
            }
        }
        if prefillPool != nil {
            guard serving.arrivalRate != nil || workload.isFinite else {
                throw SimulationError(
                    .incompatible,
                    "prefill groups (role: prefill) serve arrivals: give an --arrival-rate or a trace")
            }
        }
        if replicas > 1 || prefillPool != nil {
            // The replicas' requests are merged into the report's serving figures.
            var replicated = self
            replicated.serving.recordsRequests = true
            var outcome = try replicated.runEach(policies, costs: costs)
            if !serving.recordsRequests {
                for index in outcome.reports.indices { outcome.reports[index].requestRecords = [] }
            }
            for index in outcome.reports.indices { outcome.reports[index].router = router.rawValue }
            return outcome
        }
        return try runEach(policies, costs: costs)
    }

    private func runEach(_ policies: [Policy], costs: (any CostService)?) throws -> Outcome {
        let service =
            costs
            ?? LocalCostService(
                devices: (stages?.flatMap(\.devices.devices) ?? devices.devices) + (prefillPool?.devices ?? []))
        var outcome = Outcome(reports: [], timelines: [])
        for policy in policies {
            if policy.isAuto && stages == nil {
                let auto = try runAuto(costs: service)
                outcome.reports.append(auto.report)
                outcome.timelines.append((policy.name, auto.events))
                continue
            }
            if let stages {
                let staged = try runStaged(policy, stages: stages, costs: service)
                outcome.reports.append(staged.report)
                outcome.timelines.append((policy.name, staged.events))
                continue
            }
            var simulator = try Simulator(self, policy: policy, costs: service)
            outcome.reports.append(try simulator.run())
            outcome.timelines.append((policy.name, simulator.timeline))
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
            var simulator = try Simulator(staged, policy: policy, costs: service)
            return try simulator.snapshot(batch, trace: trace)
        }
    }
}
