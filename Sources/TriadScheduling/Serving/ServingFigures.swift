/// Request-level figures of a serving run over the requests that finished while measuring: latency
/// percentiles (nearest rank), SLO attainment and goodput.
public struct ServingFigures: Sendable, Hashable {
    public struct Percentiles: Sendable, Hashable {
        public var mean: Double
        public var p50: Double
        public var p90: Double
        public var p99: Double

        /// Of `values` (milliseconds); zeros when empty.
        init(_ values: [Double]) {
            guard !values.isEmpty else {
                mean = 0
                p50 = 0
                p90 = 0
                p99 = 0
                return
            }
            let sorted = values.sorted()
            func rank(_ q: Double) -> Double {
                sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            }
            mean = values.reduce(0, +) / Double(values.count)
            p50 = rank(0.50)
            p90 = rank(0.90)
            p99 = rank(0.99)
        }
    }

    /// The prefill scheduler that ran (`--prefill`'s spelling).
    public var prefill: String
    public var requests: Int
    public var queueing: Percentiles
    public var timeToFirstToken: Percentiles
    public var timePerOutputToken: Percentiles
    public var endToEnd: Percentiles
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
        ttftQuantiles = quantiles(records.map { Double($0.timeToFirstToken) * ms })
        e2eQuantiles = quantiles(records.map { Double($0.endToEnd) * ms })
    }
}
