import TriadCore
import TriadDevices

/// Interleaving: how a batch splits into sub-batches (per micro-batch and KV channel, by count).
extension Simulator {
    /// The sub-batch of each active request: per micro-batch and KV channel, the requests split by count
    /// into `subBatches` parts; with two parts, channels with an odd count alternate which part gets the
    /// extra request (`Scheduler::group_sub_batches`; docs/MODEL.md §3).
    func assignGroups(_ state: RunState, channels: Int, parts: Int) -> [Int] {
        var partition = Partition(parts: parts, group: [], rows: [])
        var counts: [Int] = []
        countGroups(state, channels: channels, into: &counts)
        var seen: [Int] = []
        assignGroups(state, channels: channels, counts: counts, into: &partition, listing: true, scratch: &seen)
        return partition.group
    }

    /// The active requests per (micro-batch, KV channel) (index `stage * channels + channel`; without PIM attention
    /// every request counts as one channel's): request `ordinal` belongs to micro-batch `ordinal % stages`.
    func countGroups(_ state: RunState, channels: Int, into counts: inout [Int]) {
        let stages = shard.model.pipelineParallel
        counts.removeAll(keepingCapacity: true)
        counts.append(contentsOf: repeatElement(0, count: stages * channels))
        state.activeSlots.withUnsafeBufferPointer { slots in
            state.channel.withUnsafeBufferPointer { channelOf in
                counts.withUnsafeMutableBufferPointer { counts in
                    var stage = 0
                    for slot in slots {
                        counts[stage * channels + (channels == 1 ? 0 : channelOf[slot])] += 1
                        stage = stage + 1 == stages ? 0 : stage + 1
                    }
                }
            }
        }
    }

    /// Splits the batch as `partition.parts` says from the per-(micro-batch, channel) `counts`: each part's share of
    /// every key (`firstPart` with two parts) and each group's size, and with `listing` each active request's group
    /// (`group`; else empty — `Partition.part(index:key:)` gives it in a pass over the requests in order), with
    /// `scratch` as storage.
    func assignGroups(
        _ state: RunState, channels: Int, counts: [Int], into partition: inout Partition, listing: Bool,
        scratch seen: inout [Int]
    ) {
        let stages = shard.model.pipelineParallel
        let parts = partition.parts
        let keys = stages * channels
        partition.rows.removeAll(keepingCapacity: true)
        partition.rows.append(contentsOf: repeatElement(0, count: stages * parts))
        partition.firstPart.removeAll(keepingCapacity: true)
        partition.group.removeAll(keepingCapacity: true)
        partition.counts.removeAll(keepingCapacity: true)
        partition.counts.append(contentsOf: counts)
        if parts == 1 {
            for key in 0..<keys { partition.rows[key / channels] += counts[key] }
        } else if parts == 2 {
            var extraToFirst = true
            for key in 0..<keys {
                var first = counts[key] / 2
                if counts[key] % 2 == 1 {
                    if extraToFirst { first += 1 }
                    extraToFirst.toggle()
                }
                partition.firstPart.append(first)
                partition.rows[(key / channels) * 2] += first
                partition.rows[(key / channels) * 2 + 1] += counts[key] - first
            }
        } else {
            // `index * parts / count` over each key's requests: part p takes the indices i with ⌊i·parts/n⌋ = p.
            for key in 0..<keys where counts[key] > 0 {
                for part in 0..<parts {
                    let from = (part * counts[key]).ceilDiv(parts)
                    let to = ((part + 1) * counts[key]).ceilDiv(parts)
                    partition.rows[(key / channels) * parts + part] += to - from
                }
            }
        }
        guard listing else { return }
        partition.group.append(contentsOf: repeatElement(0, count: state.activeSlots.count))
        guard parts > 1 || stages > 1 else { return }
        seen.removeAll(keepingCapacity: true)
        seen.append(contentsOf: repeatElement(0, count: keys))
        var stage = 0
        for (ordinal, slot) in state.activeSlots.enumerated() {
            let key = stage * channels + (channels == 1 ? 0 : state.channel[slot])
            partition.group[ordinal] = stage * parts + partition.part(index: seen[key], key: key)
            seen[key] += 1
            stage = stage + 1 == stages ? 0 : stage + 1
        }
    }

    /// How the batch splits: each active request's group (micro-batch × sub-batch) and each group's size.
    struct Partition {
        var parts: Int
        /// Each active request's group, when listed (`assignGroups(…, listing: true)`; else empty).
        var group: [Int]
        var rows: [Int]
        /// With two parts: the first part's share of each (micro-batch, channel)'s requests (`assignGroups`).
        var firstPart: [Int] = []
        /// The active requests per (micro-batch, channel) (`countGroups`).
        var counts: [Int] = []
        /// A Mixture-of-Experts model's per-layer FFN segments, by group and layer (`mixtureTails`; empty otherwise).
        var tails: [[[Segment]]] = []
        /// With data-parallel attention, each group's all-to-all exchanges over its MoE layers (tokens to their experts'
        /// ranks and back; `mixtureTails`): the time on the links and the bytes the busiest rank sends (empty otherwise).
        var exchangeTime: [Picoseconds] = []
        var exchangeBytes: [Int64] = []

        /// The part of the request that is the `index`th of its (micro-batch, channel) `key`.
        func part(index: Int, key: Int) -> Int {
            switch parts {
            case 1: return 0
            case 2: return index < firstPart[key] ? 0 : 1
            default: return index * parts / counts[key]
            }
        }
    }

    func partition(_ state: RunState, parts: Int) -> Partition {
        var partition = Partition(parts: parts, group: [], rows: [])
        var counts: [Int] = []
        var seen: [Int] = []
        countGroups(state, channels: attentionChannels, into: &counts)
        assignGroups(state, channels: attentionChannels, counts: counts, into: &partition, listing: true, scratch: &seen)
        return partition
    }

    /// `partition(_:parts:)` into `partition` from the batch's `counts` (`countGroups`), reusing its storage and
    /// `scratch`'s (its MoE tails and exchanges are cleared); groups are listed only with `listing`.
    func partition(
        _ state: RunState, parts: Int, counts: [Int], into partition: inout Partition, listing: Bool,
        scratch: inout [Int]
    ) {
        partition.parts = parts
        assignGroups(
            state, channels: attentionChannels, counts: counts, into: &partition, listing: listing, scratch: &scratch)
        if !partition.tails.isEmpty { partition.tails.removeAll() }
        if !partition.exchangeTime.isEmpty { partition.exchangeTime.removeAll() }
        if !partition.exchangeBytes.isEmpty { partition.exchangeBytes.removeAll() }
    }
}
