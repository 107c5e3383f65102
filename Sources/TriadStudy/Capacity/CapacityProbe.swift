import TriadCore
public import TriadScheduling

/// One serving run of `triad capacity`: a policy at an arrival rate with one seed, judged over its measured
/// requests (all but the first `CapacitySearch.warmupShare`, which meet an empty system).
public struct CapacityProbe: Sendable, Hashable {
    /// Requests per second offered, and the seed of the arrivals and lengths.
    public var rate: Double
    public var seed: UInt64
    /// Latencies over the measured requests, milliseconds: time to first token and per-request time per output
    /// token (mean, p50, p90, p99), and at the criterion's percentile.
    public var ttft: ServingFigures.Percentiles
    public var tpot: ServingFigures.Percentiles
    public var ttftAtPercentile: Double
    public var tpotAtPercentile: Double
    /// Share of the measured requests meeting both limits, and those requests per simulated second.
    public var attainment: Double
    public var goodput: Double
    /// Whether the queue grew all run (`ServingFigures.overloaded`) and its slope.
    public var overloaded: Bool
    public var queueingSlope: Double
    /// Whether the run meets the criterion.
    public var meets: Bool

    /// Judges `records` (a run's finished requests; ids from 0 in arrival order) by `criterion`.
    init(
        rate: Double, seed: UInt64, records: [RequestRecord], requests: Int, simulatedSeconds: Double,
        criterion: CapacityCriterion
    ) {
        self.rate = rate
        self.seed = seed
        let skip = Int((Double(requests) * CapacitySearch.warmupShare).rounded(.up))
        let measured = records.filter { $0.id >= skip }
        let ms = 1e-9
        let ttfts = measured.map { Double($0.timeToFirstToken) * ms }.sorted()
        let tpots = measured.filter { $0.outputTokens > 1 }.map { $0.timePerOutputToken * ms }.sorted()
        ttft = ServingFigures.Percentiles(ttfts)
        tpot = ServingFigures.Percentiles(tpots)
        let q = criterion.percentile / 100
        let ttftAt = ttfts.isEmpty ? 0 : ServingFigures.Percentiles.nearestRank(ttfts, q)
        let tpotAt = tpots.isEmpty ? 0 : ServingFigures.Percentiles.nearestRank(tpots, q)
        ttftAtPercentile = ttftAt
        tpotAtPercentile = tpotAt
        var limits = ServingOptions()
        limits.ttftLimitMilliseconds = criterion.ttftLimitMilliseconds
        limits.tpotLimitMilliseconds = criterion.tpotLimitMilliseconds
        let figures = ServingFigures(measured, seconds: simulatedSeconds, options: limits)
        attainment = figures.sloAttainment
        goodput = figures.goodput
        overloaded = figures.overloaded
        queueingSlope = figures.queueingSlope
        let latenciesMet: Bool
        if let target = criterion.attainment {
            latenciesMet = attainment >= target
        } else {
            latenciesMet =
                (criterion.ttftLimitMilliseconds.map { ttftAt <= $0 } ?? true)
                && (criterion.tpotLimitMilliseconds.map { tpotAt <= $0 } ?? true)
        }
        // Every request must have finished: a run that lost some cannot be judged on the rest.
        meets = !measured.isEmpty && records.count == requests && !overloaded && latenciesMet
    }
}
