import TriadCore
import TriadDevices

/// Interleaving: how a batch splits into sub-batches (per micro-batch and KV channel, by count).
extension Simulator {
    /// The sub-batch of each active request: per micro-batch and KV channel, the requests split by count
    /// into `subBatches` parts; with two parts, channels with an odd count alternate which part gets the
    /// extra request (`Scheduler::group_sub_batches`; docs/MODEL.md §3).
    func assignGroups(_ state: RunState, channels: Int, parts: Int) -> [Int] {
        // Without PIM attention every request counts as one channel's.
        func channel(_ slot: Int) -> Int { channels == 1 ? 0 : state.channel[slot] }
        let stages = shard.model.pipelineParallel
        var group = Array(repeating: 0, count: state.activeSlots.count)
        guard parts > 1 || stages > 1 else { return group }
        let keys = stages * channels
        // Per (stage, channel): requests, requests seen so far, and the first part's share (on the stack when small).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * keys) { scratch in
            scratch.initialize(repeating: 0)
            let counts = UnsafeMutableBufferPointer(rebasing: scratch[0..<keys])
            let seen = UnsafeMutableBufferPointer(rebasing: scratch[keys..<(2 * keys)])
            let firstPart = UnsafeMutableBufferPointer(rebasing: scratch[(2 * keys)..<(3 * keys)])
            for (ordinal, slot) in state.activeSlots.enumerated() {
                counts[(ordinal % stages) * channels + channel(slot)] += 1
            }
            for index in 0..<keys { firstPart[index] = counts[index] / parts }
            if parts == 2 {
                var extraToFirst = true
                for index in 0..<keys where counts[index] % 2 == 1 {
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
        }
        return group
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
        let group = assignGroups(state, channels: attentionChannels, parts: parts)
        var rows = Array(repeating: 0, count: shard.model.pipelineParallel * parts)
        for g in group { rows[g] += 1 }
        return Partition(parts: parts, group: group, rows: rows)
    }
}
