public import TriadCore
import TriadDevices

/// Places a fixed decode batch's KV caches on PIM channels, as the NeuPIMs simulator's trace generator does
/// for its recorded batches (`trace-generator/get_distributions.py`): greedy min-load takes the requests
/// longest first and puts each in the channel of least estimated attention load (paper Algorithm 1,
/// docs/MODEL.md §2.6); round-robin deals them out in order.
public enum BatchPlacement {
    /// `sequences` (KV lengths) placed on `channels` channels by `rule`, in the order given.
    public static func place(
        _ sequences: [Int], channels: Int, rule: ExecutionPlan.KVPlacementRule, shard: ModelShard,
        rowElements: Int = 512, banks: Int = 32
    ) -> [BatchEntry] {
        let placement: [Int]
        switch rule {
        case .roundRobin:
            placement = sequences.indices.map { $0 % channels }
        case .greedyMinLoad:
            placement = greedy(
                loads: sequences.map {
                    PIMCostModel.attentionLoadEstimate(
                        sequenceLength: $0, width: shard.keyValueWidth, heads: shard.keyValueHeads,
                        rowElements: rowElements, banks: banks)
                }, channels: channels)
        }
        return zip(sequences, placement).map { BatchEntry(sequenceLength: $0, channel: $1) }
    }

    /// Greedy min-load over estimated loads: heaviest first, each into the least loaded channel so far.
    /// Returns each request's channel, in input order.
    public static func greedy(loads requestLoads: [Int64], channels: Int) -> [Int] {
        let order = requestLoads.indices.sorted { (requestLoads[$0], $1) > (requestLoads[$1], $0) }
        var channelLoad = Array(repeating: Int64(0), count: channels)
        var placement = Array(repeating: 0, count: requestLoads.count)
        for request in order {
            var best = 0
            for channel in 1..<max(channels, 1) where channelLoad[channel] < channelLoad[best] { best = channel }
            channelLoad[best] += requestLoads[request]
            placement[request] = best
        }
        return placement
    }
}
