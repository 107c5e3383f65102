public import TriadCore

/// How one attention GEMV of one request lays out on its channel (docs/MODEL.md §2.1), written once for
/// the analytic model, the command-level program and the cost bounds: `repeats` times, the runs in order,
/// each run `count` vector chunks of one GWRITE followed by `tiles` identical tiles.
///
/// - Logits K·q: per query group (heads sharing a KV head), one run of ⌈K width / row⌉ chunks; a chunk's
///   tiles cover 32 tokens each, with one result per head in the chunk.
/// - Attend S·V: per head, the full 512-token chunks, then the last (partial) one whose tiles need only
///   ⌈tokens / multipliers⌉ COMPs; ⌈d_head / banks⌉ tiles of one result each.
public struct PIMLayout: Sendable, Hashable {
    /// A run of identical chunks.
    public struct Run: Sendable, Hashable {
        public var count: Int64
        public var tiles: Int64
        /// COMPs of one tile.
        public var comps: Int64
        /// Results (READRES, or fused COMPS_READRES) of one tile.
        public var results: Int64
    }

    public var repeats: Int64
    public var runs: [Run]

    public init(operation: Operation, configuration: PIMConfiguration) {
        let sequence = Int64(operation.sequenceLength)
        let heads = Int64(operation.heads)
        let keyValueHeads = Int64(max(1, operation.keyValueHeads))
        let headDimension = Int64(operation.headDimension)
        let rowElements = Int64(configuration.rowElements)
        let banks = Int64(configuration.banksPerChannel)
        let multipliers = Int64(configuration.multipliersPerBank)
        switch operation.kind {
        case .attentionLogits:
            let keyWidth = keyValueHeads * headDimension
            repeats = heads / keyValueHeads
            runs = [
                Run(
                    count: keyWidth.ceilDiv(rowElements), tiles: sequence.ceilDiv(banks),
                    comps: min(keyWidth, rowElements).ceilDiv(multipliers),
                    results: max(1, min(keyValueHeads, rowElements / headDimension)))
            ]
        case .attentionAttend:
            let chunks = sequence.ceilDiv(rowElements)
            let tiles = headDimension.ceilDiv(banks)
            let last = Run(
                count: 1, tiles: tiles, comps: (sequence - (chunks - 1) * rowElements).ceilDiv(multipliers), results: 1)
            repeats = heads
            runs =
                chunks > 1
                ? [Run(count: chunks - 1, tiles: tiles, comps: Int64(configuration.compsPerRow), results: 1), last]
                : [last]
        default:
            preconditionFailure("PIM lays out attention GEMVs only, not \(operation.kind)")
        }
    }
}
