/// Shared prompt prefixes (`--shared-prefix N:K`): every request's prompt starts with one of K system prompts of N
/// tokens (each drawn uniformly from its own seeded stream), followed by the workload's own prompt; with a prefix
/// cache, a request whose prefix is already in memory prefills only its own tokens (docs/MODEL.md §9.8).
public struct SharedPrefix: Sendable, Hashable {
    public var tokens: Int
    public var count: Int

    /// `N:K` (N in 1…1,048,576 tokens, K in 1…65,536 prefixes); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let tokens = Int(parts[0]), (1...1_048_576).contains(tokens), let count = Int(parts[1]),
            (1...65_536).contains(count)
        else { return nil }
        self.tokens = tokens
        self.count = count
    }
}
