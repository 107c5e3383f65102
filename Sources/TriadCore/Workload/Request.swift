/// One decode request: its prompt (already prefilled elsewhere) and how many tokens it will generate.
public struct Request: Sendable, Hashable {
    /// Position in the workload's stream, from 0.
    public var id: Int
    /// Prompt tokens, already in the KV cache when decoding starts.
    public var inputTokens: Int
    /// Tokens to generate (at least 1).
    public var outputTokens: Int
    /// When the request may join the batch; 0 for closed-loop workloads.
    public var arrival: Picoseconds
    /// The shared prefix its prompt starts with (-1: none) and that prefix's tokens (part of `inputTokens`).
    public var prefix = -1
    public var prefixTokens = 0
    /// The conversation it is a turn of (-1: none) and its turn, from 0: a later turn's prompt starts with the
    /// earlier turns' prompts and replies, its prefix (`Request.sessionPrefix(of:)`).
    public var session = -1
    public var turn = 0

    /// First prefix id of conversation histories: session s's history is prefix `sessionPrefixBase + s`, above any
    /// system prompt's id (at most 65,536 of those).
    public static let sessionPrefixBase = 1 << 40

    /// The prefix id of `session`'s history so far (the last finished turn's prompt and reply).
    public static func sessionPrefix(of session: Int) -> Int { sessionPrefixBase + session }

    /// Whether its prefix is a conversation's history (kept when the previous turn finished) rather than a shared
    /// system prompt (computed by the first request that uses it).
    public var prefixIsHistory: Bool { prefix >= Self.sessionPrefixBase }

    public init(id: Int, inputTokens: Int, outputTokens: Int, arrival: Picoseconds = 0) {
        self.id = id
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.arrival = arrival
    }

    /// Prompt plus output tokens: the KV cache the request holds at its end.
    public var totalTokens: Int { inputTokens + outputTokens }

    /// The request with its total length capped at `maxSequence` tokens (NeuPIMs caps at 2048):
    /// the prompt keeps at most `maxSequence − 1` tokens and at least one token is generated.
    public func capped(at maxSequence: Int) -> Request {
        var copy = self
        copy.inputTokens = min(max(inputTokens, 0), maxSequence - 1)
        copy.outputTokens = max(1, min(outputTokens, maxSequence - copy.inputTokens))
        return copy
    }
}
