/// Request-level figures of a serving run over the requests that finished while measuring: latency
/// percentiles (nearest rank), SLO attainment and goodput.
public struct ServingFigures: Sendable, Hashable {
    public struct Percentiles: Sendable, Hashable {
        public var mean: Double
        public var p50: Double
        public var p90: Double
        public var p99: Double

        /// Of `values` (milliseconds); zeros when empty.
        public init(_ values: [Double]) {
            guard !values.isEmpty else {
                mean = 0
                p50 = 0
                p90 = 0
                p99 = 0
                return
            }
            let sorted = values.sorted()
            mean = values.reduce(0, +) / Double(values.count)
            p50 = Self.nearestRank(sorted, 0.50)
            p90 = Self.nearestRank(sorted, 0.90)
            p99 = Self.nearestRank(sorted, 0.99)
        }

        /// The nearest-rank `quantile` (0…1) of `sorted` (ascending, not empty).
        public static func nearestRank(_ sorted: [Double], _ quantile: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((quantile * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    /// The prefill scheduler that ran (`--prefill`'s spelling).
    public var prefill: String
    public var requests: Int
    public var queueing: Percentiles
    public var timeToFirstToken: Percentiles
    public var timePerOutputToken: Percentiles
    public var endToEnd: Percentiles
    /// How fast the queue grew: the least-squares slope of each request's queueing delay over its arrival time
    /// (seconds of delay per second; 0 in a stable system, 1 − served/offered when arrivals outpace the service).
    public var queueingSlope: Double
    /// Whether the run was overloaded: the queue grew over the run (slope above `overloadSlope`, and by more than
    /// `overloadGrowthSeconds` over the arrivals measured), so its latencies grow with the run's length.
    public var overloaded: Bool
    public static let overloadSlope = 0.01
    public static let overloadGrowthSeconds = 0.1
    /// With disaggregated prefill: the mean wait for a prefill instance, prefill and KV transfer, milliseconds (the
    /// first two make up the time to first token; the transfer comes before the second token). Nil otherwise.
    public var prefillBreakdown: PrefillBreakdown?

    public struct PrefillBreakdown: Sendable, Hashable {
        public var queueing: Double
        public var prefill: Double
        public var transfer: Double
    }
    /// Share of requests meeting every given SLO (1 without SLOs).
    public var sloAttainment: Double
    /// Requests per simulated second that met every SLO.
    public var goodput: Double
    /// Time-to-first-token samples (ms), sorted, for CDFs: at most 101 quantiles (0 %, 1 %, … 100 %).
    public var ttftQuantiles: [Double]
    public var e2eQuantiles: [Double]

    public init(_ records: [RequestRecord], seconds: Double, options: ServingOptions) {
        let ms = 1e-9
        prefill = options.prefill.name
        requests = records.count
        queueing = Percentiles(records.map { Double($0.queueing) * ms })
        timeToFirstToken = Percentiles(records.map { Double($0.timeToFirstToken) * ms })
        timePerOutputToken = Percentiles(records.filter { $0.outputTokens > 1 }.map { $0.timePerOutputToken * ms })
        endToEnd = Percentiles(records.map { Double($0.endToEnd) * ms })
        let met = records.filter { record in
            let ttftOK = options.ttftLimitMilliseconds.map { Double(record.timeToFirstToken) * ms <= $0 } ?? true
            let tpotOK = options.tpotLimitMilliseconds.map { record.timePerOutputToken * ms <= $0 } ?? true
            return ttftOK && tpotOK
        }.count
        sloAttainment = records.isEmpty ? 0 : Double(met) / Double(records.count)
        goodput = seconds > 0 ? Double(met) / seconds : 0
        func quantiles(_ values: [Double]) -> [Double] {
            guard !values.isEmpty else { return [] }
            let sorted = values.sorted()
            return (0...100).map {
                sorted[min(sorted.count - 1, Int((Double($0) / 100 * Double(sorted.count - 1)).rounded()))]
            }
        }
        queueingSlope = Self.slope(records)
        if records.contains(where: { $0.prefillDuration > 0 }) {
            let count = Double(records.count)
            prefillBreakdown = PrefillBreakdown(
                queueing: records.reduce(0.0) { $0 + Double($1.prefillQueueing) } * ms / count,
                prefill: records.reduce(0.0) { $0 + Double($1.prefillDuration) } * ms / count,
                transfer: records.reduce(0.0) { $0 + Double($1.transfer) } * ms / count)
        }
        let span = Double((records.map(\.arrival).max() ?? 0) - (records.map(\.arrival).min() ?? 0)) * 1e-12
        overloaded =
            records.count >= 20 && queueingSlope > Self.overloadSlope && queueingSlope * span > Self.overloadGrowthSeconds
        ttftQuantiles = quantiles(records.map { Double($0.timeToFirstToken) * ms })
        e2eQuantiles = quantiles(records.map { Double($0.endToEnd) * ms })
    }

    /// Least-squares slope of queueing delay over arrival time (both in seconds); 0 for fewer than two arrival times.
    static func slope(_ records: [RequestRecord]) -> Double {
        guard records.count >= 2 else { return 0 }
        let n = Double(records.count)
        let xs = records.map { Double($0.arrival) * 1e-12 }
        let ys = records.map { Double($0.queueing) * 1e-12 }
        let meanX = xs.reduce(0, +) / n
        let meanY = ys.reduce(0, +) / n
        var covariance = 0.0
        var variance = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - meanX) * (y - meanY)
            variance += (x - meanX) * (x - meanX)
        }
        return variance > 0 ? covariance / variance : 0
    }
}
