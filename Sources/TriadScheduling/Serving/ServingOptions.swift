/// How a run serves requests rather than only decoding them (all off by default: the steady-state decode mode).
/// With `prefill`, each admitted request's prompt is prefilled on the policy's host device before it decodes —
/// whole, or `chunked` a number of prompt tokens per iteration — and its first token comes from the prefill; with
/// `arrivalRate`, requests arrive as a Poisson process instead of waiting in a closed loop.
public struct ServingOptions: Sendable, Hashable {
    public enum Prefill: Sendable, Hashable {
        /// Prompts are already in the KV cache (the decode-only mode).
        case none
        /// Each prompt is prefilled in one go, before the iteration's decode step.
        case whole
        /// At most this many prompt tokens (over all prefilling requests, oldest first) per iteration, run before
        /// the decode step.
        case chunked(Int)
        /// Sarathi-Serve's stall-free batching (Agrawal et al., OSDI 2024, §4): a token budget per iteration; every
        /// decoding request takes one token of it first, then the oldest prompts take chunks of the rest, and the
        /// chunks' rows join the decode step's GEMMs (their attention runs beside the decode attention).
        case mixed(Int)
        /// vLLM's default scheduler (Kwon et al., SOSP 2023, §4.5; v0 `Scheduler._schedule_default`): while prompts
        /// wait, an iteration prefills only — whole prompts, oldest first, up to this many tokens (a longer prompt
        /// is chunked to it) — and every decode waits; otherwise it decodes.
        case prefillFirst(Int)

        /// Largest chunk or token budget accepted.
        public static let chunkLimit = 65_536

        /// `none`, `whole`, `chunked:N`, `mixed:N` or `prefill-first:N` (N in 1…65,536), as flags and sweep specs
        /// write it; nil otherwise.
        public init?(_ text: String) {
            switch text {
            case "none": self = .none
            case "whole": self = .whole
            default:
                for (prefix, make) in [
                    ("chunked:", Prefill.chunked), ("mixed:", Prefill.mixed), ("prefill-first:", Prefill.prefillFirst),
                ] where text.hasPrefix(prefix) {
                    guard let size = Int(text.dropFirst(prefix.count)), (1...Self.chunkLimit).contains(size) else {
                        return nil
                    }
                    self = make(size)
                    return
                }
                return nil
            }
        }

        /// What the flag accepts, for error messages.
        public static let accepted = "none, whole, chunked:N, mixed:N or prefill-first:N with N in 1…65536"

        /// The flag's spelling of this mode.
        public var name: String {
            switch self {
            case .none: "none"
            case .whole: "whole"
            case .chunked(let size): "chunked:\(size)"
            case .mixed(let size): "mixed:\(size)"
            case .prefillFirst(let size): "prefill-first:\(size)"
            }
        }

        /// Whether prompt chunks run inside the iteration's batched GEMMs (rather than before its decode step).
        public var batchesWithDecode: Bool {
            switch self {
            case .mixed, .prefillFirst: true
            case .none, .whole, .chunked: false
            }
        }
    }

    public var prefill: Prefill = .none
    /// Requests per second of a Poisson arrival process (nil: the workload's own arrivals).
    public var arrivalRate: Double?
    /// Service-level objectives, milliseconds: time to first token and mean time per output token.
    public var ttftLimitMilliseconds: Double?
    public var tpotLimitMilliseconds: Double?
    /// Keep one record per finished request (for `--requests-out`).
    public var recordsRequests = false
    /// Paged KV (vLLM): blocks of this many tokens, taken as requests grow, with recompute preemption when a
    /// channel runs out (nil: each request reserves its full length at admission).
    public var kvBlockTokens: Int?
    /// With paged KV: preempted requests' KV caches go to a host tier over a link of this many bytes per second and
    /// come back when they are admitted again (vLLM's swap rule); nil: they are recomputed.
    public var swapBytesPerSecond: Int64?
    /// Shared prompt prefixes, and whether a prefix cache keeps them (LRU eviction) so later requests skip them.
    public var sharedPrefix: SharedPrefix?
    public var cachesPrefixes = false
    /// Multi-turn sessions (nil: every request is a conversation of its own).
    public var sessions: Sessions?
    /// Speculative decoding (nil: one token per request per step).
    public var speculation: Speculation?
    /// End the request stream after this many requests (the run ends when they have finished; `triad capacity`).
    public var requestLimit: Int?

    public init() {}

    /// Whether the run measures requests (latencies, SLOs) at all.
    public var isServing: Bool {
        prefill != .none || arrivalRate != nil || ttftLimitMilliseconds != nil || tpotLimitMilliseconds != nil
            || recordsRequests
    }
}
