public import TriadCore

/// Fully-connected GEMVs on PIM (docs/MODEL.md §2.9): at small batch an FC layer is a GEMV per request that reads
/// every weight once per token, so PIM units reading the banks in parallel beat the processor's memory port — the
/// placement AttAcc (ASPLOS 2024, §4) rejects for batched FCs and PAPI (ASPLOS 2025, §3) moves at run time as
/// the batch's arithmetic intensity changes.
///
/// Layout (Newton, ISCA 2020, §III-B; the same as the logits GEMV's keys): the weight matrix W (inner × columns)
/// is split by output over the stack's channels, ⌈columns ÷ channels⌉ outputs each; an output's `inner` weights lie
/// in one bank, one DRAM row per 512 elements, so a tile of the channel's banks covers `banks` outputs and a
/// GWRITE of the input chunk serves every tile of the chunk. Each channel thus runs the logits GEMV of a request
/// whose "keys" are its outputs, with one KV head of width `inner`; the batch's `rows` input vectors are the
/// query heads sharing that KV head, served by the PIM's `gqa_mapping` (replay: one pass per vector; open-row:
/// every vector's pass on each activated tile; multi-query: `query_vectors` per COMP). The channels run in
/// parallel: the GEMV takes one channel's time and every channel's energy. The weights are stored once, in this
/// layout; the processor's streams read whole rows of it at the full bandwidth (an assumption, §2.9). Partial
/// sums over 512-element chunks are added by the host, as the logits GEMV's are (not costed, as there).
public enum PIMMatrixMapping {
    /// The GEMV one channel runs for the FC operation `operation` (a matrix op) on a stack of `channels`.
    public static func channelGEMV(of operation: Operation, channels: Int) -> Operation {
        let outputs = max(1, Int(operation.columns).ceilDiv(max(1, channels)))
        let inner = Int(operation.inner)
        var gemv = Operation(
            kind: .attentionLogits, rows: 1, inner: inner, sequenceLength: outputs, heads: Int(operation.rows),
            keyValueHeads: 1, headDimension: inner)
        gemv.pimModes = operation.pimModes
        return gemv
    }

    /// Whether `operation` is an FC operation a PIM can run: a matrix op with 16-bit weights.
    public static func runs(_ operation: Operation) -> Bool {
        operation.kind.category == .matrix && !operation.isTernary
    }
}
