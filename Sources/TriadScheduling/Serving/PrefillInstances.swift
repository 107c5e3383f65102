import TriadCore

/// The prefill pool while a run goes (`PrefillPool`, docs/MODEL.md §9.6): each instance prefills one prompt at a
/// time, oldest first, on its NPU; the KV cache then crosses the link to the decode devices.
struct PrefillInstances {
    /// One simulator per instance (the whole model on its devices, prefill on the NPU), each costing its prompts.
    private var simulators: [Simulator]
    /// When each instance is next free.
    private var freeAt: [Picoseconds]
    private let link: LinkProperties
    /// KV bytes of one token in one rank's shard (what crosses each rank's link).
    private let keyValueBytesPerToken: Int64
    /// Pipeline stages a prompt passes one after another.
    private let stages: Int64
    /// Time the instances spent prefilling.
    private(set) var busy: Picoseconds = 0

    /// Where one request's time to decode went (picoseconds).
    struct Handling {
        var queueing: Picoseconds
        var prefill: Picoseconds
        var transfer: Picoseconds
        /// When its first token came (the prefill's end) and its KV reached the decode devices.
        var firstToken: Picoseconds
        var handedOver: Picoseconds
    }

    init(_ pool: PrefillPool, experiment: Experiment, costs: any CostService) throws {
        // Like the decode group, a prefill group stands for one rank of the model's tensor × pipeline split: it holds
        // that shard, and each rank sends its share of the KV cache over its own link.
        var whole = experiment
        whole.communication = nil
        whole.mirrors = nil
        whole.stages = nil
        whole.prefillPool = nil
        whole.replicas = 1
        simulators = try pool.instances.map { try Simulator(whole, policy: .npuOnly, devices: $0, costs: costs) }
        freeAt = Array(repeating: 0, count: pool.instances.count)
        link = pool.link
        keyValueBytesPerToken = ModelShard(whole.model).keyValueBytesPerToken
        stages = Int64(max(1, whole.model.pipelineParallel))
    }

    /// Prefills `request`, arrived at `now`, on the instance free first (the lowest on a tie).
    mutating func prefill(_ request: Request, now: Picoseconds) throws -> Handling {
        var chosen = 0
        for index in freeAt.indices where freeAt[index] < freeAt[chosen] { chosen = index }
        let start = max(now, freeAt[chosen])
        // An empty prompt still runs one row through the model for its first token.
        let tokens = max(1, request.inputTokens)
        let duration = scaled(
            try simulators[chosen].prefillCost(tokens: tokens, context: tokens, finishes: true, iteration: 0).duration,
            times: stages, over: 1, roundingUp: false)
        let end = start +| duration
        freeAt[chosen] = end
        busy +|= duration
        let bytes = Int64(request.inputTokens) * keyValueBytesPerToken
        let transfer =
            link.latency
            +| Picoseconds(
                min(Double(bytes) / Double(max(link.bandwidthBytesPerSecond, 1)) * Double(picosecondsPerSecond), 4e18))
        return Handling(
            queueing: start - now, prefill: duration, transfer: transfer, firstToken: end, handedOver: end +| transfer)
    }

    var count: Int { freeAt.count }
}
