import TriadCore
import TriadDevices

/// Costing: every operation an iteration needs is asked of its device's worker once, identical operations
/// merged, and kept for later iterations (layer shapes per (sub-)batch size, attention per sequence length).
extension Simulator {
    /// Costs `operations` (each on the plan's resource): identical operations once, one request per device,
    /// all requests of the iteration handed to the cost service together.
    /// Operations at `npuFrom` and after run on the NPU whatever the plan says (a split plan's NPU attention).
    func costGrouped(
        _ operations: [Operation], iteration: Int, offloading: Bool = true, npuFrom: Int = .max
    ) throws -> [OperationCost] {
        var results = Array(repeating: OperationCost.zero, count: operations.count)
        var requests: [CostRequest] = []
        var placements: [[(position: Int, index: Int)]] = []
        for resource in DeviceKind.allCases where resource != .hbm {
            var unique: [Operation] = []
            var indexOf: [Operation: Int] = [:]
            var positions: [(position: Int, index: Int)] = []
            for (position, original) in operations.enumerated()
            where (position >= npuFrom ? .npu : plan.resource(for: original, offloading: offloading)) == resource {
                var operation = original
                // An FC GEMV on the PIM is driven as the plan drives the PIM.
                if resource == .pim && operation.kind.category == .matrix { operation.pimModes = plan.pimModes }
                if let index = indexOf[operation] {
                    positions.append((position, index))
                } else {
                    indexOf[operation] = unique.count
                    positions.append((position, unique.count))
                    unique.append(operation)
                }
            }
            guard !unique.isEmpty else { continue }
            guard let deviceID = deviceIDs[resource.index] else {
                throw SimulationError(.incompatible, "no device for \(resource)")
            }
            requests.append(CostRequest(deviceID: deviceID, iteration: iteration, operations: unique))
            placements.append(positions)
        }
        // A device's refusal (`DeviceError`) passes through unchanged: the CLI maps it to its exit status.
        let answers = try costService.costs(requests)
        for (answer, positions) in zip(answers, placements) {
            for (position, index) in positions { results[position] = answer[index] }
        }
        return results
    }

    /// Merges consecutive operations on the same resource into segments.
    func segments(of operations: [Operation], costs: ArraySlice<OperationCost>) -> [Segment] {
        var result: [Segment] = []
        for (operation, cost) in zip(operations, costs) { append(operation, cost: cost, to: &result) }
        return result
    }

    /// Adds `operation` (costing `cost`) to the last of `result` when it runs on the same resource, else as a new
    /// segment.
    func append(_ operation: Operation, cost: OperationCost, to result: inout [Segment]) {
        let resource = plan.resource(for: operation)
        if result.isEmpty || result[result.count - 1].resource != resource {
            result.append(Segment(resource: resource))
        }
        result[result.count - 1].duration +|= cost.duration
        // Only NPU GEMMs wait on weights that could already be on chip.
        let weightsOnChip = resource == .npu && operation.kind.category == .matrix
        if weightsOnChip { result[result.count - 1].systolicDuration +|= cost.duration }
        result[result.count - 1].residentDuration +|= weightsOnChip ? cost.residentDuration : cost.duration
        result[result.count - 1].energyPicojoules += cost.energyPicojoules
        if resource == .pim {
            // An FC GEMV keeps every channel busy, and closed to ordinary traffic for its commands' share.
            result[result.count - 1].meanChannelBusy +|= cost.duration
            result[result.count - 1].meanChannelBlocked +|= pimMatrixBlocked(operation, duration: cost.duration)
        }
        if resource == .npu {
            if operation.kind.category == .matrix {
                result[result.count - 1].weightBytes +|= cost.streamedBytes
            } else {
                result[result.count - 1].dataBytes +|= cost.streamedBytes
            }
        }
    }

    /// Costs every layer shape and sequence length this iteration needs and no earlier one did, with one
    /// cost request per device (identical operations merged), and caches the results.
    /// With `sequencesCosted` the caller found every length in `sequences` costed and none spanning channels: only
    /// the row counts are looked at.
    mutating func prepareCosts(
        rowCounts: [Int], sequences: [Int], spans: [Int] = [], iteration: Int, lookahead: Bool = true,
        sequencesCosted: Bool = false
    ) throws {
        if !experiment.reusesCosts {
            layerCache.removeAll(keepingCapacity: true)
            for index in attentionCache.indices {
                attentionCache[index] = nil
                pimAttention[index] = .unknown
            }
            spannedAttentionCache.removeAll(keepingCapacity: true)
        }
        // (Sub-)batch sizes drift by a few requests between iterations; costing the neighbours of a missing
        // size with it saves later requests.
        var newRows: [Int] = []
        let window = experiment.reusesCosts ? Simulator.rowsWindow : 0
        for rows in rowCounts where rows > 0 && layerCache[rows] == nil {
            // Rows past the batch (prompt chunks batched with decodes) are costed alone.
            let sizes = rows > experiment.batch ? rows...rows : max(1, rows - window)...min(experiment.batch, rows + window)
            for size in sizes
            where layerCache[size] == nil && !newRows.contains(size) {
                newRows.append(size)
            }
        }
        // Without reuse every cost was just forgotten, whatever the caller found.
        let skipsSequences = sequencesCosted && experiment.reusesCosts
        var newSequences: [Int] = []
        if shard.model.hasAttention && !skipsSequences {
            // A request's sequence grows by one token per iteration, so costing the next lengths now saves
            // later requests (the costs are the same whenever they are asked for).
            let lookahead = experiment.reusesCosts && lookahead ? Simulator.attentionLookahead : 0
            var requested: [Bool] = []
            // `pimAttention` mirrors which lengths `attentionCache` holds, packed (a cheaper scan).
            for sequence in sequences where !pimAttention[sequence].isKnown {
                if requested.isEmpty { requested = Array(repeating: false, count: attentionCache.count) }
                guard !requested[sequence] else { continue }
                for next in sequence...min(sequence + lookahead, experiment.maxSequence + 1)
                where attentionCache[next] == nil && !requested[next] {
                    requested[next] = true
                    newSequences.append(next)
                }
            }
        }
        // Requests spanning channels: one part's operations per (span, length), no look-ahead (they are rare).
        var newSpanned: [Int] = []
        for (index, span) in (skipsSequences ? [] : spans).enumerated() where span > 1 {
            let key = Self.spannedKey(span: span, sequence: sequences[index])
            if spannedAttentionCache[key] == nil && !newSpanned.contains(key) { newSpanned.append(key) }
        }
        guard !newRows.isEmpty || !newSequences.isEmpty || !newSpanned.isEmpty else { return }
        var operations: [Operation] = []
        var templates: [(rows: Int, template: LayerTemplate, head: [Operation], start: Int)] = []
        for rows in newRows {
            var template = LayerTemplate(shard: shard, rows: rows)
            // A Mixture-of-Experts layer's FFN is routed per layer (`mixtureTails`): the cached part stops before it.
            if shard.model.experts != nil {
                template.afterAttention = Array(template.afterAttention.prefix(template.feedForwardStart))
            }
            let head = LayerTemplate.head(shard: shard, rows: rows)
            templates.append((rows, template, head, operations.count))
            operations += template.beforeAttention + template.afterAttention + head
        }
        let attentionStart = operations.count
        for sequence in newSequences {
            let ops = attentionOperations(sequenceLength: sequence)
            operations += [ops.logits, ops.attend, ops.softmax]
        }
        var spannedStarts: [Int] = []
        for key in newSpanned {
            let part = attentionOperations(sequenceLength: key & 0xFFFF_FFFF, span: key >> 32)
            spannedStarts.append(operations.count)
            operations += [part.logits, part.attend, part.softmax] + (part.reduction.rows > 0 ? [part.reduction] : [])
        }
        // A split plan also costs each new length's attention on the NPU.
        let npuFrom = operations.count
        if plan.splitsAttention {
            for sequence in newSequences {
                let ops = LayerTemplate.attention(shard: shard, sequenceLength: sequence, queries: queriesPerRequest)
                operations += [ops.logits, ops.attend, ops.softmax]
            }
        }
        let costs = try costGrouped(operations, iteration: iteration, npuFrom: npuFrom)
        for entry in templates {
            let firstAfter = entry.start + entry.template.beforeAttention.count
            let firstHead = firstAfter + entry.template.afterAttention.count
            let end = firstHead + entry.head.count
            var before = segments(of: entry.template.beforeAttention, costs: costs[entry.start..<firstAfter])
            if shard.model.hasAttention, !before.isEmpty {
                // New K and V are appended to the cache over the memory port.
                before[before.count - 1].dataBytes += Int64(entry.rows) * shard.keyValueBytesPerTokenPerLayer
            }
            layerCache[entry.rows] = LayerSegments(
                beforeAttention: before,
                afterAttention: segments(of: entry.template.afterAttention, costs: costs[firstAfter..<firstHead]),
                head: segments(of: entry.head, costs: costs[firstHead..<end]))
        }
        for (index, key) in newSpanned.enumerated() {
            let base = spannedStarts[index]
            let (logits, attend, softmax) = (costs[base], costs[base + 1], costs[base + 2])
            let end = index + 1 < spannedStarts.count ? spannedStarts[index + 1] : costs.count
            let reduction = base + 3 < end ? costs[base + 3] : .zero
            let span = key >> 32
            let figures = pimCommandFigures(sequenceLength: key & 0xFFFF_FFFF, span: span)
            // Per channel: the part's GEMVs; on the NPU: every part's softmax, then the merge.
            spannedAttentionCache[key] = AttentionCost(
                duration: logits.duration +| attend.duration,
                energyPicojoules: logits.energyPicojoules + attend.energyPicojoules, streamedBytes: 0,
                softmaxDuration: softmax.duration * Picoseconds(span) +| reduction.duration,
                softmaxEnergyPicojoules: softmax.energyPicojoules * Double(span) + reduction.energyPicojoules,
                transactions: figures.transactions,
                blocked: devices.pim!.memory.clock.picoseconds(forCycles: figures.blockedCycles),
                logitsDuration: logits.duration, logitsTransactions: figures.logitsTransactions)
        }
        for (index, sequence) in newSequences.enumerated() {
            let base = attentionStart + 3 * index
            let logits = costs[base]
            let attend = costs[base + 1]
            let softmax = costs[base + 2]
            if plan.attentionResource == .pim {
                let figures = pimCommandFigures(sequenceLength: sequence)
                attentionCache[sequence] = AttentionCost(
                    duration: logits.duration +| attend.duration,
                    energyPicojoules: logits.energyPicojoules + attend.energyPicojoules, streamedBytes: 0,
                    softmaxDuration: softmax.duration, softmaxEnergyPicojoules: softmax.energyPicojoules,
                    transactions: figures.transactions,
                    blocked: devices.pim!.memory.clock.picoseconds(forCycles: figures.blockedCycles),
                    logitsDuration: logits.duration, logitsTransactions: figures.logitsTransactions)
                if plan.splitsAttention {
                    let npu = npuFrom + 3 * index
                    let (npuLogits, npuAttend, npuSoftmax) = (costs[npu], costs[npu + 1], costs[npu + 2])
                    attentionCache[sequence]!.npuDuration =
                        npuLogits.duration +| npuAttend.duration +| npuSoftmax.duration
                    attentionCache[sequence]!.npuEnergyPicojoules =
                        npuLogits.energyPicojoules + npuAttend.energyPicojoules + npuSoftmax.energyPicojoules
                    attentionCache[sequence]!.npuStreamedBytes = npuLogits.streamedBytes + npuAttend.streamedBytes
                }
            } else {
                attentionCache[sequence] = AttentionCost(
                    duration: logits.duration +| attend.duration +| softmax.duration,
                    energyPicojoules: logits.energyPicojoules + attend.energyPicojoules + softmax.energyPicojoules,
                    streamedBytes: logits.streamedBytes + attend.streamedBytes, softmaxDuration: 0,
                    softmaxEnergyPicojoules: 0)
            }
            pimAttention[sequence] = PIMAttentionEntry(attentionCache[sequence])
        }
    }

    /// The time an FC GEMV of `duration` on the PIM keeps ordinary traffic off each channel (docs/MODEL.md §2.5,
    /// §2.9): its commands' blocked cycles, stretched as refresh stretches the GEMV, at most its duration.
    func pimMatrixBlocked(_ operation: Operation, duration: Picoseconds) -> Picoseconds {
        guard let pim = devices.pim else { return 0 }
        var gemv = PIMMatrixMapping.channelGEMV(of: operation, channels: pim.memory.channels)
        gemv.pimModes = plan.pimModes
        let counts = PIMCostModel(configuration: pim.driven(by: plan.pimModes)).commands(for: gemv)
        guard counts.cycles > 0 else { return 0 }
        return min(duration, scaled(duration, times: counts.blockedCycles, over: counts.cycles, roundingUp: false))
    }

    /// Whether `other` costs attention exactly as this simulator does: the same devices, attention device, PIM
    /// modes and split (and so the same operations asked of the same workers).
    func sharesAttentionCosts(with other: Simulator) -> Bool {
        plan.attentionResource == other.plan.attentionResource && plan.pimModes == other.plan.pimModes
            && plan.splitsAttention == other.plan.splitsAttention && deviceIDs == other.deviceIDs
            && experiment.maxSequence == other.experiment.maxSequence
    }

    /// Takes `other`'s attention costs (`sharesAttentionCosts`), keeping any this one knows that `other` does not.
    mutating func adoptAttentionCosts(from other: Simulator) {
        var merged = other.attentionCache
        for index in merged.indices where merged[index] == nil { merged[index] = attentionCache[index] }
        attentionCache = merged
        pimAttention = merged.map(PIMAttentionEntry.init)
        spannedAttentionCache.merge(other.spannedAttentionCache) { mine, _ in mine }
    }

    /// Query positions each decoding request has per step: 1, or k + 1 with speculative decoding.
    var queriesPerRequest: Int { (experiment.serving.speculation?.draftTokens ?? 0) + 1 }

    /// A request's attention operations, the PIM ones marked with how the plan drives the PIM.
    func attentionOperations(sequenceLength: Int) -> (logits: Operation, softmax: Operation, attend: Operation) {
        var ops = LayerTemplate.attention(shard: shard, sequenceLength: sequenceLength, queries: queriesPerRequest)
        if plan.attentionResource == .pim {
            ops.logits.pimModes = plan.pimModes
            ops.attend.pimModes = plan.pimModes
        }
        return ops
    }

    /// One channel's part of a request whose KV spans `span` channels (docs/MODEL.md §3.1): its share of the KV
    /// heads (with their query heads) and, past one channel per KV head, its share of each head's tokens; the
    /// NPU merges the parts' partial softmax sums and outputs (`reduction`: an add over the partial outputs,
    /// empty when only heads split).
    func attentionOperations(sequenceLength: Int, span: Int) -> (
        logits: Operation, softmax: Operation, attend: Operation, reduction: Operation
    ) {
        let headSplit = min(span, shard.keyValueHeads)
        let tokenSplit = max(1, span / shard.keyValueHeads)
        let keyValueHeads = shard.keyValueHeads / headSplit
        let heads = shard.heads / headSplit * queriesPerRequest
        // With MoBA each part scores its share of the gate's pooled keys and chosen blocks, and reads its share of the
        // chosen values.
        let keys: (logits: Int, attend: Int) =
            shard.model.blockSparseAttention?.keys(sequenceLength: sequenceLength) ?? (sequenceLength, sequenceLength)
        let tokens = keys.logits.ceilDiv(tokenSplit)
        var logits = Operation(
            kind: .attentionLogits, rows: 1, inner: heads * shard.model.headDimension, sequenceLength: tokens,
            heads: heads, keyValueHeads: keyValueHeads, headDimension: shard.model.headDimension)
        logits.pimModes = plan.pimModes
        var attend = logits
        attend.kind = .attentionAttend
        attend.sequenceLength = Int32(keys.attend.ceilDiv(tokenSplit))
        let softmax = Operation(kind: .softmax, rows: heads, inner: tokens)
        let reduction = Operation(
            kind: .residualAdd, rows: tokenSplit > 1 ? shard.heads * queriesPerRequest : 0,
            inner: tokenSplit * (shard.model.headDimension + 2))
        return (logits, softmax, attend, reduction)
    }

    /// The cache key of a spanning request's part: its span and length.
    static func spannedKey(span: Int, sequence: Int) -> Int { span << 32 | sequence }

    /// PIM instructions the host hands over for one request's logits and attend GEMVs (one channel's part of
    /// them when the request spans `span` channels), and the cycles they keep ordinary traffic off the channel.
    func pimCommandFigures(sequenceLength: Int, span: Int = 1) -> (
        transactions: Int64, blockedCycles: Int64, logitsTransactions: Int64
    ) {
        guard let pim = devices.pim else { return (0, 0, 0) }
        let model = PIMCostModel(configuration: pim.driven(by: plan.pimModes))
        let ops: (logits: Operation, attend: Operation)
        if span > 1 {
            let part = attentionOperations(sequenceLength: sequenceLength, span: span)
            ops = (part.logits, part.attend)
        } else {
            let whole = attentionOperations(sequenceLength: sequenceLength)
            ops = (whole.logits, whole.attend)
        }
        let fused = model.configuration.commandSet == .fused
        let logits = model.commands(for: ops.logits)
        let attend = model.commands(for: ops.attend)
        return (
            logits.hostTransactions(fused: fused) + attend.hostTransactions(fused: fused),
            logits.blockedCycles + attend.blockedCycles, logits.hostTransactions(fused: fused)
        )
    }
}
