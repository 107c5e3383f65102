/// Which channel holds each request's KV cache, with each channel's capacity enforced.
///
/// A request reserves the KV bytes of its full length (prompt and output) when it is admitted, so a
/// channel never overflows mid-request; a request that fits nowhere waits.
public struct KVCacheLedger: Sendable {
    public let rule: ExecutionPlan.KVPlacementRule
    /// KV bytes each channel can hold (its capacity less its share of the weights).
    public let capacityPerChannel: Int64
    public private(set) var usedBytes: [Int64]
    private var nextRoundRobin = 0

    public init(rule: ExecutionPlan.KVPlacementRule, channels: Int, capacityPerChannel: Int64) {
        precondition(channels > 0)
        self.rule = rule
        self.capacityPerChannel = capacityPerChannel
        usedBytes = Array(repeating: 0, count: channels)
    }

    public var channels: Int { usedBytes.count }

    public var totalUsedBytes: Int64 { usedBytes.reduce(0, +) }

    public var totalCapacityBytes: Int64 { capacityPerChannel * Int64(channels) }

    /// Reserves `bytes` in a channel chosen by the rule; `loads` are the channels' current attention-load
    /// estimates (used by greedy placement). Returns the channel, or nil if none has room.
    public mutating func place(bytes: Int64, loads: [Int64]) -> Int? {
        switch rule {
        case .roundRobin:
            for step in 0..<channels {
                let channel = (nextRoundRobin + step) % channels
                if usedBytes[channel] + bytes <= capacityPerChannel {
                    nextRoundRobin = (channel + 1) % channels
                    usedBytes[channel] += bytes
                    return channel
                }
            }
            return nil
        case .greedyMinLoad:
            var best = -1
            for channel in 0..<channels where usedBytes[channel] + bytes <= capacityPerChannel {
                if best < 0 || loads[channel] < loads[best] { best = channel }
            }
            guard best >= 0 else { return nil }
            usedBytes[best] += bytes
            return best
        }
    }

    /// Frees a finished request's reservation.
    public mutating func release(bytes: Int64, channel: Int) {
        usedBytes[channel] -= bytes
    }
}
