/// Which channel holds each request's KV cache, with each channel's capacity enforced.
///
/// A request reserves the KV bytes of its full length (prompt and output) when it is admitted, so a
/// channel never overflows mid-request; a request that fits nowhere waits. A request larger than one channel
/// spans several consecutive channels (`placeSpanning`), an equal part in each (docs/MODEL.md §3.1).
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
        placeSpanning(partBytes: bytes, span: 1, loads: loads)
    }

    /// Reserves `partBytes` in each of `span` consecutive channels (wrapping), the first chosen by the rule —
    /// round-robin from the cursor, or greedy by the span's summed load — leaving at least `reserve` bytes free in
    /// each. Returns the first channel, or nil if no run of `span` channels has room.
    public mutating func placeSpanning(partBytes: Int64, span: Int, loads: [Int64], reserve: Int64 = 0) -> Int? {
        guard span >= 1, span <= channels else { return nil }
        let greedy = rule == .greedyMinLoad
        var chosen = -1
        var chosenLoad: Int64 = 0
        candidates: for step in 0..<channels {
            let first = greedy ? step : (nextRoundRobin + step) % channels
            var load: Int64 = 0
            var channel = first
            for _ in 0..<span {
                guard usedBytes[channel] + partBytes + reserve <= capacityPerChannel else { continue candidates }
                if greedy { load += loads[channel] }
                channel = channel + 1 == channels ? 0 : channel + 1
            }
            if !greedy {
                chosen = first
                break
            }
            if chosen < 0 || load < chosenLoad { (chosen, chosenLoad) = (first, load) }
        }
        guard chosen >= 0 else { return nil }
        if !greedy { nextRoundRobin = (chosen + span) % channels }
        var channel = chosen
        for _ in 0..<span {
            usedBytes[channel] += partBytes
            channel = channel + 1 == channels ? 0 : channel + 1
        }
        return chosen
    }

    /// Adds `partBytes` to a request's reservation in each of its `span` channels from `channel` on (paged KV's
    /// next block, or room beside a cached prefix), leaving at least `reserve` bytes free in each; false, with
    /// nothing taken, when one of them has no room.
    public mutating func extend(partBytes: Int64, channel first: Int, span: Int, reserve: Int64 = 0) -> Bool {
        var channel = first
        for _ in 0..<span {
            guard usedBytes[channel] + partBytes + reserve <= capacityPerChannel else { return false }
            channel = channel + 1 == channels ? 0 : channel + 1
        }
        channel = first
        for _ in 0..<span {
            usedBytes[channel] += partBytes
            channel = channel + 1 == channels ? 0 : channel + 1
        }
        return true
    }

    /// Frees a one-channel reservation.
    public mutating func release(bytes: Int64, channel: Int) {
        release(partBytes: bytes, channel: channel, span: 1)
    }

    /// Frees a request's parts in `span` channels from `channel` on.
    public mutating func release(partBytes: Int64, channel first: Int, span: Int) {
        var channel = first
        for _ in 0..<span {
            usedBytes[channel] -= partBytes
            channel = channel + 1 == channels ? 0 : channel + 1
        }
    }
}
