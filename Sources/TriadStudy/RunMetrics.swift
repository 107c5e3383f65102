import TriadCore
public import TriadScheduling

/// What a sweep keeps of one run (a journal line): the figures its outputs aggregate, or why it failed.
public struct RunMetrics: Sendable, Hashable {
    public var key: String
    /// The run's figures by journal key: every `SweepMetric.journaled` one, 0 until set.
    public var figures = RunMetrics.zeroFigures

    static let zeroFigures = Dictionary(uniqueKeysWithValues: SweepMetric.journaled.map { ($0.journalKey!, 0.0) })
    /// Busy fraction per device, in topology order.
    public var utilization: [DeviceFigure] = []
    /// Energy per token per device, joules, in topology order.
    public var energy: [DeviceFigure] = []
    /// The tensor × pipeline split that ran and the plan (`RunReport.parallelism`, `RunReport.attention`: for `auto`,
    /// its plans' shares).
    public var split = ""
    public var plan = ""
    /// Why the run could not be simulated (its other figures are 0).
    public var error: String?
    /// Serving runs: request latencies (ms), SLO attainment, goodput (requests/s) and the TTFT and end-to-end
    /// latency quantiles (0 %, 1 %, … 100 %) for CDFs.
    public var serving: Serving?

    public struct Serving: Sendable, Hashable {
        public var ttftP50 = 0.0
        public var ttftP99 = 0.0
        public var tpotP99 = 0.0
        public var e2eP99 = 0.0
        public var sloAttainment = 0.0
        public var goodput = 0.0
        public var ttftQuantiles: [Double] = []
        public var e2eQuantiles: [Double] = []

        public init() {}
    }

    public init(key: String, report: RunReport) {
        self.key = key
        for metric in SweepMetric.journaled { figures[metric.journalKey!] = metric.read(report) }
        utilization = report.deviceUtilization
        energy = report.energyPerTokenByDevice
        split = report.parallelism
        plan = report.attention
        if let figures = report.serving {
            var serving = Serving()
            serving.ttftP50 = figures.timeToFirstToken.p50
            serving.ttftP99 = figures.timeToFirstToken.p99
            serving.tpotP99 = figures.timePerOutputToken.p99
            serving.e2eP99 = figures.endToEnd.p99
            serving.sloAttainment = figures.sloAttainment
            serving.goodput = figures.goodput
            serving.ttftQuantiles = figures.ttftQuantiles
            serving.e2eQuantiles = figures.e2eQuantiles
            self.serving = serving
        }
    }

    /// Figures to fill in one by one (all 0, no error).
    public init(key: String) {
        self.key = key
    }

    public init(key: String, error: String) {
        self.key = key
        self.error = error
    }

    /// The figure `journalKey` names (0 when the run has none).
    public subscript(journalKey: String) -> Double {
        get { figures[journalKey] ?? 0 }
        set { figures[journalKey] = newValue }
    }

    /// Throughput, tokens per second (the speed-ups are its ratios).
    public var tokensPerSecond: Double {
        get { self["tokens_per_second"] }
        set { self["tokens_per_second"] = newValue }
    }

    /// One journal line (compact JSON, numbers as `JSON.format` writes them).
    public var journalLine: String {
        func values(_ list: [DeviceFigure]) -> JSON { .array(list.map { .number($0.value) }) }
        if let error { return JSON.object(["key": .string(key), "error": .string(error)]).rendered }
        var members = [JSON.Member("key", .string(key))]
        for metric in SweepMetric.journaled {
            members.append(JSON.Member(metric.journalKey!, .number(self[metric.journalKey!])))
        }
        members += [
            JSON.Member("split", .string(split)), JSON.Member("plan", .string(plan)),
            JSON.Member("devices", .array(utilization.map { .string($0.id) })),
            JSON.Member("utilization", values(utilization)), JSON.Member("energy_by_device", values(energy)),
        ]
        guard let serving else { return JSON.object(members).rendered }
        members.append(
            JSON.Member(
                "serving",
                .object([
                    "ttft_p50_ms": .number(serving.ttftP50), "ttft_p99_ms": .number(serving.ttftP99),
                    "tpot_p99_ms": .number(serving.tpotP99), "e2e_p99_ms": .number(serving.e2eP99),
                    "slo_attainment": .number(serving.sloAttainment), "goodput": .number(serving.goodput),
                    "ttft_quantiles_ms": .array(serving.ttftQuantiles.map { .number($0) }),
                    "e2e_quantiles_ms": .array(serving.e2eQuantiles.map { .number($0) }),
                ])))
        return JSON.object(members).rendered
    }
}
