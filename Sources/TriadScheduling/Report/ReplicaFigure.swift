/// One replica's share of a replicated run (`RunReport.replicaFigures`).
public struct ReplicaFigure: Sendable, Hashable {
    /// Requests it finished, tokens per simulated second, and its decoding requests per iteration.
    public var requests: Int
    public var tokensPerSecond: Double
    public var meanBatch: Double
    /// Its requests' p99 time to first token and per-request time per output token, milliseconds (0 without).
    public var ttftP99Milliseconds: Double
    public var tpotP99Milliseconds: Double
}
