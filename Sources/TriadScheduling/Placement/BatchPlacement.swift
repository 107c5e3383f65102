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
        var ledger = KVCacheLedger(rule: rule, channels: channels, capacityPerChannel: .max / 2)
        var loads = Array(repeating: Int64(0), count: channels)
        var entries = sequences.map { BatchEntry(sequenceLength: $0, channel: 0) }
        let order =
            rule == .greedyMinLoad
            ? sequences.indices.sorted { (sequences[$0], $1) > (sequences[$1], $0) } : Array(sequences.indices)
        for index in order {
            let channel = ledger.place(bytes: 0, loads: loads)!
            entries[index].channel = channel
            loads[channel] += PIMCostModel.attentionLoadEstimate(
                sequenceLength: sequences[index], width: shard.keyValueWidth, heads: shard.keyValueHeads,
                rowElements: rowElements, banks: banks)
        }
        return entries
    }
}
