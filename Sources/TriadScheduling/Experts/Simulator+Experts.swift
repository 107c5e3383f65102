import TriadCore
import TriadDevices

/// Mixture-of-Experts layers in a decode iteration (docs/MODEL.md §12): each layer routes its own tokens
/// (`ExpertRouting`), so each layer's FFN has its own shapes — the expert with n tokens is an n-row GEMM (or, below the
/// plan's row limit, a GEMV on the PIM) streaming its whole weights. Every other part of a layer is identical across
/// layers; the FFN becomes a per-layer tail of each (sub-)batch's chain.
extension Simulator {
    /// The FFN segments of every layer of this stage, per (sub-)batch group of `partition` (empty for dense models):
    /// `[group][layer]`. The first group also carries the prompt tokens of `chunks` (`state.prefillStep`). Costs of
    /// shapes not seen before are asked in one round.
    mutating func mixtureTails(
        _ state: RunState, _ partition: inout Partition, chunks: PromptChunks?, iteration: Int
    ) throws -> [[[Segment]]] {
        guard let moe = shard.model.experts, routing != nil else { return [] }
        let expertParallel = shard.model.expertParallel
        let groups = partition.rows.count
        let layers = shard.layers
        let experts = moe.experts
        // Tokens per expert, per (group, layer), from the iteration's routing (`routeIteration`).
        var counts: [Int] = []
        swap(&counts, &routingCounts)
        defer { swap(&counts, &routingCounts) }
        counts.removeAll(keepingCapacity: true)
        counts.append(contentsOf: repeatElement(0, count: groups * layers * experts))
        let mixtureLayers = (0..<layers).filter { shard.model.isMixtureLayer($0) }
        let k = moe.perToken
        let stride = mixtureLayers.count * k
        let decodeTokens = state.activeSlots.count * queriesPerRequest
        let tokens = decodeTokens + (chunks != nil ? state.prefillStep.reduce(0) { $0 + $1.tokens } : 0)
        precondition(routingChoices.count >= tokens * stride, "routeIteration must run before mixtureTails")
        for token in 0..<tokens {
            let group = token < decodeTokens ? partition.group[token / queriesPerRequest] : 0
            for (m, layer) in mixtureLayers.enumerated() {
                let base = (group * layers + layer) * experts
                let first = token * stride + m * k
                for j in first..<(first + k) { counts[base + routingChoices[j]] += 1 }
            }
        }
        if shard.tokenRanks > 1 { exchange(tokens: tokens, decodeTokens: decodeTokens, into: &partition) }
        let isMixture = (0..<layers).map { shard.model.isMixtureLayer($0) }
        // The parts every layer needs and no earlier iteration costed, then their costs in one round.
        var missing: [Int] = []
        func need(_ key: Int) {
            if mixtureParts[key] == nil && !missing.contains(key) { missing.append(key) }
        }
        for group in 0..<groups {
            let rows = partition.rows[group] + (group == 0 ? chunks?.rows ?? 0 : 0)
            guard rows > 0 else { continue }
            for layer in 0..<layers {
                guard isMixture[layer] else {
                    need(Self.partKey(.dense, rows))
                    continue
                }
                need(Self.partKey(.common, rows))
                need(Self.partKey(.add, rows))
                let base = (group * layers + layer) * experts
                for expert in 0..<experts where counts[base + expert] > 0 {
                    need(Self.partKey(.expert, counts[base + expert]))
                }
            }
        }
        if !missing.isEmpty {
            var operations: [Operation] = []
            var spans: [Range<Int>] = []
            for key in missing {
                let start = operations.count
                operations += partOperations(key)
                spans.append(start..<operations.count)
            }
            let answers = try costGrouped(operations, iteration: iteration)
            for (key, span) in zip(missing, spans) {
                mixtureParts[key] = span.map { (operations[$0], answers[$0]) }
            }
        }
        var tails: [[[Segment]]] = []
        tails.reserveCapacity(groups)
        for group in 0..<groups {
            let rows = partition.rows[group] + (group == 0 ? chunks?.rows ?? 0 : 0)
            var layerTails: [[Segment]] = []
            layerTails.reserveCapacity(layers)
            for layer in 0..<layers {
                var segments: [Segment] = []
                if rows > 0 {
                    if isMixture[layer] {
                        let base = (group * layers + layer) * experts
                        appendPart(Self.partKey(.common, rows), to: &segments)
                        let rank = expertParallel ? busiestRank(counts, base: base) : nil
                        for expert in 0..<experts where counts[base + expert] > 0 {
                            if let rank, shard.rank(ofExpert: expert) != rank { continue }
                            appendPart(Self.partKey(.expert, counts[base + expert]), to: &segments)
                        }
                        appendPart(Self.partKey(.add, rows), to: &segments)
                    } else {
                        appendPart(Self.partKey(.dense, rows), to: &segments)
                    }
                }
                layerTails.append(segments)
            }
            tails.append(layerTails)
        }
        return tails
    }

    /// Data-parallel attention with expert parallelism (docs/MODEL.md §12.4): token i of the iteration lives on rank
    /// i mod T; in each MoE layer it goes to every other rank that holds one of its k experts (once per rank, as
    /// DeepEP's dispatch sends it) and comes back from each (the combine). An all-to-all lasts as long as the rank that
    /// sends or receives the most: one latency plus its bytes at the tensor link's bandwidth, dispatch and combine
    /// each. Fills `partition`'s per-group exchange time and the busiest rank's bytes.
    private func exchange(tokens: Int, decodeTokens: Int, into partition: inout Partition) {
        let groups = partition.rows.count
        partition.exchangeTime = Array(repeating: 0, count: groups)
        partition.exchangeBytes = Array(repeating: 0, count: groups)
        guard let plan = experiment.communication, let link = plan.tensorLink, let moe = shard.model.experts else {
            return
        }
        let ranks = shard.tokenRanks
        let k = moe.perToken
        let mixtureLayers = (0..<shard.layers).filter { shard.model.isMixtureLayer($0) }
        let stride = mixtureLayers.count * k
        let vector = Int64(shard.model.hiddenSize) * plan.elementBytes
        // Per group and rank: the vectors it sends and receives in the layer being counted.
        var sent = Array(repeating: Int64(0), count: groups * ranks)
        var received = sent
        var destinations = Array(repeating: false, count: ranks)
        for m in mixtureLayers.indices {
            for index in sent.indices { (sent[index], received[index]) = (0, 0) }
            for token in 0..<tokens {
                let group = token < decodeTokens ? partition.group[token / queriesPerRequest] : 0
                let source = token % ranks
                for index in destinations.indices { destinations[index] = false }
                let first = token * stride + m * k
                for j in first..<(first + k) { destinations[shard.rank(ofExpert: routingChoices[j])] = true }
                for rank in 0..<ranks where destinations[rank] && rank != source {
                    sent[group * ranks + source] += vector
                    received[group * ranks + rank] += vector
                }
            }
            for group in 0..<groups {
                var busiest: Int64 = 0
                for rank in 0..<ranks { busiest = max(busiest, sent[group * ranks + rank], received[group * ranks + rank]) }
                guard busiest > 0 else { continue }
                let time = CommunicationPlan.transferTime(busiest, over: link)
                partition.exchangeTime[group] +|= time +| time
                partition.exchangeBytes[group] +|= 2 * busiest
            }
        }
    }

    /// Routes every token of the iteration once, before its partitions are composed: k experts per token per MoE
    /// layer in `routingChoices`. Tokens in order (a routing trace's rows): the batch's decoding requests in slot
    /// order, each one's query positions in turn, then, with `chunks`, the prompt-chunk tokens (`state.prefillStep`).
    mutating func routeIteration(_ state: RunState, chunks: Bool) {
        guard shard.model.experts != nil, let routing else { return }
        var choices: [Int] = []
        var chosen: [Int] = []
        swap(&choices, &routingChoices)
        swap(&chosen, &routingChosen)
        defer {
            swap(&choices, &routingChoices)
            swap(&chosen, &routingChosen)
        }
        choices.removeAll(keepingCapacity: true)
        let mixtureLayers = (0..<shard.layers).filter { shard.model.isMixtureLayer($0) }
        var token = 0
        func route(request: Int, position: Int) {
            for layer in mixtureLayers {
                routing.choose(request: request, position: position, layer: layer, token: token, chosen: &chosen)
                choices += chosen
            }
            token += 1
        }
        for (index, slot) in state.activeSlots.enumerated() {
            for query in 0..<queriesPerRequest {
                route(request: state.request[slot].id, position: state.sequences[index] + query)
            }
        }
        if chunks {
            for (slot, tokens) in state.prefillStep {
                for position in state.prefilled[slot]..<(state.prefilled[slot] + tokens) {
                    route(request: state.request[slot].id, position: position)
                }
            }
        }
    }

    /// The parts a layer's FFN is made of, costed once per shape (`mixtureParts`).
    enum MixturePart: Int {
        /// Norm, router and shared experts, for the layer's tokens.
        case common
        /// One routed expert, for its tokens.
        case expert
        /// The residual add.
        case add
        /// A dense FFN (DeepSeek's leading layers).
        case dense
    }

    static func partKey(_ part: MixturePart, _ rows: Int) -> Int { part.rawValue << 40 | rows }

    private func partOperations(_ key: Int) -> [Operation] {
        let rows = key & ((1 << 40) - 1)
        switch MixturePart(rawValue: key >> 40)! {
        case .common: return LayerTemplate.mixtureCommon(shard: shard, rows: rows)
        case .expert: return LayerTemplate.expert(shard: shard, rows: rows)
        case .add: return [Operation(kind: .residualAdd, rows: shard.localRows(rows), inner: shard.model.hiddenSize)]
        case .dense: return LayerTemplate.denseFeedForward(shard: shard, rows: rows)
        }
    }

    private func appendPart(_ key: Int, to segments: inout [Segment]) {
        for (operation, cost) in mixtureParts[key]! { append(operation, cost: cost, to: &segments) }
    }

    /// With expert parallelism, the ranks of a stage hold whole experts (expert e on rank e mod T) and wait for each
    /// other when their outputs are summed: the layer lasts as long as the rank with the most expert time (ties to
    /// the lower rank). `base` indexes the layer's counts.
    private func busiestRank(_ counts: [Int], base: Int) -> Int {
        let ranks = shard.model.tensorParallel
        var busiest = 0
        var most = Picoseconds(-1)
        for rank in 0..<ranks {
            var time: Picoseconds = 0
            var expert = rank
            while expert < shard.model.experts!.experts {
                let tokens = counts[base + expert]
                if tokens > 0 {
                    for (_, cost) in mixtureParts[Self.partKey(.expert, tokens)]! { time +|= cost.duration }
                }
                expert += ranks
            }
            if time > most { (busiest, most) = (rank, time) }
        }
        return busiest
    }
}
