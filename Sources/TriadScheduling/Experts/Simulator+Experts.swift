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
        _ state: RunState, _ partition: Partition, chunks: PromptChunks?, iteration: Int
    ) throws -> [[[Segment]]] {
        guard let moe = shard.model.experts, let routing else { return [] }
        let groups = partition.rows.count
        let layers = shard.layers
        let experts = moe.experts
        // Tokens per expert, per (group, layer).
        routingCounts.removeAll(keepingCapacity: true)
        routingCounts.append(contentsOf: repeatElement(0, count: groups * layers * experts))
        // Tokens in order (for a routing trace): the batch's requests, each request's query positions, then the prompt
        // chunks' tokens.
        var token = 0
        for (index, slot) in state.activeSlots.enumerated() {
            let group = partition.group[index]
            let request = state.request[slot].id
            let position = state.sequences[index]
            for query in 0..<queriesPerRequest {
                for layer in 0..<layers where shard.model.isMixtureLayer(layer) {
                    routeToken(request: request, position: position + query, layer: layer, token: token, group: group)
                }
                token += 1
            }
        }
        if chunks != nil {
            for (slot, tokens) in state.prefillStep {
                let request = state.request[slot].id
                for position in state.prefilled[slot]..<(state.prefilled[slot] + tokens) {
                    for layer in 0..<layers where shard.model.isMixtureLayer(layer) {
                        routeToken(request: request, position: position, layer: layer, token: token, group: 0)
                    }
                    token += 1
                }
            }
        }
        // Every layer's operations, then the costs not yet known, in one round.
        var programs: [[Operation]] = []
        programs.reserveCapacity(groups * layers)
        var missing: [Operation] = []
        for group in 0..<groups {
            let rows = partition.rows[group] + (group == 0 ? chunks?.rows ?? 0 : 0)
            for layer in 0..<layers {
                var operations: [Operation] = []
                if rows > 0 {
                    if shard.model.isMixtureLayer(layer) {
                        operations = LayerTemplate.mixtureCommon(shard: shard, rows: rows)
                        let base = (group * layers + layer) * experts
                        for expert in 0..<experts where routingCounts[base + expert] > 0 {
                            operations += LayerTemplate.expert(shard: shard, rows: routingCounts[base + expert])
                        }
                        operations.append(Operation(kind: .residualAdd, rows: rows, inner: shard.model.hiddenSize))
                    } else {
                        operations = LayerTemplate.denseFeedForward(shard: shard, rows: rows)
                    }
                }
                for operation in operations where mixtureCosts[operation] == nil && !missing.contains(operation) {
                    missing.append(operation)
                }
                programs.append(operations)
            }
        }
        if !missing.isEmpty {
            let answers = try costGrouped(missing, iteration: iteration)
            for (operation, cost) in zip(missing, answers) { mixtureCosts[operation] = cost }
        }
        var tails: [[[Segment]]] = []
        for group in 0..<groups {
            var layerTails: [[Segment]] = []
            for layer in 0..<layers {
                var operations = programs[group * layers + layer]
                if shard.model.expertParallel && shard.model.isMixtureLayer(layer) && !operations.isEmpty {
                    operations = busiestRank(operations, counts: (group * layers + layer) * experts)
                }
                let costs = operations.map { mixtureCosts[$0]! }
                layerTails.append(segments(of: operations, costs: costs[...]))
            }
            tails.append(layerTails)
        }
        return tails
    }

    private mutating func routeToken(request: Int, position: Int, layer: Int, token: Int, group: Int) {
        let base = (group * shard.layers + layer) * shard.model.experts!.experts
        routing!.route(
            request: request, position: position, layer: layer, token: token, into: &routingCounts, base: base,
            chosen: &routingChosen)
    }

    /// With expert parallelism, the ranks of a stage hold whole experts (expert e on rank e mod T) and wait for each
    /// other at the combine: the layer lasts as long as the rank with the most expert time. `operations` lists the
    /// common part, every routed expert's three operations in expert order (those with tokens), then the residual
    /// add; returns the common part, the busiest rank's experts and the add.
    private func busiestRank(_ operations: [Operation], counts base: Int) -> [Operation] {
        let moe = shard.model.experts!
        let ranks = shard.model.tensorParallel
        let common = LayerTemplate.mixtureCommon(shard: shard, rows: 1).count
        var rankTime = Array(repeating: Picoseconds(0), count: ranks)
        var position = common
        for expert in 0..<moe.experts where routingCounts[base + expert] > 0 {
            for offset in 0..<3 { rankTime[shard.rank(ofExpert: expert)] +|= mixtureCosts[operations[position + offset]]!.duration }
            position += 3
        }
        let busiest = rankTime.indices.max { (rankTime[$0], -$0) < (rankTime[$1], -$1) } ?? 0
        var kept = Array(operations.prefix(common))
        position = common
        for expert in 0..<moe.experts where routingCounts[base + expert] > 0 {
            if shard.rank(ofExpert: expert) == busiest { kept += operations[position..<(position + 3)] }
            position += 3
        }
        kept.append(operations[operations.count - 1])
        return kept
    }
}
