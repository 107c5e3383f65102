/// What paged KV did in a run (`RunReport.kvPaging`).
public struct KVPagingFigure: Sendable, Hashable {
    /// Block size, tokens.
    public var blockTokens: Int
    /// Requests preempted while measuring, and the prompt and generated tokens they prefilled again.
    public var preemptions: Int
    public var recomputedTokens: Int64
    /// Swap preemption: bytes moved to and from the host tier, and the time the iterations waited for them.
    public var swappedBytes: Int64 = 0
    public var swapMilliseconds: Double = 0
}

