import TriadCore
import TriadDevices

/// The cost of prefilling `tokens` prompt tokens of one request whose prompt then spans `context` tokens.
struct PrefillCost: Sendable {
    var duration: Picoseconds = 0
    var usage = ResourceUsage()
}

/// Prefill (serving runs, docs/MODEL.md §9): a prompt chunk runs every layer's GEMMs with one row per prompt
/// token on the policy's devices, and its attention as two GEMMs per layer on the host — the K and V caches in the
/// weights' place (queries × K over every head, probabilities × V) — plus the softmax; then the LM head for the
/// request's first token. Operations run one after another (prefill is compute-bound; no overlap is claimed), and
/// the prefill of an iteration runs before its decode step.
extension Simulator {
    /// The operations of one layer for a chunk of `tokens` prompt tokens attending to `context` tokens.
    func prefillLayer(tokens: Int, context: Int) -> [Operation] {
        let template = LayerTemplate(shard: shard, rows: tokens)
        guard shard.model.hasAttention else { return template.beforeAttention }
        let width = shard.heads * shard.model.headDimension
        let attention = [
            Operation(
                kind: .qkvProjection, rows: tokens, inner: shard.model.headDimension, columns: context * shard.heads),
            Operation(kind: .softmax, rows: tokens * shard.heads, inner: context),
            Operation(kind: .outputProjection, rows: tokens, inner: context, columns: width),
        ]
        return template.beforeAttention + attention + template.afterAttention
    }

    /// The cost of a prompt chunk (cached by shape), all layers, and the LM head when it finishes the prompt.
    mutating func prefillCost(tokens: Int, context: Int, finishes: Bool, iteration: Int) throws -> PrefillCost {
        let key = (tokens << 22 | context) << 1 | (finishes ? 1 : 0)
        if let cached = prefillCache[key] { return cached }
        let layer = prefillLayer(tokens: tokens, context: context)
        let head = finishes && runsHead ? LayerTemplate.head(shard: shard, rows: 1) : []
        let costs = try costGrouped(layer + head, iteration: iteration, offloading: false)
        var cost = PrefillCost()
        let layers = Int64(shard.layers)
        for (index, operation) in (layer + head).enumerated() {
            let times: Int64 = index < layer.count ? layers : 1
            let resource = plan.resource(for: operation, offloading: false)
            let duration = scaled(costs[index].duration, times: times, over: 1, roundingUp: false)
            cost.duration +|= duration
            cost.usage.busy[resource.index] +|= duration
            cost.usage.energyPicojoules[resource.index] += costs[index].energyPicojoules * Double(times)
        }
        prefillCache[key] = cost
        return cost
    }

    /// This iteration's prefill work: whole prompts of every request not yet prefilled, or the oldest requests'
    /// next tokens up to the chunk budget. Records each slot's tokens in `state.prefillStep` and returns the cost, or
    /// nil when no prompt waits (the decode-only mode returns at once, allocating nothing).
    mutating func prefillStep(_ state: inout RunState, iteration: Int) throws -> PrefillCost? {
        state.prefillStep.removeAll(keepingCapacity: true)
        guard experiment.serving.prefill != .none else { return nil }
        var waiting: [Int] = []
        for slot in state.isActive.indices
        where state.isActive[slot] && state.prefilled[slot] < state.request[slot].inputTokens {
            waiting.append(slot)
        }
        guard !waiting.isEmpty else { return nil }
        var total = PrefillCost()
        waiting.sort { state.request[$0].id < state.request[$1].id }
        var budget = Int.max
        if case .chunked(let size) = experiment.serving.prefill { budget = size }
        for slot in waiting where budget > 0 {
            let remaining = state.request[slot].inputTokens - state.prefilled[slot]
            let tokens = min(remaining, budget)
            budget -= tokens
            let context = state.prefilled[slot] + tokens
            let cost = try prefillCost(
                tokens: tokens, context: context, finishes: tokens == remaining, iteration: iteration)
            total.duration +|= cost.duration
            total.usage += cost.usage
            state.prefillStep.append((slot, tokens))
        }
        return total
    }
}
