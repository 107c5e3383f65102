import TriadCore

/// When a serving run meets its SLOs (`triad capacity`): the `percentile` of time to first token and of time per
/// output token within their limits, or at least `attainment` of the requests meeting both. An overloaded run (its
/// queue grew all run) never meets them.
public struct CapacityCriterion: Sendable, Hashable {
    /// TTFT and TPOT limits, milliseconds (nil: not bounded).
    public var ttftLimitMilliseconds: Double?
    public var tpotLimitMilliseconds: Double?
    /// Percentile (0 < p ≤ 100) both latencies must meet; used unless `attainment` is given.
    public var percentile: Double = 99
    /// Share of requests (0 < a ≤ 1) that must meet both limits, instead of a percentile.
    public var attainment: Double?

    public init(ttftLimitMilliseconds: Double?, tpotLimitMilliseconds: Double?) {
        self.ttftLimitMilliseconds = ttftLimitMilliseconds
        self.tpotLimitMilliseconds = tpotLimitMilliseconds
    }

    /// How the criterion reads, e.g. "TTFT p99 ≤ 2000 ms and TPOT p99 ≤ 100 ms".
    public var text: String {
        func ms(_ value: Double) -> String { JSON.format(value) + " ms" }
        if let attainment {
            let limits = [ttftLimitMilliseconds.map { "TTFT ≤ " + ms($0) }, tpotLimitMilliseconds.map { "TPOT ≤ " + ms($0) }]
                .compactMap { $0 }.joined(separator: " and ")
            return "\(JSON.format(attainment * 100)) % of requests with \(limits)"
        }
        let p = "p" + JSON.format(percentile)
        return [ttftLimitMilliseconds.map { "TTFT \(p) ≤ " + ms($0) }, tpotLimitMilliseconds.map { "TPOT \(p) ≤ " + ms($0) }]
            .compactMap { $0 }.joined(separator: " and ")
    }
}
