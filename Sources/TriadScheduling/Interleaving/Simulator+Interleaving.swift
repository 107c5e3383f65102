import TriadCore
import TriadDevices

/// Interleaving: how a batch splits into sub-batches (per micro-batch and KV channel, by count).
extension Simulator {
    /// The sub-batch of each active request: per micro-batch and KV channel, the requests split by count
    /// into `subBatches` parts; with two parts, channels with an odd count alternate which part gets the
    /// extra request (`Scheduler::group_sub_batches`; docs/MODEL.md §3).
    func assignGroups(_ state: RunState, channels: Int, parts: Int) -> [Int] {
        var group: [Int] = []
        var rows: [Int] = []
        var scratch: [Int] = []
        assignGroups(state, channels: channels, parts: parts, group: &group, rows: &rows, scratch: &scratch)
        return group
    }

    /// `assignGroups` into `group` (each active request's) and `rows` (each group's size), reusing their storage and
    /// `scratch`'s.
    func assignGroups(
        _ state: RunState, channels: Int, parts: Int, group: inout [Int], rows: inout [Int], scratch: inout [Int]
    ) {
        let stages = shard.model.pipelineParallel
        let groups = stages * parts
        let count = state.activeSlots.count
        if rows.count != groups {
            rows.removeAll(keepingCapacity: true)
            rows.append(contentsOf: repeatElement(0, count: groups))
        }
        if group.count != count {
            group.removeAll(keepingCapacity: true)
            group.append(contentsOf: repeatElement(0, count: count))
        }
        guard parts > 1 || stages > 1 else {
            for index in 0..<count { group[index] = 0 }
            rows[0] = count
            return
        }
        for index in 0..<groups { rows[index] = 0 }
        let keys = stages * channels
        // Per (stage, channel): requests, requests seen so far, and the first part's share.
        if scratch.count != 3 * keys {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: repeatElement(0, count: 3 * keys))
        } else {
            for index in scratch.indices { scratch[index] = 0 }
        }
        scratch.withUnsafeMutableBufferPointer { scratch in
            let counts = UnsafeMutableBufferPointer(rebasing: scratch[0..<keys])
            let seen = UnsafeMutableBufferPointer(rebasing: scratch[keys..<(2 * keys)])
            let firstPart = UnsafeMutableBufferPointer(rebasing: scratch[(2 * keys)..<(3 * keys)])
            state.activeSlots.withUnsafeBufferPointer { slots in
                state.channel.withUnsafeBufferPointer { channelOf in
                    // Without PIM attention every request counts as one channel's.
                    func channel(_ slot: Int) -> Int { channels == 1 ? 0 : channelOf[slot] }
                    // Request `ordinal` belongs to micro-batch `ordinal % stages` (counted, not divided).
                    var stage = 0
                    for slot in slots {
                        counts[stage * channels + channel(slot)] += 1
                        stage = stage + 1 == stages ? 0 : stage + 1
                    }
                    for index in 0..<keys { firstPart[index] = counts[index] / parts }
                    if parts == 2 {
                        var extraToFirst = true
                        for index in 0..<keys where counts[index] % 2 == 1 {
                            firstPart[index] = extraToFirst ? counts[index] / 2 + 1 : counts[index] / 2
                            extraToFirst.toggle()
                        }
                    }
                    group.withUnsafeMutableBufferPointer { group in
                        rows.withUnsafeMutableBufferPointer { rows in
                            var stage = 0
                            for (ordinal, slot) in slots.enumerated() {
                                defer { stage = stage + 1 == stages ? 0 : stage + 1 }
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
                                rows[stage * parts + part] += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// How the batch splits: each active request's group (micro-batch × sub-batch) and each group's size.
    struct Partition {
        var parts: Int
        var group: [Int]
        var rows: [Int]
        /// A Mixture-of-Experts model's per-layer FFN segments, by group and layer (`mixtureTails`; empty otherwise).
        var tails: [[[Segment]]] = []
        /// With data-parallel attention, each group's all-to-all exchanges over its MoE layers (tokens to their experts'
        /// ranks and back; `mixtureTails`): the time on the links and the bytes the busiest rank sends (empty otherwise).
        var exchangeTime: [Picoseconds] = []
        var exchangeBytes: [Int64] = []
    }

    func partition(_ state: RunState, parts: Int) -> Partition {
        var partition = Partition(parts: parts, group: [], rows: [])
        var scratch: [Int] = []
        self.partition(state, parts: parts, into: &partition, scratch: &scratch)
        return partition
    }

    /// `partition(_:parts:)` into `partition`, reusing its storage and `scratch`'s (its MoE tails and exchanges are
    /// cleared).
    func partition(_ state: RunState, parts: Int, into partition: inout Partition, scratch: inout [Int]) {
        partition.parts = parts
        assignGroups(
            state, channels: attentionChannels, parts: parts, group: &partition.group, rows: &partition.rows,
            scratch: &scratch)
        if !partition.tails.isEmpty { partition.tails.removeAll() }
        if !partition.exchangeTime.isEmpty { partition.exchangeTime.removeAll() }
        if !partition.exchangeBytes.isEmpty { partition.exchangeBytes.removeAll() }
    }
}
