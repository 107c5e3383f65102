import TriadCore
import TriadDevices

extension Simulator {
    /// The sub-batch of each active request: per micro-batch and KV channel, the requests split by count
    /// into `subBatches` parts; with two parts, channels with an odd count alternate which part gets the
    /// extra request (`Scheduler::group_sub_batches`; docs/MODEL.md §3).
    private func assignGroups(_ state: RunState, channels: Int, parts: Int) -> [Int] {
        // Without PIM attention every request counts as one channel's.
        func channel(_ slot: Int) -> Int { channels == 1 ? 0 : state.channel[slot] }
        let stages = shard.model.pipelineParallel
        var group = Array(repeating: 0, count: state.activeSlots.count)
        var counts = Array(repeating: 0, count: stages * channels)
        for (ordinal, slot) in state.activeSlots.enumerated() {
            counts[(ordinal % stages) * channels + channel(slot)] += 1
        }
        var seen = Array(repeating: 0, count: stages * channels)
        var firstPart = counts.map { $0 / parts }
        if parts == 2 {
            var extraToFirst = true
            for index in counts.indices where counts[index] % 2 == 1 {
                firstPart[index] = extraToFirst ? counts[index] / 2 + 1 : counts[index] / 2
                extraToFirst.toggle()
            }
        }
        for (ordinal, slot) in state.activeSlots.enumerated() {
            let stage = ordinal % stages
            let key = stage * channels + channel(slot)
            let index = seen[key]
            seen[key] += 1
            let part: Int
            if parts == 1 {
                part = 0
            } else if parts == 2 {
                part = index < firstPart[key] ? 0 : 1
            } else {
                part = index * parts / counts[key]
            }
            group[ordinal] = stage * parts + part
        }
        return group
    }

    /// Simulates one decode iteration of the current batch, adds its resource use to the totals, and
    /// returns its duration. With `.whenFaster` interleaving both splits are composed and the faster kept.
    mutating func simulateIteration(_ state: inout RunState, iteration: Int, startingAt now: Picoseconds) throws
        -> Picoseconds
    {
        composer.isRecording = !state.isWarmingUp && iteration < configuration.traceIterations
        state.activeSlots.removeAll(keepingCapacity: true)
        state.sequences.removeAll(keepingCapacity: true)
        for slot in state.isActive.indices where state.isActive[slot] {
            state.activeSlots.append(slot)
            state.sequences.append(state.sequenceLength(ofSlot: slot, cap: configuration.maxSequence))
        }
        let splits: [Int]
        switch plan.interleaving {
        case .never: splits = [1]
        case .always: splits = [plan.subBatches]
        case .whenFaster: splits = [1, plan.subBatches]
        }
        let partitions = splits.map { partition(state, parts: $0) }
        try prepareCosts(
            rowCounts: partitions.flatMap(\.rows), sequences: state.sequences, iteration: iteration)
        var outcome = composeIteration(state, partitions[0])
        for candidate in partitions.dropFirst() {
            let split = composeIteration(state, candidate)
            if split.duration < outcome.duration { outcome = split }
        }
        for index in outcome.busy.indices {
            state.busy[index] += outcome.busy[index]
            state.energyPicojoules[index] += outcome.energyPicojoules[index]
        }
        state.memoryPortBusy += outcome.memoryPortBusy
        state.pipelineBusy += outcome.pipelineBusy
        state.pimChannelBusy += outcome.pimChannelBusy
        state.streamedBytes += outcome.streamedBytes
        if outcome.parts > 1 { state.interleavedIterations += 1 }
        state.channelImbalanceSum += outcome.channelImbalance
        for var event in outcome.events {
            event.start += now
            event.iteration = iteration
            trace.append(event)
        }
        return outcome.duration
    }

    /// How the batch splits: each active request's group (micro-batch × sub-batch) and each group's size.
    struct Partition {
        var parts: Int
        var group: [Int]
        var rows: [Int]
    }

    private var attentionOnPIM: Bool { shard.model.hasAttention && plan.attentionResource == .pim }

    /// One NPU clock cycle (the host's PIM issue path runs at it).
    var npuCycle: Picoseconds { devices.npu?.configuration.clock.picoseconds(forCycles: 1) ?? 1 }

    private var attentionChannels: Int { attentionOnPIM ? (devices.pim?.memory.channels ?? 1) : 1 }

    func partition(_ state: RunState, parts: Int) -> Partition {
        let group = assignGroups(state, channels: attentionChannels, parts: parts)
        var rows = Array(repeating: 0, count: shard.model.pipelineParallel * parts)
        for g in group { rows[g] += 1 }
        return Partition(parts: parts, group: group, rows: rows)
    }

    /// Each group's attention segment for the batch split as `partition` says (costs already prepared),
    /// and the KV placement's balance: busiest PIM channel's attention time over the channels' mean.
    func attentionSegments(_ state: RunState, _ partition: Partition) -> (segments: [Segment], imbalance: Double) {
        let hasAttention = shard.model.hasAttention
        let attentionOnPIM = self.attentionOnPIM
        let channels = attentionChannels
        let groups = shard.model.pipelineParallel * partition.parts
        let group = partition.group
        var channelTime = Array(repeating: Picoseconds(0), count: groups * channels)
        var channelTransactions = Array(repeating: Int64(0), count: groups * channels)
        var blocked = Array(repeating: Picoseconds(0), count: groups)
        var attention = Array(repeating: Segment(resource: plan.attentionResource), count: groups)
        var longestSoftmax = Array(repeating: Picoseconds(0), count: groups)
        for (ordinal, slot) in state.activeSlots.enumerated() {
            let g = group[ordinal]
            guard hasAttention, let cost = attentionCache[state.sequences[ordinal]] else { continue }
            attention[g].energyPicojoules += cost.energyPicojoules
            if attentionOnPIM {
                channelTime[g * channels + state.channel[slot]] += cost.duration
                channelTransactions[g * channels + state.channel[slot]] += cost.transactions
                blocked[g] += cost.blocked
                attention[g].npuSideDuration += cost.softmaxDuration
                attention[g].npuSideEnergyPicojoules += cost.softmaxEnergyPicojoules
                longestSoftmax[g] = max(longestSoftmax[g], cost.softmaxDuration)
            } else {
                attention[g].duration += cost.duration
                attention[g].dataBytes += cost.streamedBytes
            }
        }
        guard attentionOnPIM else { return (attention, 0) }
        // Channels work in parallel once the host handed them their instructions; the NPU's softmax
        // pipelines with them, plus one softmax to drain.
        for g in 0..<groups {
            let makespan = PIMAttentionPhase.makespan(
                channelTime: channelTime, transactions: channelTransactions, offset: g * channels,
                channels: channels, issueRate: plan.pimIssueRate, npuCycle: npuCycle)
            attention[g].duration = max(makespan, attention[g].npuSideDuration) + longestSoftmax[g]
            // Busy as the paper counts PIM: the channels' mean time with work queued.
            var total: Picoseconds = 0
            for c in 0..<channels { total += channelTime[g * channels + c] }
            attention[g].meanChannelBusy = total / Picoseconds(max(channels, 1))
            // With dual row buffers ordinary traffic runs between PIM commands but loses the cycles they hold
            // each channel; a stream spread over every channel loses the channels' mean.
            attention[g].meanChannelBlocked = blocked[g] / Picoseconds(max(channels, 1))
        }
        var busiest: Picoseconds = 0
        var total: Picoseconds = 0
        for c in 0..<channels {
            var load: Picoseconds = 0
            for g in 0..<groups { load += channelTime[g * channels + c] }
            busiest = max(busiest, load)
            total += load
        }
        return (attention, total > 0 ? Double(busiest) * Double(channels) / Double(total) : 0)
    }

    /// Composes the current batch split as `partition` says (its costs already prepared).
    private mutating func composeIteration(_ state: RunState, _ partition: Partition) -> IterationOutcome {
        let hasAttention = shard.model.hasAttention
        let stages = shard.model.pipelineParallel
        let parts = partition.parts
        let rows = partition.rows
        let (attention, imbalance) = attentionSegments(state, partition)
        var outcome = IterationOutcome(parts: parts)
        outcome.channelImbalance = imbalance
        var chains: [ChainProgram] = []
        chains.reserveCapacity(parts)
        for stage in 0..<stages {
            chains.removeAll(keepingCapacity: true)
            for part in 0..<parts {
                let g = stage * parts + part
                guard rows[g] > 0 else { continue }
                let layer = layerCache[rows[g]]!
                let program =
                    hasAttention
                    ? layer.beforeAttention + [attention[g]] + layer.afterAttention : layer.beforeAttention
                chains.append(ChainProgram(layer: program, head: layer.head))
            }
            let timeline = composer.compose(chains, layers: shard.layers)
            if composer.isRecording {
                record(
                    composer.recorded, stage: stage, parts: parts, rows: rows, after: outcome.duration, into: &outcome)
            }
            outcome.duration += timeline.makespan
            for index in timeline.busy.indices {
                outcome.busy[index] += timeline.busy[index]
                outcome.energyPicojoules[index] += timeline.energyPicojoules[index]
            }
            outcome.memoryPortBusy += timeline.memoryPortBusy
            outcome.pipelineBusy += timeline.pipelineBusy
            outcome.pimChannelBusy += timeline.pimChannelBusy
            outcome.streamedBytes += timeline.streamedBytes
        }
        return outcome
    }
}

extension Simulator {
    /// Names the recorded segments of one pipeline stage and adds them to `outcome`, offset by `offset`.
    fileprivate func record(
        _ segments: [ScheduledSegment], stage: Int, parts: Int, rows: [Int], after offset: Picoseconds,
        into outcome: inout IterationOutcome
    ) {
        // Chains were built for the stage's non-empty sub-batches, in order.
        let subBatches = (0..<parts).filter { rows[stage * parts + $0] > 0 }
        for segment in segments {
            let subBatch = segment.chain < subBatches.count ? subBatches[segment.chain] : segment.chain
            let beforeCount = layerCache[rows[stage * parts + subBatch]]?.beforeAttention.count ?? 0
            let phase: String
            if segment.isHead {
                phase = "lm head"
            } else if !shard.model.hasAttention {
                phase = "layer"
            } else if segment.index < beforeCount {
                phase = "qkv"
            } else if segment.index == beforeCount {
                phase = "attention"
            } else {
                phase = "proj+ffn"
            }
            let track: String
            switch segment.resource {
            case .npu: track = "npu"
            case .pim: track = "pim"
            case .fpga: track = "fpga"
            }
            let name = segment.isHead ? "\(phase) sb\(subBatch)" : "L\(segment.layer) \(phase) sb\(subBatch)"
            outcome.events.append(
                TraceEvent(
                    track: track, name: name, start: offset + segment.start, duration: segment.end - segment.start,
                    iteration: 0, subBatch: subBatch, layer: segment.layer))
            if segment.streamEnd > segment.streamStart {
                outcome.events.append(
                    TraceEvent(
                        track: "memory port", name: "stream for \(name)", start: offset + segment.streamStart,
                        duration: segment.streamEnd - segment.streamStart, iteration: 0, subBatch: subBatch,
                        layer: segment.layer))
            }
        }
    }
}

/// One composed iteration, not yet added to the run's totals.
struct IterationOutcome {
    var events: [TraceEvent] = []
    /// Busiest PIM channel's attention load over the mean (0 without PIM attention).
    var channelImbalance = 0.0
    var parts: Int
    var duration: Picoseconds = 0
    var busy = Array(repeating: Picoseconds(0), count: Resource.allCases.count)
    var energyPicojoules = Array(repeating: 0.0, count: Resource.allCases.count)
    var memoryPortBusy: Picoseconds = 0
    var pipelineBusy: Picoseconds = 0
    var pimChannelBusy: Picoseconds = 0
    var streamedBytes: Int64 = 0

    init(parts: Int) { self.parts = parts }
}
