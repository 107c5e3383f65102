public import TriadScheduling

/// One figure a sweep keeps of every run and summarises over a point's seeds. The list `all` is the one place its
/// names live: the journal, the point summaries, sweep.csv and sweep.jsonl all follow it, so a new figure is one
/// entry here (plus, if the HTML report should chart it, a line in `SweepReport`).
public struct SweepMetric: Sendable {
    /// How a point's seeds combine.
    public enum Aggregate: Sendable {
        /// Mean with its 95 % Student-t interval.
        case interval
        /// The point's throughput over the baseline policy's, seed by seed (the same seed gives both the same
        /// requests), then as `interval`. Not kept per run: it is derived from `tokens_per_second`.
        case speedupOverBaseline
        /// Plain mean, largest or smallest over the seeds.
        case mean, largest, smallest
    }

    /// Where it stands in the outputs: with the performance figures (before the per-device ones in sweep.jsonl) or
    /// with the run-condition figures after them.
    public enum Group: Sendable { case performance, condition }

    /// Key in the journal (nil: derived, not journaled).
    public let journalKey: String?
    /// Key in sweep.jsonl: an object {mean, ci95, n} for interval figures, else a number.
    public let jsonKey: String
    /// Columns in sweep.csv: an interval figure's mean and, if named, its half-width; else the value.
    public let csvColumns: [String]
    public let aggregate: Aggregate
    public let group: Group
    /// The figure in a run's report.
    let read: @Sendable (RunReport) -> Double

    public static let all: [SweepMetric] = [
        SweepMetric(
            journalKey: "tokens_per_second", jsonKey: "tokens_per_second",
            csvColumns: ["tokens_per_second_mean", "tokens_per_second_ci95"], aggregate: .interval, group: .performance,
            read: \.tokensPerSecond),
        SweepMetric(
            journalKey: nil, jsonKey: "speedup", csvColumns: ["speedup_mean", "speedup_ci95"],
            aggregate: .speedupOverBaseline, group: .performance, read: \.tokensPerSecond),
        SweepMetric(
            journalKey: "capacity_requests_per_second", jsonKey: "capacity_requests_per_second",
            csvColumns: ["capacity_mean", "capacity_ci95"], aggregate: .interval, group: .performance,
            read: { _ in 0 }),
        SweepMetric(
            journalKey: "itl_mean_ms", jsonKey: "inter_token_latency_ms", csvColumns: ["itl_ms_mean", "itl_ms_ci95"],
            aggregate: .interval, group: .performance, read: \.interTokenLatencyMeanMilliseconds),
        SweepMetric(
            journalKey: "itl_p99_ms", jsonKey: "inter_token_latency_p99_ms", csvColumns: ["itl_p99_ms_mean"],
            aggregate: .interval,
            group: .performance, read: \.interTokenLatencyP99Milliseconds),
        SweepMetric(
            journalKey: "energy_per_token_joules", jsonKey: "energy_per_token_joules",
            csvColumns: ["energy_per_token_j_mean", "energy_per_token_j_ci95"], aggregate: .interval,
            group: .performance, read: \.energyPerTokenJoules),
        SweepMetric(
            journalKey: "kv_limited_fraction", jsonKey: "kv_limited_fraction", csvColumns: ["kv_limited_fraction"],
            aggregate: .mean, group: .condition, read: \.kvLimitedFraction),
        SweepMetric(
            journalKey: "communication_fraction", jsonKey: "communication_fraction",
            csvColumns: ["communication_fraction"], aggregate: .mean, group: .condition, read: \.communicationFraction),
        SweepMetric(
            journalKey: "steady_state_spread", jsonKey: "steady_state_spread", csvColumns: ["steady_state_spread"],
            aggregate: .largest, group: .condition, read: \.steadyStateSpread),
        SweepMetric(
            journalKey: "turnovers", jsonKey: "turnovers", csvColumns: ["turnovers"], aggregate: .smallest,
            group: .condition, read: \.turnovers),
        // The batch that ran (decoding requests per iteration: what KV capacity, arrivals and prefill left of the
        // requested batch), and how often `auto` changed plan.
        SweepMetric(
            journalKey: "mean_batch", jsonKey: "mean_batch", csvColumns: ["mean_batch"], aggregate: .mean,
            group: .condition, read: \.meanActiveRequests),
        SweepMetric(
            journalKey: "replans", jsonKey: "replans", csvColumns: ["replans"], aggregate: .mean, group: .condition,
            read: { Double($0.autoPlan?.switches ?? 0) }),
    ]

    /// The figures kept per run, in journal order.
    static let journaled = all.filter { $0.journalKey != nil }
}
