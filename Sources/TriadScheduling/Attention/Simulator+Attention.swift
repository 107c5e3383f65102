import TriadCore
import TriadDevices

/// Attention: each (sub-)batch's attention phase from its requests' costs — PIM channels in parallel behind
/// the host's issue path, or the NPU streaming K and V.
extension Simulator {
    var attentionOnPIM: Bool { shard.model.hasAttention && plan.attentionResource == .pim }

    /// One NPU clock cycle (the host's PIM issue path runs at it).
    var npuCycle: Picoseconds { devices.npu?.configuration.clock.picoseconds(forCycles: 1) ?? 1 }

    var attentionChannels: Int { attentionOnPIM ? (devices.pim?.memory.channels ?? 1) : 1 }

    /// Which requests a split plan's NPU takes (`moved[ordinal]`): per group, while it shortens the attention phase,
    /// the longest single-channel request of the channel with the most PIM work moves to the NPU — the phase lasts as
    /// long as the slower of the busiest channel and the NPU's share (greedy list scheduling, longest first).
    func npuShare(_ state: RunState, group: [Int], groups: Int, channels: Int) -> [Bool] {
        let count = state.activeSlots.count
        var moved = Array(repeating: false, count: count)
        var load = Array(repeating: Picoseconds(0), count: groups * channels)
        // Each (group, channel)'s single-channel requests, longest first: `order[start[key]..<start[key + 1]]`.
        var start = Array(repeating: 0, count: groups * channels + 1)
        for (ordinal, slot) in state.activeSlots.enumerated() {
            guard let cost = attentionCache[state.sequences[ordinal]] else { continue }
            let span = state.span[slot]
            if span == 1 { start[group[ordinal] * channels + state.channel[slot] + 1] += 1 }
            let work =
                span == 1
                ? cost.duration
                : spannedAttentionCache[Self.spannedKey(span: span, sequence: state.sequences[ordinal])]?.duration ?? 0
            var channel = state.channel[slot]
            for _ in 0..<span {
                load[group[ordinal] * channels + channel] +|= work
                channel = channel + 1 == channels ? 0 : channel + 1
            }
        }
        for key in 0..<(groups * channels) { start[key + 1] += start[key] }
        var order = Array(repeating: 0, count: start[groups * channels])
        var fill = start
        for (ordinal, slot) in state.activeSlots.enumerated()
        where state.span[slot] == 1 && attentionCache[state.sequences[ordinal]] != nil {
            let key = group[ordinal] * channels + state.channel[slot]
            order[fill[key]] = ordinal
            fill[key] += 1
        }
        for key in 0..<(groups * channels) where start[key + 1] - start[key] > 1 {
            order[start[key]..<start[key + 1]].sort {
                state.sequences[$0] != state.sequences[$1] ? state.sequences[$0] > state.sequences[$1] : $0 < $1
            }
        }
        var next = Array(start.dropLast())
        for g in 0..<groups {
            var npu: Picoseconds = 0
            while true {
                // The busiest channel and the runner-up.
                var busiest = 0
                var second: Picoseconds = 0
                for c in 1..<max(channels, 1) {
                    let value = load[g * channels + c]
                    if value > load[g * channels + busiest] {
                        second = max(second, load[g * channels + busiest])
                        busiest = c
                    } else {
                        second = max(second, value)
                    }
                }
                let key = g * channels + busiest
                let top = load[key]
                guard next[key] < start[key + 1] else { break }
                let pick = order[next[key]]
                let cost = attentionCache[state.sequences[pick]]!
                // Moving it must shorten the phase: the slower of the busiest channel and the NPU's share.
                guard max(max(top - cost.duration, second), npu +| cost.npuDuration) < max(top, npu) else { break }
                moved[pick] = true
                next[key] += 1
                load[key] -= cost.duration
                npu +|= cost.npuDuration
            }
        }
        return moved
    }

    /// Each group's attention segment for the batch split as `partition` says (costs already prepared),
    /// and the KV placement's balance: busiest PIM channel's attention time over the channels' mean.
    ///
    /// With `operationBarrier` every request's logits finish, on every channel, before any attend starts — the
    /// NeuPIMs simulator's two operations (`NeuPIMSLogitSoftmax`, then `NeuPIMSAttend`), which `triad snapshot`
    /// steps as the simulator does; `run` lets each channel go on to its attend (docs/MODEL.md §7.1).
    func attentionSegments(_ state: RunState, _ partition: Partition, operationBarrier: Bool = false) -> (
        segments: [Segment], imbalance: Double, channelTime: [Picoseconds]
    ) {
        attentionSegments(state, partition, operationBarrier: operationBarrier, alsoWhole: false).split
    }

    /// Whether `attentionSegments(…, alsoWhole: true)` can give the whole batch's attention with a two-part split's:
    /// attention on the PIM, not split with the NPU.
    var attentionSplitsTogether: Bool { attentionOnPIM && !plan.splitsAttention }

    /// `partition`'s attention and, with `alsoWhole` (a two-part split whose attention `attentionSplitsTogether`
    /// allows), the same batch unsplit — each stage's requests in one group — from the same pass over the requests:
    /// the whole batch's sums are the two parts' (per channel) or taken in the same request order (energies), so
    /// both equal what two calls give.
    func attentionSegments(_ state: RunState, _ partition: Partition, operationBarrier: Bool, alsoWhole: Bool) -> (
        split: (segments: [Segment], imbalance: Double, channelTime: [Picoseconds]),
        whole: (segments: [Segment], imbalance: Double, channelTime: [Picoseconds])?
    ) {
        let hasAttention = shard.model.hasAttention
        let attentionOnPIM = self.attentionOnPIM
        let channels = attentionChannels
        let groups = shard.model.pipelineParallel * partition.parts
        let group = partition.group
        var channelTime = Array(repeating: Picoseconds(0), count: groups * channels)
        var channelTransactions = Array(repeating: Int64(0), count: groups * channels)
        let barrier = operationBarrier && attentionOnPIM
        var logitsTime = Array(repeating: Picoseconds(0), count: barrier ? groups * channels : 0)
        var logitsTransactions = Array(repeating: Int64(0), count: barrier ? groups * channels : 0)
        var blocked = Array(repeating: Picoseconds(0), count: groups)
        var attention = Array(repeating: Segment(resource: plan.attentionResource), count: groups)
        // A split plan's NPU takes part of each group's requests while the channels run the rest
        // (`ExecutionPlan.splitsAttention`, `npuShare`).
        let splitsAttention = attentionOnPIM && plan.splitsAttention
        let moved = splitsAttention ? npuShare(state, group: group, groups: groups, channels: channels) : []
        var npuAttention = Array(repeating: Picoseconds(0), count: splitsAttention ? groups : 0)
        var longestSoftmax = Array(repeating: Picoseconds(0), count: groups)
        let whole = alsoWhole && partition.parts == 2 && attentionOnPIM && !splitsAttention && !barrier
        let stages = shard.model.pipelineParallel
        var wholeAttention = Array(repeating: Segment(resource: plan.attentionResource), count: whole ? stages : 0)
        var wholeBlocked = Array(repeating: Picoseconds(0), count: whole ? stages : 0)
        var wholeSoftmax = Array(repeating: Picoseconds(0), count: whole ? stages : 0)
        for (ordinal, slot) in state.activeSlots.enumerated() {
            let g = group[ordinal]
            if splitsAttention {
                if moved[ordinal] {
                    guard hasAttention, let cost = attentionCache[state.sequences[ordinal]] else { continue }
                    npuAttention[g] +|= cost.npuDuration
                    attention[g].npuSideEnergyPicojoules += cost.npuEnergyPicojoules
                    attention[g].sideDataBytes +|= cost.npuStreamedBytes
                    continue
                }
            }
            let span = attentionOnPIM ? state.span[slot] : 1
            let cached =
                span == 1
                ? attentionCache[state.sequences[ordinal]]
                : spannedAttentionCache[Self.spannedKey(span: span, sequence: state.sequences[ordinal])]
            guard hasAttention, let cost = cached else { continue }
            attention[g].energyPicojoules += span == 1 ? cost.energyPicojoules : cost.energyPicojoules * Double(span)
            if attentionOnPIM {
                let first = g * channels + state.channel[slot]
                if span == 1 {
                    channelTime[first] +|= cost.duration
                    channelTransactions[first] +|= cost.transactions
                    blocked[g] +|= cost.blocked
                } else {
                    // A request spanning channels runs one part in each.
                    var channel = state.channel[slot]
                    for _ in 0..<span {
                        channelTime[g * channels + channel] +|= cost.duration
                        channelTransactions[g * channels + channel] +|= cost.transactions
                        channel = channel + 1 == channels ? 0 : channel + 1
                    }
                    blocked[g] +|= cost.blocked * Picoseconds(span)
                }
                if barrier {
                    var channel = state.channel[slot]
                    for _ in 0..<span {
                        logitsTime[g * channels + channel] +|= cost.logitsDuration
                        logitsTransactions[g * channels + channel] +|= cost.logitsTransactions
                        channel = channel + 1 == channels ? 0 : channel + 1
                    }
                }
                attention[g].npuSideDuration +|= cost.softmaxDuration
                attention[g].npuSideEnergyPicojoules += cost.softmaxEnergyPicojoules
                longestSoftmax[g] = max(longestSoftmax[g], cost.softmaxDuration)
                if whole {
                    // Group g is part g % 2 of stage g / 2 (`assignGroups`).
                    let stage = g / 2
                    wholeAttention[stage].energyPicojoules +=
                        span == 1 ? cost.energyPicojoules : cost.energyPicojoules * Double(span)
                    wholeBlocked[stage] +|= span == 1 ? cost.blocked : cost.blocked * Picoseconds(span)
                    wholeAttention[stage].npuSideDuration +|= cost.softmaxDuration
                    wholeAttention[stage].npuSideEnergyPicojoules += cost.softmaxEnergyPicojoules
                    wholeSoftmax[stage] = max(wholeSoftmax[stage], cost.softmaxDuration)
                }
            } else {
                attention[g].duration +|= cost.duration
                attention[g].dataBytes +|= cost.streamedBytes
            }
        }
        guard attentionOnPIM else { return ((attention, 0, []), nil) }
        var wholeResult: (segments: [Segment], imbalance: Double, channelTime: [Picoseconds])?
        if whole {
            var wholeTime = Array(repeating: Picoseconds(0), count: stages * channels)
            var wholeTransactions = Array(repeating: Int64(0), count: stages * channels)
            for stage in 0..<stages {
                for c in 0..<channels {
                    let first = (2 * stage) * channels + c
                    wholeTime[stage * channels + c] = channelTime[first] +| channelTime[first + channels]
                    wholeTransactions[stage * channels + c] = channelTransactions[first] +| channelTransactions[first + channels]
                }
            }
            let imbalance = finishPIMAttention(
                &wholeAttention, groups: stages, channels: channels, channelTime: wholeTime,
                channelTransactions: wholeTransactions, blocked: wholeBlocked, longestSoftmax: wholeSoftmax,
                npuAttention: [], splitsAttention: false, logitsTime: [], logitsTransactions: [])
            wholeResult = (wholeAttention, imbalance, wholeTime)
        }
        let imbalance = finishPIMAttention(
            &attention, groups: groups, channels: channels, channelTime: channelTime,
            channelTransactions: channelTransactions, blocked: blocked, longestSoftmax: longestSoftmax,
            npuAttention: npuAttention, splitsAttention: splitsAttention, logitsTime: barrier ? logitsTime : [],
            logitsTransactions: barrier ? logitsTransactions : [])
        return ((attention, imbalance, channelTime), wholeResult)
    }

    /// Each group's attention time from its channels' sums (behind the host's issue path), the NPU's share of a split
    /// plan, the drain of the last softmax, the paper's busy and blocked means; returns the channels' balance (busiest
    /// over mean). With `logitsTime`, all logits finish on every channel before any attend starts.
    private func finishPIMAttention(
        _ attention: inout [Segment], groups: Int, channels: Int, channelTime: [Picoseconds],
        channelTransactions: [Int64], blocked: [Picoseconds], longestSoftmax: [Picoseconds], npuAttention: [Picoseconds],
        splitsAttention: Bool, logitsTime: [Picoseconds], logitsTransactions: [Int64]
    ) -> Double {
        let barrier = !logitsTime.isEmpty
        // Channels work in parallel once the host handed them their instructions; the NPU's softmax
        // pipelines with them, plus one softmax to drain.
        // With the barrier: all logits, then all attends, each phase waiting for its slowest channel.
        var attendTime = channelTime
        var attendTransactions = channelTransactions
        if barrier {
            for index in attendTime.indices {
                attendTime[index] -= logitsTime[index]
                attendTransactions[index] -= logitsTransactions[index]
            }
        }
        for g in 0..<groups where !(splitsAttention && g % 2 == 1) {
            var makespan: Picoseconds
            if barrier {
                makespan =
                    PIMAttentionPhase.makespan(
                        channelTime: logitsTime, transactions: logitsTransactions, offset: g * channels,
                        channels: channels, issueRate: plan.pimIssueRate, npuCycle: npuCycle)
                    +| PIMAttentionPhase.makespan(
                        channelTime: attendTime, transactions: attendTransactions, offset: g * channels,
                        channels: channels, issueRate: plan.pimIssueRate, npuCycle: npuCycle)
            } else {
                makespan = PIMAttentionPhase.makespan(
                    channelTime: channelTime, transactions: channelTransactions, offset: g * channels,
                    channels: channels, issueRate: plan.pimIssueRate, npuCycle: npuCycle)
            }
            if splitsAttention && npuAttention[g] > 0 {
                // The NPU's share streams its K and V while the channels compute, losing the cycles the PIM's commands
                // hold the channels (§2.5) for the overlap.
                var npuTime = npuAttention[g]
                if makespan > 0 && composer.rule == .independent {
                    npuTime +|= scaled(
                        blocked[g] / Picoseconds(max(channels, 1)), times: min(npuTime, makespan), over: makespan,
                        roundingUp: false)
                }
                attention[g].npuSideDuration +|= npuTime
            }
            attention[g].duration = max(makespan, attention[g].npuSideDuration) +| longestSoftmax[g]
            // Busy as the paper counts PIM: the channels' mean time with work queued.
            var total: Picoseconds = 0
            for c in 0..<channels { total +|= channelTime[g * channels + c] }
            attention[g].meanChannelBusy = total / Picoseconds(max(channels, 1))
            // With dual row buffers ordinary traffic runs between PIM commands but loses the cycles they hold
            // each channel; a stream spread over every channel loses the channels' mean.
            attention[g].meanChannelBlocked = blocked[g] / Picoseconds(max(channels, 1))
        }
        var busiest: Picoseconds = 0
        var total: Picoseconds = 0
        for c in 0..<channels {
            var load: Picoseconds = 0
            for g in 0..<groups { load +|= channelTime[g * channels + c] }
            busiest = max(busiest, load)
            total +|= load
        }
        return total > 0 ? Double(busiest) * Double(channels) / Double(total) : 0
    }

}
