public import TriadCore

/// One finished request of a serving run: when it arrived, was admitted, got its first token and finished
/// (simulated picoseconds), and its lengths.
public struct RequestRecord: Sendable, Hashable {
    public var id: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var arrival: Picoseconds
    public var admitted: Picoseconds
    public var firstToken: Picoseconds
    public var finished: Picoseconds
    /// Disaggregated prefill (0 otherwise): waiting for a prefill instance, the prefill, and the KV cache's trip to
    /// the decode devices (after the first token; `admitted` is then the decode admission).
    public var prefillQueueing: Picoseconds = 0
    public var prefillDuration: Picoseconds = 0
    public var transfer: Picoseconds = 0

    /// Waiting for a slot and KV room.
    public var queueing: Picoseconds { admitted - arrival }
    /// Time to first token: queueing, prefill and (chunked) the iterations it shared.
    public var timeToFirstToken: Picoseconds { firstToken - arrival }
    /// Mean time per output token after the first (0 for one-token outputs).
    public var timePerOutputToken: Double {
        outputTokens > 1 ? Double(finished - firstToken) / Double(outputTokens - 1) : 0
    }
    public var endToEnd: Picoseconds { finished - arrival }

    /// CSV header and row for `--requests-out` (times in milliseconds).
    public static let csvHeader =
        "id,input_tokens,output_tokens,arrival_ms,admitted_ms,first_token_ms,finished_ms,queueing_ms,ttft_ms,tpot_ms,e2e_ms"

    public var csvRow: String {
        func ms(_ value: Double) -> String { JSON.format(value / 1e9) }
        return [
            String(id), String(inputTokens), String(outputTokens), ms(Double(arrival)), ms(Double(admitted)),
            ms(Double(firstToken)), ms(Double(finished)), ms(Double(queueing)), ms(Double(timeToFirstToken)),
            ms(timePerOutputToken), ms(Double(endToEnd)),
        ].joined(separator: ",")
    }
}
