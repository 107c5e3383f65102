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
        /// At most this many prompt tokens (over all prefilling requests, oldest first) per iteration.
        case chunked(Int)

        /// Largest chunk `chunked:N` accepts.
        public static let chunkLimit = 65_536

        /// `none`, `whole` or `chunked:N` (N in 1…65,536), as flags and sweep specs write it; nil otherwise.
        public init?(_ text: String) {
            switch text {
            case "none": self = .none
            case "whole": self = .whole
            default:
                guard text.hasPrefix("chunked:"), let size = Int(text.dropFirst("chunked:".count)),
                    (1...Self.chunkLimit).contains(size)
                else { return nil }
                self = .chunked(size)
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

    public init() {}

    /// Whether the run measures requests (latencies, SLOs) at all.
    public var isServing: Bool {
        prefill != .none || arrivalRate != nil || ttftLimitMilliseconds != nil || tpotLimitMilliseconds != nil
            || recordsRequests
    }
}
