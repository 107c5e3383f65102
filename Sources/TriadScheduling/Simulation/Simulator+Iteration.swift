import TriadCore
import TriadDevices

extension Simulator {
    /// Simulates one decode iteration of the current batch, adds its resource use to the totals, and
    /// returns its duration. With `.whenFaster` interleaving both splits are composed and the faster kept.
    mutating func simulateIteration(_ state: inout RunState, iteration: Int, startingAt now: Picoseconds) throws
        -> Picoseconds
    {
        composer.isRecording = !state.isWarmingUp && iteration < experiment.timelineIterations
        state.activeSlots.removeAll(keepingCapacity: true)
        state.sequences.removeAll(keepingCapacity: true)
        state.spans.removeAll(keepingCapacity: true)
        let prefill = try prefillStep(&state, iteration: iteration)
        let chunks = try promptChunks(state, iteration: iteration)
        let partitions = try prepareDecoding(&state, iteration: iteration, chunks: chunks)
        attentionForPartitions(state, partitions)
        var outcome: IterationOutcome
        if usesFastPaths, partitions.count == 2, chunks == nil,
            let bound = serialLowerBound(partitions[0], attentionIndex: 0)
        {
            // The whole batch runs each stage as one chain, so it takes at least its segments' sum: when that is longer
            // than the split's time the split is kept without composing the whole batch (the choice below, unchanged).
            let split = composeIteration(state, partitions[1], attentionIndex: 1)
            if bound > split.duration {
                outcome = split
            } else {
                let whole = composeIteration(state, partitions[0], attentionIndex: 0)
                outcome = split.duration < whole.duration ? split : whole
            }
        } else {
            outcome = composeIteration(state, partitions[0], chunks, attentionIndex: 0)
            for index in partitions.indices.dropFirst() {
                let split = composeIteration(state, partitions[index], chunks, attentionIndex: index)
                if split.duration < outcome.duration { outcome = split }
            }
        }
        if let prefill, prefill.duration > 0 {
            if composer.isRecording {
                for index in outcome.events.indices { outcome.events[index].start +|= prefill.duration }
                outcome.events.append(
                    TimelineEvent(
                        track: plan.hostResource.rawValue,
                        name: "prefill \(state.prefillStep.map(\.tokens).reduce(0, +)) tokens",
                        start: 0, duration: prefill.duration, iteration: 0, subBatch: 0, layer: 0))
            }
            outcome.duration +|= prefill.duration
            outcome.usage += prefill.usage
        }
        if state.pendingSwapBytes > 0, let bandwidth = experiment.serving.swapBytesPerSecond {
            // Swapped KV caches move over the host link before the iteration computes (vLLM waits for swap-ins).
            let swap = Picoseconds(
                min(Double(state.pendingSwapBytes) / Double(max(bandwidth, 1)) * Double(picosecondsPerSecond), 4e18))
            outcome.duration +|= swap
            state.swapTime +|= swap
            state.swappedBytes +|= state.pendingSwapBytes
            state.pendingSwapBytes = 0
        }
        if let cost = experiment.iterationCost {
            outcome.duration = cost.duration(
                prefillTokens: state.prefillStep.reduce(0) { $0 + $1.tokens }, decodeTokens: state.activeSlots.count)
        }
        state.usage += outcome.usage
        state.communication +|= outcome.communication
        state.tensorBytes +|= outcome.tensorBytes
        state.pipelineBytes +|= outcome.pipelineBytes
        let largest = max(now +| outcome.duration, state.usage.largest)
        guard largest < Int64.saturationLimit else {
            throw SimulationError(
                .incompatible,
                "the run went past 2^62 picoseconds (53 simulated days) or bytes at iteration \(iteration): a device's costs are absurd (check the topology or the workers), or ask for fewer --iterations"
            )
        }
        if outcome.parts > 1 { state.interleavedIterations += 1 }
        state.channelImbalanceSum += outcome.channelImbalance
        for var event in outcome.events {
            event.start +|= now
            event.iteration = iteration
            timeline.append(event)
        }
        return outcome.duration
    }

    /// What this plan would give the next iteration of `state`'s batch (its decoding requests; prompts still to
    /// prefill are left out), costs prepared as a real iteration prepares them; nothing is recorded and `state` is
    /// not changed (`AutoPlanner`).
    mutating func predictIteration(_ state: RunState, iteration: Int) throws -> IterationPrediction {
        var probe = state
        probe.activeSlots.removeAll(keepingCapacity: true)
        probe.sequences.removeAll(keepingCapacity: true)
        probe.spans.removeAll(keepingCapacity: true)
        // A prediction costs only the lengths in hand (no look-ahead): most candidates never run.
        let partitions = try prepareDecoding(&probe, iteration: iteration, lookahead: false)
        guard !probe.activeSlots.isEmpty else { return IterationPrediction(duration: 0, picojoules: 0, tokens: 0) }
        let recording = composer.isRecording
        composer.isRecording = false
        defer { composer.isRecording = recording }
        var best: IterationOutcome?
        attentionForPartitions(probe, partitions)
        for (index, partition) in partitions.enumerated() {
            let outcome = composeIteration(probe, partition, attentionIndex: index)
            if best == nil || outcome.duration < best!.duration { best = outcome }
        }
        guard let best else { return IterationPrediction(duration: 0, picojoules: 0, tokens: 0) }
        // Energy as the report counts it: dynamic, the memory's streaming, and every device's static share.
        var picojoules = best.usage.energyPicojoules.reduce(0, +)
        if let memory = devices.memoryConfiguration {
            picojoules += memory.streamingEnergy(readBytes: best.usage.streamedBytes)
        }
        for device in devices.devices { picojoules += device.configuration.staticEnergyPicojoules(over: best.duration) }
        return IterationPrediction(duration: best.duration, picojoules: picojoules, tokens: probe.activeSlots.count)
    }

    /// One decode step of this (draft) model over `state`'s decoding requests — speculative decoding's drafting
    /// (docs/MODEL.md §9.7) — composed as a decode step is, costs prepared, nothing recorded; it fills `state`'s
    /// per-iteration lists, which the target's step then fills again.
    mutating func draftStep(_ state: inout RunState, iteration: Int) throws -> IterationOutcome {
        composer.isRecording = false
        state.activeSlots.removeAll(keepingCapacity: true)
        state.sequences.removeAll(keepingCapacity: true)
        state.spans.removeAll(keepingCapacity: true)
        let partitions = try prepareDecoding(&state, iteration: iteration)
        guard !state.activeSlots.isEmpty else { return IterationOutcome(parts: 1) }
        attentionForPartitions(state, partitions)
        var best = composeIteration(state, partitions[0], attentionIndex: 0)
        for (index, partition) in partitions.enumerated().dropFirst() {
            let outcome = composeIteration(state, partition, attentionIndex: index)
            if outcome.duration < best.duration { best = outcome }
        }
        return best
    }

    /// Lists `state`'s decoding slots (their KV lengths and spans) after the (emptied) lists it already has, splits
    /// them every way the plan may run the iteration, and prepares the costs those splits need (with `chunks`, the
    /// first sub-batch's layer with the prompt rows added and its LM head with the finished prompts').
    private mutating func prepareDecoding(
        _ state: inout RunState, iteration: Int, lookahead: Bool = true, chunks: PromptChunks? = nil
    ) throws -> [Partition] {
        let spansChannels = attentionOnPIM
        let cap = experiment.maxSequence
        // The lists are moved out and written through pointers (no copy-on-write check per element), then cut to the
        // requests listed.
        var slots: [Int] = []
        var sequences: [Int] = []
        var spans: [Int] = []
        swap(&slots, &state.activeSlots)
        swap(&sequences, &state.sequences)
        swap(&spans, &state.spans)
        let capacity = state.isActive.count
        let start = slots.count
        slots.append(contentsOf: repeatElement(0, count: capacity))
        sequences.append(contentsOf: repeatElement(0, count: capacity))
        spans.append(contentsOf: repeatElement(1, count: capacity))
        var listed = 0
        // The same pass counts the requests per (micro-batch, channel) (`countGroups`) and notes whether every length
        // is costed already and none spans channels (then `prepareCosts` need not look at them).
        let stages = shard.model.pipelineParallel
        let channels = attentionChannels
        var counts: [Int] = []
        swap(&counts, &groupCountScratch)
        counts.removeAll(keepingCapacity: true)
        counts.append(contentsOf: repeatElement(0, count: stages * channels))
        var allCosted = true
        if !state.decodesPaused {
            state.isActive.withUnsafeBufferPointer { isActive in
                state.prefilled.withUnsafeBufferPointer { prefilled in
                    state.prefillTarget.withUnsafeBufferPointer { prefillTarget in
                        state.request.withUnsafeBufferPointer { request in
                            state.generated.withUnsafeBufferPointer { generated in
                                state.span.withUnsafeBufferPointer { span in
                                    slots.withUnsafeMutableBufferPointer { slots in
                                        sequences.withUnsafeMutableBufferPointer { sequences in
                                            spans.withUnsafeMutableBufferPointer { spans in
                                                state.channel.withUnsafeBufferPointer { channelOf in
                                                    counts.withUnsafeMutableBufferPointer { counts in
                                                        do {
                                                            var stage = start % stages
                                                            for slot in 0..<capacity
                                                            where isActive[slot] && prefilled[slot] >= prefillTarget[slot] {
                                                                let at = start + listed
                                                                slots[at] = slot
                                                                // `RunState.sequenceLength(ofSlot:cap:)`.
                                                                let sequence = min(
                                                                    request[slot].inputTokens + generated[slot] + 1, cap)
                                                                sequences[at] = sequence
                                                                let spanned = spansChannels ? span[slot] : 1
                                                                spans[at] = spanned
                                                                listed += 1
                                                                counts[
                                                                    stage * channels
                                                                        + (channels == 1 ? 0 : channelOf[slot])] += 1
                                                                stage = stage + 1 == stages ? 0 : stage + 1
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Whether every length is costed already and none spans channels (a second, short pass: the first one has
        // enough in its registers).
        pimAttention.withUnsafeBufferPointer { costed in
            sequences.withUnsafeBufferPointer { sequences in
                spans.withUnsafeBufferPointer { spans in
                    for at in start..<(start + listed) where spans[at] != 1 || !costed[sequences[at]].isKnown {
                        allCosted = false
                        break
                    }
                }
            }
        }
        slots.removeLast(capacity - listed)
        sequences.removeLast(capacity - listed)
        spans.removeLast(capacity - listed)
        swap(&slots, &state.activeSlots)
        swap(&sequences, &state.sequences)
        swap(&spans, &state.spans)
        let splits: (first: Int, second: Int?)
        switch plan.interleaving {
        case .never: splits = (1, nil)
        case .always: splits = (plan.subBatches, nil)
        case .whenFaster: splits = (1, plan.subBatches)
        }
        var partitions: [Partition] = []
        swap(&partitions, &partitionScratch)
        defer { swap(&partitions, &partitionScratch) }
        let count = splits.second == nil ? 1 : 2
        while partitions.count > count { partitions.removeLast() }
        while partitions.count < count { partitions.append(Partition(parts: 1, group: [], rows: [])) }
        // Groups are listed per request only where something reads them by request: the MoE routing, a split plan's
        // NPU share, and attention off the PIM; PIM attention assigns them in its own pass (`addPIMRequests`).
        let listing =
            !(usesFastPaths && attentionOnPIM && !plan.splitsAttention && shard.model.experts == nil)
        var scratch: [Int] = []
        swap(&scratch, &groupScratch)
        // Requests listed before this call (none in a decode step) are counted again with the others.
        if start > 0 { countGroups(state, channels: channels, into: &counts) }
        partition(state, parts: splits.first, counts: counts, into: &partitions[0], listing: listing, scratch: &scratch)
        if let second = splits.second {
            partition(state, parts: second, counts: counts, into: &partitions[1], listing: listing, scratch: &scratch)
        }
        swap(&counts, &groupCountScratch)
        swap(&scratch, &groupScratch)
        // Speculative decoding: every decoding request brings k + 1 rows to the GEMMs (and its LM head).
        if queriesPerRequest > 1 {
            for index in partitions.indices {
                for g in partitions[index].rows.indices { partitions[index].rows[g] *= queriesPerRequest }
            }
        }
        var rowCounts: [Int] = []
        swap(&rowCounts, &rowCountScratch)
        defer { swap(&rowCounts, &rowCountScratch) }
        rowCounts.removeAll(keepingCapacity: true)
        for partition in partitions { rowCounts.append(contentsOf: partition.rows) }
        if let chunks {
            for partition in partitions {
                rowCounts += [partition.rows[0] + chunks.rows, partition.rows[0] + chunks.finishing]
            }
        }
        try prepareCosts(
            rowCounts: rowCounts, sequences: state.sequences, spans: state.spans, iteration: iteration,
            lookahead: lookahead, sequencesCosted: allCosted && start == 0)
        if shard.model.experts != nil {
            routeIteration(state, chunks: chunks != nil)
            for index in partitions.indices {
                partitions[index].tails = try mixtureTails(
                    state, &partitions[index], chunks: chunks, iteration: iteration)
            }
        }
        return partitions
    }

    /// The attention of each way the iteration may split (`attentionResults[index]` for `partitions[index]`), computed
    /// together where one pass serves both (the whole batch and its two-part split, `attentionSplitsTogether`), in
    /// storage kept between iterations.
    private mutating func attentionForPartitions(_ state: RunState, _ partitions: [Partition]) {
        var sums = AttentionSums()
        var results: [BatchAttention] = []
        swap(&sums, &attentionScratch)
        swap(&results, &attentionResults)
        defer {
            swap(&sums, &attentionScratch)
            swap(&results, &attentionResults)
        }
        while results.count < partitions.count { results.append(BatchAttention()) }
        if partitions.count == 2, partitions[0].parts == 1, partitions[1].parts == 2, attentionSplitsTogether {
            var whole = BatchAttention()
            swap(&whole, &results[0])
            _ = accumulateAttention(
                state, partitions[1], operationBarrier: false, alsoWhole: true, sums: &sums, split: &results[1],
                whole: &whole)
            swap(&whole, &results[0])
            return
        }
        var unused = BatchAttention()
        for index in partitions.indices {
            _ = accumulateAttention(
                state, partitions[index], operationBarrier: false, alsoWhole: false, sums: &sums,
                split: &results[index], whole: &unused)
        }
    }

    /// A lower bound of what `composeIteration` gives a one-part partition without MoE tails or prompt chunks: each
    /// stage's one chain runs its segments one after another, each at least its duration (the shorter of its two
    /// durations when its weights may already be on chip), over every layer and the head, plus the links' time;
    /// nil for other partitions.
    private func serialLowerBound(_ partition: Partition, attentionIndex: Int) -> Picoseconds? {
        guard partition.parts == 1, partition.tails.isEmpty, partition.exchangeTime.isEmpty else { return nil }
        let hasAttention = shard.model.hasAttention
        let attention = attentionResults[attentionIndex].segments
        func shortest(_ segment: Segment) -> Picoseconds {
            segment.weightBytes > 0 ? min(segment.duration, segment.residentDuration) : segment.duration
        }
        func shortest(_ segments: [Segment]) -> Picoseconds {
            var total: Picoseconds = 0
            for segment in segments { total +|= shortest(segment) }
            return total
        }
        var bound = IterationOutcome(parts: 1)
        for stage in 0..<shard.model.pipelineParallel {
            let rows = partition.rows[stage]
            guard rows > 0 else { continue }
            guard let layer = layerCache[rows] else { return nil }
            var perLayer = shortest(layer.beforeAttention)
            if hasAttention {
                perLayer +|= shortest(attention[stage]) +| shortest(layer.afterAttention)
            }
            bound.duration +|= scaled(perLayer, times: Int64(shard.layers), over: 1, roundingUp: false)
            if runsHead { bound.duration +|= shortest(layer.head) }
            if let plan = experiment.communication {
                addCommunication(plan, rows: partition.rows[stage...stage], exchange: nil, to: &bound)
            }
        }
        return bound.duration
    }

    /// Composes the current batch split as `partition` says, the first sub-batch carrying `chunks` (costs already
    /// prepared), its attention as `attentionResults[attentionIndex]` gives it.
    private mutating func composeIteration(
        _ state: RunState, _ partition: Partition, _ chunks: PromptChunks? = nil, attentionIndex: Int
    ) -> IterationOutcome {
        let hasAttention = shard.model.hasAttention
        let stages = shard.model.pipelineParallel
        let parts = partition.parts
        var rows = partition.rows
        // The rows each (sub-)batch's GEMMs have: the first one's include the prompt chunks.
        if let chunks { rows[0] += chunks.rows }
        let given = attentionResults[attentionIndex]
        let (attention, imbalance, channelTime) = (given.segments, given.imbalance, given.channelTime)
        var outcome = IterationOutcome(parts: parts)
        outcome.channelImbalance = imbalance
        var chains: [ChainProgram] = []
        swap(&chains, &chainScratch)
        defer { swap(&chains, &chainScratch) }
        for stage in 0..<stages {
            chains.removeAll(keepingCapacity: true)
            for part in 0..<parts {
                let g = stage * parts + part
                guard rows[g] > 0 else { continue }
                let layer = layerCache[rows[g]]!
                var head = layer.head
                // The attention between the layer's parts; with prompt chunks, the first sub-batch's decodes' and then
                // the chunks'.
                var first: Segment? = hasAttention ? attention[g] : nil
                var second: Segment?
                if g == 0, let chunks {
                    if hasAttention {
                        if partition.rows[0] == 0 { first = nil }
                        second = chunks.attention
                    }
                    let headRows = partition.rows[0] + chunks.finishing
                    head = headRows > 0 ? layerCache[headRows]!.head : []
                }
                chains.append(
                    ChainProgram(
                        before: layer.beforeAttention, first: first, second: second,
                        after: hasAttention ? layer.afterAttention : [], head: runsHead ? head : [],
                        tails: partition.tails.isEmpty ? [] : partition.tails[g]))
            }
            let timeline = composer.compose(chains, layers: shard.layers)
            if composer.isRecording {
                let promptAttention =
                    stage == 0 && hasAttention && chunks != nil
                    ? layerCache[rows[0]]!.beforeAttention.count + (partition.rows[0] > 0 ? 1 : 0) : nil
                record(
                    composer.recorded, stage: stage, parts: parts, rows: rows, after: outcome.duration,
                    promptAttentionAt: promptAttention, channelTime: channelTime, into: &outcome)
            }
            outcome.duration +|= timeline.makespan
            if let plan = experiment.communication {
                let before = outcome.duration
                let groups = (stage * parts)..<((stage + 1) * parts)
                addCommunication(
                    plan, rows: rows[groups],
                    exchange: partition.exchangeTime.isEmpty
                        ? nil : (partition.exchangeTime[groups], partition.exchangeBytes[groups]),
                    to: &outcome)
                if composer.isRecording && outcome.duration > before {
                    outcome.events.append(
                        TimelineEvent(
                            track: "links", name: "stage \(stage): all-reduces, logit all-gather, hand-over",
                            start: before, duration: outcome.duration - before, iteration: 0, subBatch: 0,
                            layer: shard.layers))
                }
            }
            outcome.usage += timeline.usage
        }
        return outcome
    }
}

extension Simulator {
    /// The links' share of one stage's work for (sub-)batches of `rows`: per layer two all-reduces of the
    /// hidden activations, the LM head's logits all-gathered, and the activations handed to the next stage.
    fileprivate func addCommunication(
        _ plan: CommunicationPlan, rows: ArraySlice<Int>,
        exchange: (time: ArraySlice<Picoseconds>, bytes: ArraySlice<Int64>)?, to outcome: inout IterationOutcome
    ) {
        if shard.tokenRanks > 1 {
            // Data-parallel attention: no all-reduces or logit gather (each rank holds whole matrices for its tokens);
            // the MoE layers' all-to-alls and each rank's share handed to the next stage.
            for (offset, count) in rows.enumerated() where count > 0 {
                let group = rows.startIndex + offset
                let hidden = Int64(shard.localRows(count)) * Int64(shard.model.hiddenSize) * plan.elementBytes
                let time = (exchange?.time[group] ?? 0) +| plan.stageTransfer(hidden)
                outcome.communication +|= time
                outcome.duration +|= time
                outcome.tensorBytes +|= exchange?.bytes[group] ?? 0
                if plan.pipelineStages > 1 { outcome.pipelineBytes +|= hidden }
            }
            return
        }
        for count in rows where count > 0 {
            let hidden = Int64(count) * Int64(shard.model.hiddenSize) * plan.elementBytes
            let logits = Int64(count) * Int64(shard.model.vocabularySize) * plan.elementBytes
            let layers = Int64(shard.layers)
            let time =
                scaled(plan.allReduce(hidden), times: 2 * layers, over: 1, roundingUp: false)
                +| plan.allGather(logits) +| plan.stageTransfer(hidden)
            outcome.communication +|= time
            outcome.duration +|= time
            outcome.tensorBytes +|= scaled(plan.allReduceTraffic(hidden), times: 2 * layers, over: 1, roundingUp: false)
            if plan.pipelineStages > 1 { outcome.pipelineBytes +|= hidden }
        }
    }
}

/// One composed iteration, not yet added to the run's totals.
struct IterationOutcome {
    var events: [TimelineEvent] = []
    /// Busiest PIM channel's attention load over the mean (0 without PIM attention).
    var channelImbalance = 0.0
    var parts: Int
    var duration: Picoseconds = 0
    var usage = ResourceUsage()
    /// Time the iteration waits on links, and the bytes each rank sends: tensor-parallel collectives and
    /// pipeline hand-overs.
    var communication: Picoseconds = 0
    var tensorBytes: Int64 = 0
    var pipelineBytes: Int64 = 0

    init(parts: Int) { self.parts = parts }
}

/// One iteration as a plan would run it (`Simulator.predictIteration`).
struct IterationPrediction {
    var duration: Picoseconds
    var picojoules: Double
    /// Tokens it decodes (the batch's decoding requests).
    var tokens: Int

    /// How good it is under `objective` (lower is better, compared in order), per token: time, or energy — and with
    /// a TPOT bound (`bound`, picoseconds), every iteration that misses it ranks after every one that meets it, the
    /// misses by their time.
    func score(_ objective: PlanObjective, bound: Picoseconds?) -> (misses: Int, value: Double) {
        guard tokens > 0 else { return (2, 0) }
        let perToken = 1 / Double(tokens)
        if let bound, duration > bound { return (1, Double(duration) * perToken) }
        switch objective {
        case .throughput: return (0, Double(duration) * perToken)
        case .energy: return (0, picojoules * perToken)
        }
    }
}
