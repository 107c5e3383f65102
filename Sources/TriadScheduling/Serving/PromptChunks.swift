import TriadCore

/// The prompt chunks one iteration batches with its decodes (`--prefill mixed:N` or `prefill-first:N`,
/// `Simulator.promptChunks`).
struct PromptChunks {
    /// Prompt tokens over all chunks: rows added to the first sub-batch's GEMMs.
    var rows = 0
    /// Prompts these chunks finish: each adds a row to the LM head (its first token).
    var finishing = 0
    /// All chunks' attention in one layer, on the host.
    var attention: Segment
}
