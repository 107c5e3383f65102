import TriadCore

/// The running sums of one pass over a batch's attention (`Simulator.accumulateAttention`): per (group, channel) the
/// PIM work and host transactions, per group the rest, and per pipeline stage the whole batch's energies. Kept by the
/// simulator between iterations so the pass allocates nothing once its sizes were seen.
struct AttentionSums {
    /// PIM time and host instructions of each (group, channel): index `group * channels + channel`.
    var channelTime: [Picoseconds] = []
    var channelTransactions: [Int64] = []
    /// The logits GEMVs' share of the two above (only when every logit finishes before any attend; else empty).
    var logitsTime: [Picoseconds] = []
    var logitsTransactions: [Int64] = []
    /// Per group, `Field.count` integers: see `Field`.
    var groupIntegers: [Int64] = []
    /// Per group: the energy on the attention device and on the NPU's side, picojoules.
    var groupEnergy: [Double] = []
    /// Per pipeline stage, the whole (unsplit) batch's energy and NPU-side energy, picojoules, summed in request order.
    var wholeEnergy: [Double] = []
    /// The whole batch's host instructions per (stage, channel): the two parts' together.
    var wholeTransactions: [Int64] = []
    /// Requests of each (micro-batch, channel) met so far in the pass (to give each its part, `assignGroups`).
    var seen: [Int] = []

    /// The integer sums kept per group, in this order.
    enum Field: Int, CaseIterable {
        /// Time PIM commands keep ordinary traffic off the channels, summed over the group's requests.
        case blocked
        /// A split plan's NPU share of the attention.
        case npuAttention
        /// The group's longest softmax (drained after the channels finish).
        case longestSoftmax
        /// Softmax and NPU-share time on the NPU's vector units beside the PIM.
        case npuSideDuration
        /// Bytes the NPU share streams.
        case sideDataBytes
        /// NPU attention: the time and the bytes of K and V streamed.
        case duration
        case dataBytes

        static let stride = Field.allCases.count
    }

    /// Zeroes the sums for `groups` groups of `channels` channels over `stages` stages, resizing only when they grow.
    mutating func reset(groups: Int, channels: Int, stages: Int, logits: Bool) {
        Self.zero(&channelTime, groups * channels)
        Self.zero(&channelTransactions, groups * channels)
        Self.zero(&logitsTime, logits ? groups * channels : 0)
        Self.zero(&logitsTransactions, logits ? groups * channels : 0)
        Self.zero(&groupIntegers, groups * Field.stride)
        Self.zero(&groupEnergy, groups * 2)
        Self.zero(&wholeEnergy, stages * 2)
        Self.zero(&wholeTransactions, 0)
        Self.zero(&seen, stages * channels)
    }

    private static func zero<Element: Numeric>(_ values: inout [Element], _ count: Int) {
        if values.count == count {
            for index in values.indices { values[index] = 0 }
        } else {
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: repeatElement(0, count: count))
        }
    }
}
