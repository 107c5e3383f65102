import Foundation
public import TriadCore

/// Speculative decoding, with free drafts (n-gram / prompt-lookup drafting) or a draft model: each decode step verifies
/// `draftTokens` drafted tokens and computes the next, so every decoding request brings k + 1 rows to the step's GEMMs
/// and k + 1 query positions to its attention — the rise in arithmetic intensity PAPI (ASPLOS 2025) schedules FC
/// kernels by. Each draft token is accepted with probability `acceptance`, independently, until the first rejection
/// (Leviathan et al., ICML 2023, §3.1): a step yields the accepted drafts plus one token, (1 − α^(k+1)) / (1 − α) on
/// average (docs/MODEL.md §9.7). A draft model proposes the k tokens first: k decode steps of its own over the same batch
/// on the same devices, before the target's step (Leviathan et al. §4; Chen et al., arXiv 2302.01318).
public struct Speculation: Sendable, Hashable {
    public var draftTokens: Int
    public var acceptance: Double
    /// The draft model (nil: free drafts); its weights and KV cache share the target's memory.
    public var draft: ModelSpec?

    /// `K:ALPHA` (K in 1…16, ALPHA in 0…1); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), (1...16).contains(k), let alpha = Double(parts[1]),
            alpha.isFinite, (0...1).contains(alpha)
        else { return nil }
        draftTokens = k
        acceptance = alpha
    }

    /// Tokens a step yields on average: (1 − α^(k+1)) / (1 − α), k + 1 when every draft is accepted.
    public var expectedTokensPerStep: Double {
        acceptance >= 1
            ? Double(draftTokens + 1) : (1 - Foundation.pow(acceptance, Double(draftTokens + 1))) / (1 - acceptance)
    }
}
