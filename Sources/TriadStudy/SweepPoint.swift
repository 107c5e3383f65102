public import TriadCore
public import TriadScheduling

/// One point of a sweep (every axis but the seed) with its seeds' runs summarised: means, 95 % confidence
/// intervals (Student's t over seeds) and the speed-up over the baseline policy at the same point (per seed — the
/// same seed gives both policies the same requests — then summarised).
public struct SweepPoint: Sendable {
    public var run: SweepRun
    public var seeds: Int
    /// Each `SweepMetric` over the seeds, by its JSON key: interval figures (and the speed-up) as summaries, the
    /// others (mean, largest or smallest) as values.
    public var summaries: [String: SampleSummary]
    public var values: [String: Double]
    /// Mean busy fraction per device over the seeds, topology order.
    public var utilization: [DeviceFigure]
    /// Mean energy per token per device, joules.
    public var energyByDevice: [DeviceFigure]
    /// The first failed run's reason (the point's figures are then 0).
    public var error: String?
    /// The split that ran and the plan, as the first seed's run reports them (empty if none ran).
    public var split = ""
    public var plan = ""
    /// Serving runs: request-latency figures over seeds (ms), SLO attainment, goodput (requests/s), and the mean
    /// over seeds of each TTFT and end-to-end quantile (for CDFs).
    public var serving: Serving?

    public struct Serving: Sendable {
        public var ttftP50: SampleSummary
        public var ttftP99: SampleSummary
        public var tpotP99: SampleSummary
        public var e2eP99: SampleSummary
        public var sloAttainment: SampleSummary
        public var goodput: SampleSummary
        public var ttftQuantiles: [Double]
        public var e2eQuantiles: [Double]

        init?(_ runs: [RunMetrics]) {
            let blocks = runs.compactMap(\.serving)
            guard !blocks.isEmpty, blocks.count == runs.count else { return nil }
            ttftP50 = SampleSummary(blocks.map(\.ttftP50))
            ttftP99 = SampleSummary(blocks.map(\.ttftP99))
            tpotP99 = SampleSummary(blocks.map(\.tpotP99))
            e2eP99 = SampleSummary(blocks.map(\.e2eP99))
            sloAttainment = SampleSummary(blocks.map(\.sloAttainment))
            goodput = SampleSummary(blocks.map(\.goodput))
            func mean(_ lists: [[Double]]) -> [Double] {
                let count = lists.map(\.count).min() ?? 0
                return (0..<count).map { index in lists.map { $0[index] }.reduce(0, +) / Double(lists.count) }
            }
            ttftQuantiles = mean(blocks.map(\.ttftQuantiles))
            e2eQuantiles = mean(blocks.map(\.e2eQuantiles))
        }
    }

    /// Whether the point's runs are too short for a steady state: a seed's batch turned over fewer than twice,
    /// or its throughput spread over its batch means more than ±3 % (as `RunReport.isTooShort`).
    public var isTooShort: Bool {
        error == nil && summary("capacity_requests_per_second").mean == 0
            && (turnovers < 2 || (run.arrivalRate == nil && steadyStateSpread > Self.spreadLimit))
    }

    public static let spreadLimit = RunReport.steadyStateSpreadLimit

    /// The summary of an interval figure (`SweepMetric.jsonKey`), empty when the point has none.
    public func summary(_ jsonKey: String) -> SampleSummary { summaries[jsonKey] ?? SampleSummary([]) }
    /// The value of a mean, largest or smallest figure (`SweepMetric.jsonKey`), 0 when the point has none.
    public func value(_ jsonKey: String) -> Double { values[jsonKey] ?? 0 }

    public var throughput: SampleSummary { summary("tokens_per_second") }
    public var speedup: SampleSummary { summary("speedup") }
    public var tpot: SampleSummary { summary("inter_token_latency_ms") }
    public var tpotP99: SampleSummary { summary("inter_token_latency_p99_ms") }
    public var energy: SampleSummary { summary("energy_per_token_joules") }
    public var kvLimitedFraction: Double { value("kv_limited_fraction") }
    public var communicationFraction: Double { value("communication_fraction") }
    /// The largest within-run throughput spread of its seeds (`RunReport.steadyStateSpread`).
    public var steadyStateSpread: Double { value("steady_state_spread") }
    /// The fewest batch turnovers of its seeds.
    public var turnovers: Double { value("turnovers") }

    /// The points of `runs` (in grid order) from `results` by run key; speed-ups against `baseline`.
    public static func summarise(_ runs: [SweepRun], results: [String: RunMetrics], baseline: String) -> [SweepPoint] {
        var order: [String] = []
        var grouped: [String: [SweepRun]] = [:]
        for run in runs {
            let key = run.pointKey
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(run)
        }
        return order.map { key in
            let seeds = grouped[key]!
            let metrics = seeds.compactMap { results[$0.key] }
            let failed = metrics.first { $0.error != nil }
            let ok = failed == nil ? metrics : []
            let speedups: [Double] = seeds.compactMap { run in
                var paired = run
                paired.policy = baseline
                guard let own = results[run.key], let base = results[paired.key], own.error == nil, base.error == nil,
                    base.tokensPerSecond > 0
                else { return nil }
                return own.tokensPerSecond / base.tokensPerSecond
            }
            func mean(_ lists: [[DeviceFigure]]) -> [DeviceFigure] {
                guard let first = lists.first else { return [] }
                return first.indices.map { index in
                    DeviceFigure(
                        id: first[index].id,
                        value: lists.map { $0.indices.contains(index) ? $0[index].value : 0 }.reduce(0, +)
                            / Double(lists.count))
                }
            }
            var summaries: [String: SampleSummary] = [:]
            var values: [String: Double] = [:]
            for metric in SweepMetric.all {
                let perSeed = metric.journalKey.map { key in ok.map { $0[key] } } ?? []
                switch metric.aggregate {
                case .interval: summaries[metric.jsonKey] = SampleSummary(perSeed)
                case .speedupOverBaseline: summaries[metric.jsonKey] = SampleSummary(speedups)
                case .mean: values[metric.jsonKey] = perSeed.isEmpty ? 0 : perSeed.reduce(0, +) / Double(perSeed.count)
                case .largest: values[metric.jsonKey] = perSeed.max() ?? 0
                case .smallest: values[metric.jsonKey] = perSeed.min() ?? 0
                }
            }
            var point = SweepPoint(
                run: seeds[0], seeds: ok.count, summaries: summaries, values: values,
                utilization: mean(ok.map(\.utilization)), energyByDevice: mean(ok.map(\.energy)),
                error: failed?.error, serving: Serving(ok))
            point.split = ok.first?.split ?? ""
            point.plan = ok.first?.plan ?? ""
            return point
        }
    }
}
