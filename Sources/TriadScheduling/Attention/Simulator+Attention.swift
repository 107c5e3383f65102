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
    func attentionSegments(_ state: RunState, _ partition: Partition, operationBarrier: Bool = false) -> BatchAttention {
        var sums = AttentionSums()
        var split = BatchAttention()
        var whole = BatchAttention()
        _ = accumulateAttention(
            state, partition, operationBarrier: operationBarrier, alsoWhole: false, sums: &sums, split: &split,
            whole: &whole)
        return split
    }

    /// Whether `accumulateAttention(…, alsoWhole: true)` can give the whole batch's attention with a two-part split's:
    /// attention on the PIM, not split with the NPU.
    var attentionSplitsTogether: Bool { attentionOnPIM && !plan.splitsAttention }

    /// `partition`'s attention into `split` and, with `alsoWhole` (a two-part split whose attention
    /// `attentionSplitsTogether` allows), the same batch unsplit — each stage's requests in one group — into `whole`,
    /// from the same pass over the requests: the whole batch's sums are the two parts' (per channel) or taken in the
    /// same request order (energies), so both equal what two passes give. Returns whether `whole` was filled. Sums and
    /// results reuse the storage they are given (nothing is allocated once their sizes were seen).
    func accumulateAttention(
        _ state: RunState, _ partition: Partition, operationBarrier: Bool, alsoWhole: Bool, sums: inout AttentionSums,
        split: inout BatchAttention, whole: inout BatchAttention
    ) -> Bool {
        let attentionOnPIM = self.attentionOnPIM
        let channels = attentionChannels
        let stages = shard.model.pipelineParallel
        let groups = stages * partition.parts
        let barrier = operationBarrier && attentionOnPIM
        // A split plan's NPU takes part of each group's requests while the channels run the rest
        // (`ExecutionPlan.splitsAttention`, `npuShare`).
        let splitsAttention = attentionOnPIM && plan.splitsAttention
        let withWhole = alsoWhole && partition.parts == 2 && attentionOnPIM && !splitsAttention && !barrier
        sums.reset(groups: groups, channels: channels, stages: stages, logits: barrier)
        if shard.model.hasAttention {
            let moved = splitsAttention ? npuShare(state, group: partition.group, groups: groups, channels: channels) : []
            var logitsTime: [Picoseconds] = []
            var logitsTransactions: [Int64] = []
            swap(&logitsTime, &sums.logitsTime)
            swap(&logitsTransactions, &sums.logitsTransactions)
            sums.channelTime.withUnsafeMutableBufferPointer { time in
                sums.channelTransactions.withUnsafeMutableBufferPointer { transactions in
                    sums.groupIntegers.withUnsafeMutableBufferPointer { integers in
                        sums.groupEnergy.withUnsafeMutableBufferPointer { energy in
                            sums.wholeEnergy.withUnsafeMutableBufferPointer { wholeEnergy in
                                sums.seen.withUnsafeMutableBufferPointer { seen in
                                    addRequests(
                                        state, partition, moved: moved, channels: channels, barrier: barrier,
                                        withWhole: withWhole, time: time, transactions: transactions,
                                        integers: integers, energy: energy, wholeEnergy: wholeEnergy, seen: seen,
                                        logitsTime: &logitsTime, logitsTransactions: &logitsTransactions)
                                }
                            }
                        }
                    }
                }
            }
            swap(&logitsTime, &sums.logitsTime)
            swap(&logitsTransactions, &sums.logitsTransactions)
        }
        let stride = AttentionSums.Field.stride
        func integer(_ group: Int, _ field: AttentionSums.Field) -> Int64 { sums.groupIntegers[group * stride + field.rawValue] }
        split.segments.removeAll(keepingCapacity: true)
        for g in 0..<groups {
            var segment = Segment(resource: plan.attentionResource)
            segment.energyPicojoules = sums.groupEnergy[2 * g]
            segment.npuSideEnergyPicojoules = sums.groupEnergy[2 * g + 1]
            segment.npuSideDuration = integer(g, .npuSideDuration)
            segment.sideDataBytes = integer(g, .sideDataBytes)
            segment.duration = integer(g, .duration)
            segment.dataBytes = integer(g, .dataBytes)
            split.segments.append(segment)
        }
        guard attentionOnPIM else {
            split.imbalance = 0
            split.channelTime.removeAll(keepingCapacity: true)
            return false
        }
        if withWhole {
            whole.segments.removeAll(keepingCapacity: true)
            whole.channelTime.removeAll(keepingCapacity: true)
            sums.wholeTransactions.removeAll(keepingCapacity: true)
            // Group g is part g % 2 of stage g / 2 (`assignGroups`).
            for stage in 0..<stages {
                var segment = Segment(resource: plan.attentionResource)
                segment.energyPicojoules = sums.wholeEnergy[2 * stage]
                segment.npuSideEnergyPicojoules = sums.wholeEnergy[2 * stage + 1]
                segment.npuSideDuration = integer(2 * stage, .npuSideDuration) +| integer(2 * stage + 1, .npuSideDuration)
                whole.segments.append(segment)
                for c in 0..<channels {
                    let first = (2 * stage) * channels + c
                    whole.channelTime.append(sums.channelTime[first] +| sums.channelTime[first + channels])
                    sums.wholeTransactions.append(
                        sums.channelTransactions[first] +| sums.channelTransactions[first + channels])
                }
            }
            whole.imbalance = finishPIMAttention(
                &whole.segments, groups: stages, channels: channels, channelTime: whole.channelTime,
                channelTransactions: sums.wholeTransactions,
                blocked: { integer(2 * $0, .blocked) +| integer(2 * $0 + 1, .blocked) },
                longestSoftmax: { max(integer(2 * $0, .longestSoftmax), integer(2 * $0 + 1, .longestSoftmax)) },
                npuAttention: { _ in 0 }, splitsAttention: false, logitsTime: [], logitsTransactions: [])
        }
        split.channelTime.removeAll(keepingCapacity: true)
        split.channelTime.append(contentsOf: sums.channelTime)
        split.imbalance = finishPIMAttention(
            &split.segments, groups: groups, channels: channels, channelTime: sums.channelTime,
            channelTransactions: sums.channelTransactions, blocked: { integer($0, .blocked) },
            longestSoftmax: { integer($0, .longestSoftmax) }, npuAttention: { integer($0, .npuAttention) },
            splitsAttention: splitsAttention, logitsTime: sums.logitsTime, logitsTransactions: sums.logitsTransactions)
        return withWhole
    }

    /// The pass over the batch's requests (`accumulateAttention`): each request's cost added to its group's and
    /// channels' sums (and its stage's whole-batch energies), in request order.
    private func addRequests(
        _ state: RunState, _ partition: Partition, moved: [Bool], channels: Int, barrier: Bool, withWhole: Bool,
        time: UnsafeMutableBufferPointer<Picoseconds>, transactions: UnsafeMutableBufferPointer<Int64>,
        integers: UnsafeMutableBufferPointer<Int64>, energy: UnsafeMutableBufferPointer<Double>,
        wholeEnergy: UnsafeMutableBufferPointer<Double>, seen: UnsafeMutableBufferPointer<Int>,
        logitsTime: inout [Picoseconds], logitsTransactions: inout [Int64]
    ) {
        typealias Field = AttentionSums.Field
        let stride = Field.stride
        let attentionOnPIM = self.attentionOnPIM
        let splitsAttention = !moved.isEmpty
        if usesFastPaths && attentionOnPIM && !splitsAttention && !barrier {
            addPIMRequests(
                state, partition, channels: channels, withWhole: withWhole, time: time, transactions: transactions,
                integers: integers, energy: energy, wholeEnergy: wholeEnergy, seen: seen)
            return
        }
        let group = partition.group
        for (ordinal, slot) in state.activeSlots.enumerated() {
            let g = group[ordinal]
            let base = g * stride
            if splitsAttention && moved[ordinal] {
                guard let cost = attentionCache[state.sequences[ordinal]] else { continue }
                integers[base + Field.npuAttention.rawValue] +|= cost.npuDuration
                energy[2 * g + 1] += cost.npuEnergyPicojoules
                integers[base + Field.sideDataBytes.rawValue] +|= cost.npuStreamedBytes
                continue
            }
            let span = attentionOnPIM ? state.span[slot] : 1
            let cached =
                span == 1
                ? attentionCache[state.sequences[ordinal]]
                : spannedAttentionCache[Self.spannedKey(span: span, sequence: state.sequences[ordinal])]
            guard let cost = cached else { continue }
            let requestEnergy = span == 1 ? cost.energyPicojoules : cost.energyPicojoules * Double(span)
            energy[2 * g] += requestEnergy
            guard attentionOnPIM else {
                integers[base + Field.duration.rawValue] +|= cost.duration
                integers[base + Field.dataBytes.rawValue] +|= cost.streamedBytes
                continue
            }
            let channel = state.channel[slot]
            if span == 1 {
                time[g * channels + channel] +|= cost.duration
                transactions[g * channels + channel] +|= cost.transactions
                integers[base + Field.blocked.rawValue] +|= cost.blocked
            } else {
                // A request spanning channels runs one part in each.
                var c = channel
                for _ in 0..<span {
                    time[g * channels + c] +|= cost.duration
                    transactions[g * channels + c] +|= cost.transactions
                    c = c + 1 == channels ? 0 : c + 1
                }
                integers[base + Field.blocked.rawValue] +|= cost.blocked * Picoseconds(span)
            }
            if barrier {
                var c = channel
                for _ in 0..<span {
                    logitsTime[g * channels + c] +|= cost.logitsDuration
                    logitsTransactions[g * channels + c] +|= cost.logitsTransactions
                    c = c + 1 == channels ? 0 : c + 1
                }
            }
            integers[base + Field.npuSideDuration.rawValue] +|= cost.softmaxDuration
            energy[2 * g + 1] += cost.softmaxEnergyPicojoules
            let longest = base + Field.longestSoftmax.rawValue
            integers[longest] = max(integers[longest], cost.softmaxDuration)
            if withWhole {
                // Group g is part g % 2 of stage g / 2 (`assignGroups`).
                let stage = g / 2
                wholeEnergy[2 * stage] += requestEnergy
                wholeEnergy[2 * stage + 1] += cost.softmaxEnergyPicojoules
            }
        }
    }

    /// `addPIMRequests` with one micro-batch of one or two sub-batches: each group's sums (and the whole batch's
    /// energies) are kept in local variables rather than memory, each request adding to its group's and zero to the
    /// other's (x + 0 = x for these non-negative sums, so the results are those of `addPIMRequests` bit for bit) —
    /// no chain of stores and loads through the same address from one request to the next.
    ///
    /// This loop and `addPIMRequests` spell out the same per-request lookup rather than share a helper: measured, a
    /// shared helper cost 2–5 % of the whole run.
    private func addPIMRequestsOfOneStage(
        _ state: RunState, _ partition: Partition, channels: Int, withWhole: Bool,
        time: UnsafeMutableBufferPointer<Picoseconds>, transactions: UnsafeMutableBufferPointer<Int64>,
        integers: UnsafeMutableBufferPointer<Int64>, energy: UnsafeMutableBufferPointer<Double>,
        wholeEnergy: UnsafeMutableBufferPointer<Double>, seen: UnsafeMutableBufferPointer<Int>
    ) {
        typealias Field = AttentionSums.Field
        let parts = partition.parts
        var requestEnergy: (Double, Double) = (0, 0)
        var softmaxEnergy: (Double, Double) = (0, 0)
        var wholeRequestEnergy = 0.0
        var wholeSoftmaxEnergy = 0.0
        var blocked: (Picoseconds, Picoseconds) = (0, 0)
        var softmaxTime: (Picoseconds, Picoseconds) = (0, 0)
        var longestSoftmax: (Picoseconds, Picoseconds) = (0, 0)
        pimAttention.withUnsafeBufferPointer { table in
            state.activeSlots.withUnsafeBufferPointer { slots in
                state.sequences.withUnsafeBufferPointer { sequences in
                    state.spans.withUnsafeBufferPointer { spans in
                        state.channel.withUnsafeBufferPointer { channelOf in
                            partition.firstPart.withUnsafeBufferPointer { firstPart in
                                for ordinal in 0..<slots.count {
                                    let channel = channels == 1 ? 0 : channelOf[slots[ordinal]]
                                    let second = parts == 2 && seen[channel] >= firstPart[channel]
                                    seen[channel] += 1
                                    let g = second ? 1 : 0
                                    let span = spans[ordinal]
                                    let energyOfRequest: Double
                                    let energyOfSoftmax: Double
                                    let softmax: Picoseconds
                                    let blockedTime: Picoseconds
                                    if span == 1 {
                                        let entry = table[sequences[ordinal]]
                                        guard entry.isKnown else { continue }
                                        time[g * channels + channel] +|= entry.duration
                                        transactions[g * channels + channel] +|= entry.transactions
                                        blockedTime = entry.blocked
                                        energyOfRequest = entry.energyPicojoules
                                        energyOfSoftmax = entry.softmaxEnergyPicojoules
                                        softmax = entry.softmaxDuration
                                    } else {
                                        // A request spanning channels runs one part in each.
                                        let key = Self.spannedKey(span: span, sequence: sequences[ordinal])
                                        guard let cost = spannedAttentionCache[key] else { continue }
                                        var c = channelOf[slots[ordinal]]
                                        for _ in 0..<span {
                                            time[g * channels + c] +|= cost.duration
                                            transactions[g * channels + c] +|= cost.transactions
                                            c = c + 1 == channels ? 0 : c + 1
                                        }
                                        blockedTime = cost.blocked * Picoseconds(span)
                                        energyOfRequest = cost.energyPicojoules * Double(span)
                                        energyOfSoftmax = cost.softmaxEnergyPicojoules
                                        softmax = cost.softmaxDuration
                                    }
                                    requestEnergy.0 += second ? 0 : energyOfRequest
                                    requestEnergy.1 += second ? energyOfRequest : 0
                                    softmaxEnergy.0 += second ? 0 : energyOfSoftmax
                                    softmaxEnergy.1 += second ? energyOfSoftmax : 0
                                    blocked.0 +|= second ? 0 : blockedTime
                                    blocked.1 +|= second ? blockedTime : 0
                                    softmaxTime.0 +|= second ? 0 : softmax
                                    softmaxTime.1 +|= second ? softmax : 0
                                    longestSoftmax.0 = max(longestSoftmax.0, second ? 0 : softmax)
                                    longestSoftmax.1 = max(longestSoftmax.1, second ? softmax : 0)
                                    wholeRequestEnergy += energyOfRequest
                                    wholeSoftmaxEnergy += energyOfSoftmax
                                }
                            }
                        }
                    }
                }
            }
        }
        let stride = Field.stride
        for g in 0..<parts {
            let base = g * stride
            integers[base + Field.blocked.rawValue] = g == 0 ? blocked.0 : blocked.1
            integers[base + Field.npuSideDuration.rawValue] = g == 0 ? softmaxTime.0 : softmaxTime.1
            integers[base + Field.longestSoftmax.rawValue] = g == 0 ? longestSoftmax.0 : longestSoftmax.1
            energy[2 * g] = g == 0 ? requestEnergy.0 : requestEnergy.1
            energy[2 * g + 1] = g == 0 ? softmaxEnergy.0 : softmaxEnergy.1
        }
        if withWhole {
            wholeEnergy[0] = wholeRequestEnergy
            wholeEnergy[1] = wholeSoftmaxEnergy
        }
    }

    /// `addRequests` for the common case — PIM attention, no NPU share, no barrier between logits and attends — from
    /// the compact per-length table (`pimAttention`): the same sums in the same order.
    private func addPIMRequests(
        _ state: RunState, _ partition: Partition, channels: Int, withWhole: Bool,
        time: UnsafeMutableBufferPointer<Picoseconds>, transactions: UnsafeMutableBufferPointer<Int64>,
        integers: UnsafeMutableBufferPointer<Int64>, energy: UnsafeMutableBufferPointer<Double>,
        wholeEnergy: UnsafeMutableBufferPointer<Double>, seen: UnsafeMutableBufferPointer<Int>
    ) {
        typealias Field = AttentionSums.Field
        let stride = Field.stride
        let blockedField = Field.blocked.rawValue
        let sideField = Field.npuSideDuration.rawValue
        let longestField = Field.longestSoftmax.rawValue
        let stages = shard.model.pipelineParallel
        let parts = partition.parts
        if stages == 1 && parts <= 2 {
            addPIMRequestsOfOneStage(
                state, partition, channels: channels, withWhole: withWhole, time: time, transactions: transactions,
                integers: integers, energy: energy, wholeEnergy: wholeEnergy, seen: seen)
            return
        }
        // Each request's group as `assignGroups` gives it: request `ordinal` is in micro-batch `ordinal % stages`, and
        // its part follows from how many requests of its (micro-batch, channel) came before it.
        pimAttention.withUnsafeBufferPointer { table in
            state.activeSlots.withUnsafeBufferPointer { slots in
                state.sequences.withUnsafeBufferPointer { sequences in
                    state.spans.withUnsafeBufferPointer { spans in
                        state.channel.withUnsafeBufferPointer { channelOf in
                            partition.firstPart.withUnsafeBufferPointer { firstPart in
                                var stage = 0
                                for ordinal in 0..<slots.count {
                                    let key = stage * channels + (channels == 1 ? 0 : channelOf[slots[ordinal]])
                                    let part =
                                        parts == 1
                                        ? 0
                                        : parts == 2
                                            ? (seen[key] < firstPart[key] ? 0 : 1)
                                            : seen[key] * parts / partition.counts[key]
                                    seen[key] += 1
                                    let g = stage * parts + part
                                    stage = stage + 1 == stages ? 0 : stage + 1
                                    let base = g * stride
                                    let span = spans[ordinal]
                                    let requestEnergy: Double
                                    let softmaxEnergy: Double
                                    let softmax: Picoseconds
                                    if span == 1 {
                                        let entry = table[sequences[ordinal]]
                                        guard entry.isKnown else { continue }
                                        let key = g * channels + channelOf[slots[ordinal]]
                                        time[key] +|= entry.duration
                                        transactions[key] +|= entry.transactions
                                        integers[base + blockedField] +|= entry.blocked
                                        requestEnergy = entry.energyPicojoules
                                        softmaxEnergy = entry.softmaxEnergyPicojoules
                                        softmax = entry.softmaxDuration
                                    } else {
                                        // A request spanning channels runs one part in each.
                                        let key = Self.spannedKey(span: span, sequence: sequences[ordinal])
                                        guard let cost = spannedAttentionCache[key] else { continue }
                                        var c = channelOf[slots[ordinal]]
                                        for _ in 0..<span {
                                            time[g * channels + c] +|= cost.duration
                                            transactions[g * channels + c] +|= cost.transactions
                                            c = c + 1 == channels ? 0 : c + 1
                                        }
                                        integers[base + blockedField] +|= cost.blocked * Picoseconds(span)
                                        requestEnergy = cost.energyPicojoules * Double(span)
                                        softmaxEnergy = cost.softmaxEnergyPicojoules
                                        softmax = cost.softmaxDuration
                                    }
                                    energy[2 * g] += requestEnergy
                                    integers[base + sideField] +|= softmax
                                    energy[2 * g + 1] += softmaxEnergy
                                    integers[base + longestField] = max(integers[base + longestField], softmax)
                                    if withWhole {
                                        // Group g is part g % 2 of stage g / 2 (`assignGroups`).
                                        let stage = g / 2
                                        wholeEnergy[2 * stage] += requestEnergy
                                        wholeEnergy[2 * stage + 1] += softmaxEnergy
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Each group's attention time from its channels' sums (behind the host's issue path), the NPU's share of a split
    /// plan, the drain of the last softmax, the paper's busy and blocked means; returns the channels' balance (busiest
    /// over mean). With `logitsTime`, all logits finish on every channel before any attend starts.
    private func finishPIMAttention(
        _ attention: inout [Segment], groups: Int, channels: Int, channelTime: [Picoseconds],
        channelTransactions: [Int64], blocked: (Int) -> Picoseconds, longestSoftmax: (Int) -> Picoseconds,
        npuAttention: (Int) -> Picoseconds, splitsAttention: Bool, logitsTime: [Picoseconds],
        logitsTransactions: [Int64]
    ) -> Double {
        let barrier = !logitsTime.isEmpty
        // Channels work in parallel once the host handed them their instructions; the NPU's softmax
        // pipelines with them, plus one softmax to drain.
        // With the barrier: all logits, then all attends, each phase waiting for its slowest channel.
        var attendTime: [Picoseconds] = []
        var attendTransactions: [Int64] = []
        if barrier {
            attendTime = channelTime
            attendTransactions = channelTransactions
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
            let groupBlocked = blocked(g)
            if splitsAttention && npuAttention(g) > 0 {
                // The NPU's share streams its K and V while the channels compute, losing the cycles the PIM's commands
                // hold the channels (§2.5) for the overlap.
                var npuTime = npuAttention(g)
                if makespan > 0 && composer.rule == .independent {
                    npuTime +|= scaled(
                        groupBlocked / Picoseconds(max(channels, 1)), times: min(npuTime, makespan), over: makespan,
                        roundingUp: false)
                }
                attention[g].npuSideDuration +|= npuTime
            }
            attention[g].duration = max(makespan, attention[g].npuSideDuration) +| longestSoftmax(g)
            // Busy as the paper counts PIM: the channels' mean time with work queued.
            var total: Picoseconds = 0
            for c in 0..<channels { total +|= channelTime[g * channels + c] }
            attention[g].meanChannelBusy = total / Picoseconds(max(channels, 1))
            // With dual row buffers ordinary traffic runs between PIM commands but loses the cycles they hold
            // each channel; a stream spread over every channel loses the channels' mean.
            attention[g].meanChannelBlocked = groupBlocked / Picoseconds(max(channels, 1))
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
