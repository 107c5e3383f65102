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
    /// round-robin from the cursor, or greedy by the span's summed load. Returns the first channel, or nil if
    /// no run of `span` channels has room.
    public mutating func placeSpanning(partBytes: Int64, span: Int, loads: [Int64]) -> Int? {
        guard span >= 1, span <= channels else { return nil }
        if span == 1 { return placeInOne(bytes: partBytes, loads: loads) }
        func fits(_ first: Int) -> Bool {
            (0..<span).allSatisfy { usedBytes[(first + $0) % channels] + partBytes <= capacityPerChannel }
        }
        var chosen = -1
        switch rule {
        case .roundRobin:
            for step in 0..<channels where fits((nextRoundRobin + step) % channels) {
                chosen = (nextRoundRobin + step) % channels
                break
            }
            guard chosen >= 0 else { return nil }
            nextRoundRobin = (chosen + span) % channels
        case .greedyMinLoad:
            var best: Int64 = 0
            for first in 0..<channels where fits(first) {
                let load = (0..<span).reduce(Int64(0)) { $0 + loads[(first + $1) % channels] }
                if chosen < 0 || load < best { (chosen, best) = (first, load) }
            }
            guard chosen >= 0 else { return nil }
        }
        for offset in 0..<span { usedBytes[(chosen + offset) % channels] += partBytes }
        return chosen
    }

    /// `placeSpanning` for one channel, without the span's loops (the common case, on every admission).
    private mutating func placeInOne(bytes: Int64, loads: [Int64]) -> Int? {
        var chosen = -1
        switch rule {
        case .roundRobin:
            for step in 0..<channels {
                let channel = (nextRoundRobin + step) % channels
                if usedBytes[channel] + bytes <= capacityPerChannel {
                    chosen = channel
                    break
                }
            }
            guard chosen >= 0 else { return nil }
            nextRoundRobin = (chosen + 1) % channels
        case .greedyMinLoad:
            for channel in 0..<channels where usedBytes[channel] + bytes <= capacityPerChannel {
                if chosen < 0 || loads[channel] < loads[chosen] { chosen = channel }
            }
            guard chosen >= 0 else { return nil }
        }
        usedBytes[chosen] += bytes
        return chosen
    }

    /// Frees a finished request's reservation.
    public mutating func release(bytes: Int64, channel: Int) {
        usedBytes[channel] -= bytes
    }

    /// Frees a spanning request's parts.
    public mutating func release(partBytes: Int64, channel: Int, span: Int) {
        if span == 1 {
            usedBytes[channel] -= partBytes
            return
        }
        for offset in 0..<span { usedBytes[(channel + offset) % channels] -= partBytes }
    }
}
