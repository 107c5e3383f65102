/// How requests are spread over a topology's replicas (`--replicas N --router R`, docs/MODEL.md §9.3). A router
/// sees only what has arrived and each replica's state at that moment, never the future of the trace.
public enum Router: String, Sendable, Hashable, CaseIterable {
    /// The i-th arrival goes to replica i mod N (vidur's and most load balancers' default).
    case roundRobin = "round-robin"
    /// Each arrival goes to the replica with the fewest outstanding tokens — prompt tokens still to prefill and
    /// output tokens still to generate over its running and waiting requests (vidur's `lor` counts requests; tokens
    /// weigh a long request as long); ties to the lowest replica.
    case leastOutstandingTokens = "least-tokens"
    /// Arrivals wait in one queue at the router; a replica takes the oldest when it has a free batch slot (a global
    /// queue, as Llumnix-style dispatchers keep; with one slot per replica, the M/D/c queue).
    case centralQueue = "central-queue"
    /// A session's turns go where its first turn went (chosen as `leastOutstandingTokens` chooses), so that the
    /// replica's prefix cache holds its history (the sticky sessions of SGLang's router and of Mooncake's
    /// cache-aware scheduling); a request without a session, or whose replica has stopped, goes by least tokens.
    case sessionAffinity = "session"

    /// The names `--router` accepts, for error messages.
    public static let accepted = allCases.map(\.rawValue).joined(separator: ", ")
}
