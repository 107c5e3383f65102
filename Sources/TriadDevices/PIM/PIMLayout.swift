public import TriadCore

/// How one attention GEMV of one request lays out on its channel (docs/MODEL.md §2.1, §2.7), written once for
/// the analytic model, the command-level program and the cost bounds: `repeats` times, the runs in order,
/// each run `count` vector chunks of `Run.chunkWrites` GWRITEs followed by `tiles` identical tiles.
///
/// - Logits K·q: per query group (heads sharing a KV head), one run of ⌈K width / row⌉ chunks; a chunk's
///   tiles cover 32 tokens each, with one result per KV head in the chunk.
/// - Attend S·V: per head, the full 512-token chunks, then the last (partial) one whose tiles need only
///   ⌈tokens / multipliers⌉ COMPs; ⌈d_head / banks⌉ tiles of one result each.
///
/// With g query heads per KV head the configuration's `groupMapping` decides how the group is served:
/// `replay` repeats the MHA layout per query head; `open-row` activates each tile once and runs g passes on
/// it (a GWRITE of the pass's query vector before each); `multi-query` writes q = min(g,
/// `queryVectors`) vectors per chunk and reads each result out q times, ⌈g / q⌉ times over.
public struct PIMLayout: Sendable, Hashable {
    /// A run of identical chunks.
    public struct Run: Sendable, Hashable {
        public var count: Int64
        public var tiles: Int64
        /// COMPs of one pass over a tile.
        public var comps: Int64
        /// Results (READRES, or fused COMPS_READRES) of one pass for one query vector.
        public var results: Int64
        /// Passes over each activated tile (open-row: one per query head of the group).
        public var passes: Int64 = 1
        /// Query vectors each COMP serves (multi-query); every result is read out once per vector.
        public var vectors: Int64 = 1

        /// Whether every pass of a tile starts with a GWRITE of its query vector: with several passes (open-row)
        /// the global buffer holds one vector, so each row tile writes the group's g vectors again.
        public var writesEveryPass: Bool { passes > 1 }
        /// GWRITEs at the start of each chunk: its `vectors`, unless the passes write their own.
        public var chunkWrites: Int64 { writesEveryPass ? 0 : vectors }
        /// GWRITEs of one chunk.
        public var writesPerChunk: Int64 { writesEveryPass ? tiles * passes : chunkWrites }
    }

    public var repeats: Int64
    public var runs: [Run]

    public init(operation: Operation, configuration: PIMConfiguration) {
        let sequence = Int64(operation.sequenceLength)
        let heads = Int64(operation.heads)
        let keyValueHeads = Int64(max(1, operation.keyValueHeads))
        let group = max(1, heads / keyValueHeads)
        let headDimension = Int64(operation.headDimension)
        let rowElements = Int64(configuration.rowElements)
        let banks = Int64(configuration.banksPerChannel)
        let multipliers = Int64(configuration.multipliersPerBank)
        // How the group's query heads are served: passes per activated tile, vectors per COMP, and how many
        // times the whole layout repeats per KV-head group.
        var passes: Int64 = 1
        var vectors: Int64 = 1
        var groupRepeats = group
        if group > 1 {
            switch configuration.groupMapping {
            case .replay:
                break
            case .openRow:
                passes = group
                groupRepeats = 1
            case .multiQuery:
                vectors = min(group, Int64(max(1, configuration.queryVectors)))
                groupRepeats = group.ceilDiv(vectors)
            }
        }
        switch operation.kind {
        case .attentionLogits:
            let keyWidth = keyValueHeads * headDimension
            repeats = groupRepeats
            runs = [
                Run(
                    count: keyWidth.ceilDiv(rowElements), tiles: sequence.ceilDiv(banks),
                    comps: min(keyWidth, rowElements).ceilDiv(multipliers),
                    results: max(1, min(keyValueHeads, rowElements / headDimension)), passes: passes, vectors: vectors)
            ]
        case .attentionAttend:
            let chunks = sequence.ceilDiv(rowElements)
            let tiles = headDimension.ceilDiv(banks)
            let last = Run(
                count: 1, tiles: tiles, comps: (sequence - (chunks - 1) * rowElements).ceilDiv(multipliers), results: 1,
                passes: passes, vectors: vectors)
            repeats = keyValueHeads * groupRepeats
            runs =
                chunks > 1
                ? [
                    Run(
                        count: chunks - 1, tiles: tiles, comps: Int64(configuration.compsPerRow), results: 1,
                        passes: passes, vectors: vectors),
                    last,
                ]
                : [last]
        default:
            preconditionFailure("PIM lays out attention GEMVs only, not \(operation.kind)")
        }
    }
}
