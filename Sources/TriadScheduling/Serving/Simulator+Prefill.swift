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
        return template.beforeAttention + prefillAttention(tokens: tokens, context: context) + template.afterAttention
    }

    /// A chunk's attention in one layer (`LayerTemplate.promptAttention`).
    func prefillAttention(tokens: Int, context: Int) -> [Operation] {
        LayerTemplate.promptAttention(shard: shard, tokens: tokens, context: context)
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

    /// This iteration's prefill work, as the `--prefill` scheduler chooses it: whole prompts of every request not
    /// yet prefilled, or the oldest requests' next tokens up to the chunk budget (`chunked`: their cost is returned,
    /// to run before the decode step); or, for the modes that batch prompts with decodes (`mixed`, `prefill-first`),
    /// the chunks that join the iteration's GEMMs (nil is returned; `promptChunks` costs them). Records each slot's
    /// tokens in `state.prefillStep` and whether decodes wait this iteration (`state.decodesPaused`); returns nil
    /// at once when no prompt waits (the decode-only mode allocates nothing).
    mutating func prefillStep(_ state: inout RunState, iteration: Int) throws -> PrefillCost? {
        state.prefillStep.removeAll(keepingCapacity: true)
        state.decodesPaused = false
        let mode = experiment.serving.prefill
        guard mode != .none else { return nil }
        var waiting: [Int] = []
        var decoding = 0
        for slot in state.isActive.indices where state.isActive[slot] {
            if state.prefilled[slot] < state.prefillTarget[slot] {
                waiting.append(slot)
            } else {
                decoding += 1
            }
        }
        guard !waiting.isEmpty else { return nil }
        waiting.sort { state.request[$0].id < state.request[$1].id }
        var budget = Int.max
        switch mode {
        case .none, .whole: break
        case .chunked(let size): budget = size
        // Decodes take their token of the budget first (Sarathi-Serve's stall-free rule).
        case .mixed(let size): budget = size - decoding
        case .prefillFirst(let size):
            budget = size
            state.decodesPaused = true
        }
        var total = PrefillCost()
        for slot in waiting where budget > 0 {
            let remaining = state.prefillTarget[slot] - state.prefilled[slot]
            // vLLM takes whole prompts while they fit; only a first prompt longer than the budget is cut to it.
            if case .prefillFirst = mode, remaining > budget, !state.prefillStep.isEmpty { break }
            let tokens = min(remaining, budget)
            budget -= tokens
            state.prefillStep.append((slot, tokens))
            guard !mode.batchesWithDecode else { continue }
            let cost = try prefillCost(
                tokens: tokens, context: state.prefilled[slot] + tokens, finishes: tokens == remaining,
                iteration: iteration)
            total.duration +|= cost.duration
            total.usage += cost.usage
        }
        return mode.batchesWithDecode ? nil : total
    }

    /// The prompt chunks `prefillStep` put into this iteration's GEMMs (`mixed`, `prefill-first`): their rows, the
    /// prompts they finish (each adds an LM-head row) and, per layer, their attention on the host — queries × K and
    /// probabilities × V as GEMMs over the context so far, reading its K and V — after the decode attention of the
    /// first sub-batch, which takes the chunks' rows (docs/MODEL.md §9). Nil when nothing is prefilled.
    mutating func promptChunks(_ state: RunState, iteration: Int) throws -> PromptChunks? {
        guard experiment.serving.prefill.batchesWithDecode, !state.prefillStep.isEmpty else { return nil }
        var chunks = PromptChunks(attention: Segment(resource: plan.hostResource))
        for (slot, tokens) in state.prefillStep {
            let context = state.prefilled[slot] + tokens
            chunks.rows += tokens
            if context >= state.prefillTarget[slot] { chunks.finishing += 1 }
            guard shard.model.hasAttention else { continue }
            let key = tokens << 22 | context
            if promptAttentionCache[key] == nil {
                let attention = prefillAttention(tokens: tokens, context: context)
                let costs = try costGrouped(attention, iteration: iteration, offloading: false)
                var segment = Segment(resource: plan.hostResource)
                for (operation, cost) in zip(attention, costs) {
                    segment.duration +|= cost.duration
                    segment.energyPicojoules += cost.energyPicojoules
                    if operation.kind.category == .matrix { segment.systolicDuration +|= cost.duration }
                }
                segment.residentDuration = segment.duration
                // The context's K and V come over the memory port (the chunk's own are read back as well).
                segment.dataBytes = Int64(context) * shard.keyValueBytesPerTokenPerLayer
                promptAttentionCache[key] = segment
            }
            let part = promptAttentionCache[key]!
            chunks.attention.duration +|= part.duration
            chunks.attention.residentDuration +|= part.residentDuration
            chunks.attention.systolicDuration +|= part.systolicDuration
            chunks.attention.energyPicojoules += part.energyPicojoules
            chunks.attention.dataBytes +|= part.dataBytes
        }
        return chunks
    }
}
