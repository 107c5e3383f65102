import TriadCore
import TriadDevices

/// Runs batched decoding of a model on a device set under a policy and measures it.
///
/// The driver owns simulated time: a deterministic event queue orders iteration starts and ends (and
/// trace arrivals); each iteration's operations are costed by the device workers (one batch per worker,
/// each distinct operation once, and never again once known) and composed into a timeline by
/// `TimelineComposer`. Continuous batching: a finished request is replaced at once by the next.
public struct Simulator {
    /// The run's parameters (one pipeline stage's, when the stages are simulated one by one).
    public let experiment: Experiment
    /// The policy simulated.
    public let policy: Policy
    /// Layers this simulation's pipeline stage holds (nil: an even split of the model over its pipeline stages)
    /// and whether it runs the final norm and LM head (the last stage does; an even split simulates the last).
    public let stageLayers: Int?
    public let runsHead: Bool
    public let devices: DeviceSet
    public let plan: ExecutionPlan
    let shard: ModelShard
    /// The device id serving each `DeviceKind.rawValue`, if any.
    let deviceIDs: [String?]
    var composer: TimelineComposer
    let costService: any CostService
    /// The Perfetto timeline of the first `experiment.timelineIterations` iterations.
    public internal(set) var timeline: [TimelineEvent] = []

    var layerCache: [Int: LayerSegments] = [:]
    /// Prefill chunk costs by (tokens, context, finishes) (`prefillCost`).
    var prefillCache: [Int: PrefillCost] = [:]
    /// One layer's attention of a prompt chunk batched with decodes, by (tokens, context) (`promptChunks`).
    var promptAttentionCache: [Int: Segment] = [:]
    var attentionCache: [AttentionCost?]
    /// `attentionCache` packed for the attention pass (`PIMAttentionEntry`); every write to the cache updates it.
    var pimAttention: [PIMAttentionEntry]
    /// One channel's part of the attention of a request spanning channels, by `spannedKey(span:sequence:)`.
    var spannedAttentionCache: [Int: AttentionCost] = [:]
    /// Sequence lengths beyond a missing one that are costed with it.
    static let attentionLookahead = 31
    /// (Sub-)batch sizes on either side of a missing one that are costed with it.
    static let rowsWindow = 8
    /// NeuPIMs' attention-load estimate by sequence length (for greedy placement).
    let loadEstimate: [Int64]
    /// Mixture of experts: the routing, the costs of its operations by shape, and scratch for the routing counts.
    let routing: ExpertRouting?
    var mixtureParts: [Int: [(Operation, OperationCost)]] = [:]
    var routingCounts: [Int] = []
    var routingChosen: [Int] = []
    /// The iteration's routing: k experts per token per MoE layer (`routeIteration`).
    var routingChoices: [Int] = []
    /// Whether an iteration takes its exact shortcuts — the attention pass's specialised paths for PIM attention
    /// (`addPIMRequests`, `addPIMRequestsOfOneStage`) and skipping the whole batch's composition when its serial lower
    /// bound already loses to the split (`serialLowerBound`); on by default, off to check that they change nothing.
    public var usesFastPaths = true
    /// Storage the iteration reuses (nothing is allocated in the steady state): the attention pass's sums and its
    /// result per way of splitting the batch (`attentionForPartitions`).
    var attentionScratch = AttentionSums()
    var attentionResults: [BatchAttention] = []
    /// The chains of one stage being composed (`composeIteration`).
    var chainScratch: [ChainProgram] = []
    /// The ways the batch may split this iteration (`prepareDecoding`), and their (sub-)batch sizes.
    var partitionScratch: [Partition] = []
    var rowCountScratch: [Int] = []
    /// Per (stage, channel) counts of the batch and of the requests seen so far (`countGroups`, `assignGroups`).
    var groupCountScratch: [Int] = []
    var groupScratch: [Int] = []

    /// A simulator of `experiment` under `policy` on `devices` (the experiment's, unless a pipeline stage's own),
    /// costing operations through `costs` (in this process unless given).
    public init(
        _ experiment: Experiment, policy: Policy, devices: DeviceSet? = nil, costs: (any CostService)? = nil,
        stageLayers: Int? = nil, runsHead: Bool = true
    ) throws {
        let devices = devices ?? experiment.devices
        self.experiment = experiment
        self.policy = policy
        self.stageLayers = stageLayers
        self.runsHead = runsHead
        self.costService = costs ?? LocalCostService(devices: devices.devices)
        self.devices = devices
        plan = try policy.plan(for: experiment.model, on: devices)
        shard = ModelShard(experiment.model, layers: stageLayers)
        var ids: [String?] = Array(repeating: nil, count: DeviceKind.allCases.count)
        ids[DeviceKind.npu.index] = devices.npu?.id
        ids[DeviceKind.fpga.index] = devices.fpga?.id
        ids[DeviceKind.pim.index] = devices.pim != nil ? devices.memory?.id : nil
        deviceIDs = ids
        for resource in [plan.hostResource, plan.ternaryMatrixResource, plan.attentionResource]
            + (plan.matrixOffload.isEmpty ? [] : [.pim])
        where ids[resource.index] == nil {
            throw SimulationError(.incompatible, "no \(resource) device for the plan")
        }
        let npu = devices.npu?.configuration
        // The port KV appends and NPU streams use: the NPU's; without an NPU, the KV memory's own channels.
        let memory = devices.memoryConfiguration
        let sustained =
            npu.map { Double($0.memoryBandwidthBytesPerSecond) * $0.memoryEfficiency }
            ?? memory.map { Double($0.channels) * Double($0.channelBandwidthBytesPerSecond) } ?? 1
        composer = TimelineComposer(
            memoryBandwidthBytesPerSecond: Int64(min(sustained, 9e18)), weightCacheBytes: npu?.sramBytes ?? 0,
            rule: (plan.attentionResource == .pim || !plan.matrixOffload.isEmpty) && plan.rowBuffers == .single
                ? .blockedDuringPIM : .independent)
        composer.prefetchesWeights = npu?.prefetchesWeights ?? false
        composer.reusesWeights = npu?.reusesWeights ?? false
        attentionCache = Array(repeating: nil, count: experiment.maxSequence + 2)
        pimAttention = Array(repeating: .unknown, count: experiment.maxSequence + 2)
        let shard = self.shard
        // Placement estimates with the PIM's own row width and bank count (NeuPIMs' 512 and 32 otherwise).
        let rowElements = devices.pim?.rowElements ?? 512
        let banks = devices.pim?.banksPerChannel ?? 32
        loadEstimate = (0...experiment.maxSequence + 1).map {
            PIMCostModel.attentionLoadEstimate(
                sequenceLength: $0, width: shard.keyValueWidth, heads: shard.keyValueHeads, rowElements: rowElements,
                banks: banks)
        }
        routing = experiment.model.experts.map {
            ExpertRouting($0, skew: experiment.expertSkew, seed: experiment.seed, trace: experiment.routingTrace)
        }
        if experiment.model.keyValueFormat != .fp16 && plan.attentionResource == .pim {
            throw SimulationError(
                .incompatible,
                "a \(experiment.model.keyValueFormat.name) KV cache cannot be read by the PIM's FP16 multipliers (Samsung HBM-PIM, Lee et al., ISCA 2021) and bank PIM has no unit to expand it: use a plan with NPU attention (e.g. npu-only)"
            )
        }
        if let trace = experiment.routingTrace {
            guard let moe = experiment.model.experts, trace.experts == moe.experts else {
                throw SimulationError(
                    .incompatible,
                    "the routing trace is for \(trace.experts) experts; \(experiment.model.name) has \(experiment.model.experts.map { "\($0.experts)" } ?? "none")"
                )
            }
            if let row = trace.layers.joined().first(where: { $0.count != moe.perToken }) {
                throw SimulationError(
                    .incompatible,
                    "the routing trace sends a token to \(row.count) experts; \(experiment.model.name) routes each to \(moe.perToken)")
            }
        }
        guard experiment.batch >= 1 else { throw SimulationError(.incompatible, "batch must be at least 1") }
    }
}
