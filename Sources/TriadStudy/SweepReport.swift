import TriadCharts
import TriadCore

/// The sweep's HTML report: one self-contained file (inline SVG and CSS, no script, nothing fetched) with
/// throughput against batch per policy with 95 % confidence bands, the speed-up over the baseline across the
/// grid, utilization and energy per policy, and every point in a table.
public enum SweepReport {
    /// The rows of the report's grid: every point but the batch and the policy.
    struct Context: Hashable {
        var topology: String
        var parameters: String
        var model: String
        var workload: String
        var parallelism: String
        var arrival: String

        init(_ run: SweepRun) {
            arrival = run.arrivalText
            topology = run.topology
            parameters = run.parameterText
            model = run.model
            workload = run.workload
            parallelism = run.parallelismText
        }

        func label(showing spec: SweepSpec) -> String {
            var parts = [model, workload]
            if spec.parallelism.count > 1 { parts.append("TP×PP \(parallelism)") }
            if spec.topologies.count > 1 {
                parts.append(topology.split(separator: "/").last.map(String.init) ?? topology)
            }
            if !parameters.isEmpty { parts.append(parameters) }
            if arrival != "closed" { parts.append("\(arrival) req/s") }
            return parts.joined(separator: " · ")
        }
    }

    public static func html(_ points: [SweepPoint], spec: SweepSpec) -> String {
        var contexts: [Context] = []
        var byContext: [Context: [SweepPoint]] = [:]
        for point in points {
            let context = Context(point.run)
            if byContext[context] == nil { contexts.append(context) }
            byContext[context, default: []].append(point)
        }
        var sections: [String] = []
        sections.append(summary(points, spec: spec))
        if let criterion = spec.capacity {
            // A capacity sweep: each point's capacity (mean over seeds, 95 % band) against batch, per policy.
            var capacity =
                "<h2>Capacity against batch: the highest arrival rate with \(escape(criterion.text)) (mean of \(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s"), band: 95 % confidence)</h2>\n"
            for context in contexts {
                let chart = batchChart(
                    byContext[context]!, title: context.label(showing: spec), yLabel: "requests / s", spec: spec
                ) { $0.summary("capacity_requests_per_second") }
                capacity += "<figure>\(chart.svg)</figure>\n"
            }
            sections.append(capacity)
            sections.append(table(points))
            return page(sections, spec: spec)
        }
        var throughput =
            "<h2>Throughput against batch (mean of \(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s"), band: 95 % confidence)</h2>\n"
        for context in contexts {
            let chart = batchChart(
                byContext[context]!, title: context.label(showing: spec), yLabel: "decode tokens / s", spec: spec
            ) { $0.throughput }
            throughput += "<figure>\(chart.svg)</figure>\n"
        }
        sections.append(throughput)
        let others = spec.policies.filter { $0 != spec.baseline }
        if !others.isEmpty {
            var heatmaps = "<h2>Speed-up over \(escape(spec.baseline)) (per seed, then the mean)</h2>\n"
            for policy in others {
                let values = contexts.map { context in
                    spec.batches.map { batch -> Double? in
                        byContext[context]!.first {
                            $0.run.policy == policy && $0.run.batch == batch && $0.error == nil && $0.speedup.count > 0
                        }?
                        .speedup.mean
                    }
                }
                let map = Heatmap(
                    title: "\(policy) ÷ \(spec.baseline)", rowLabels: contexts.map { $0.label(showing: spec) },
                    columnLabels: spec.batches.map { "batch \($0)" }, values: values)
                heatmaps += "<figure>\(map.svg)</figure>\n"
            }
            sections.append(heatmaps)
        }
        var bars = "<h2>Utilization and energy at the largest batch</h2>\n"
        for context in contexts {
            let own = byContext[context]!.filter { $0.error == nil }
            guard let batch = own.map(\.run.batch).max() else { continue }
            let atBatch = spec.policies.compactMap { policy in
                own.first { $0.run.policy == policy && $0.run.batch == batch }
            }
            guard let devices = atBatch.first?.utilization.map(\.id) else { continue }
            let utilization = BarChart(
                title: "\(context.label(showing: spec)) · batch \(batch): busy time", yLabel: "busy %",
                categories: atBatch.map(\.run.policy),
                series: devices.map { device in
                    BarChart.Series(
                        name: device,
                        values: atBatch.map { point in (point.utilization.first { $0.id == device }?.value ?? 0) * 100 }
                    )
                })
            let energy = BarChart(
                title: "\(context.label(showing: spec)) · batch \(batch): energy", yLabel: "mJ per token",
                categories: atBatch.map(\.run.policy),
                series: [
                    BarChart.Series(
                        name: "energy per token (95 % confidence)", values: atBatch.map { $0.energy.mean * 1000 },
                        errors: atBatch.map { $0.energy.halfWidth95 * 1000 })
                ])
            bars += "<figure>\(utilization.svg)</figure>\n<figure>\(energy.svg)</figure>\n"
        }
        sections.append(bars)
        if points.contains(where: { $0.serving != nil }) {
            sections.append(latency(contexts: contexts, byContext: byContext, spec: spec))
        }
        sections.append(table(points))
        return page(sections, spec: spec)
    }

    /// The self-contained page around `sections`.
    private static func page(_ sections: [String], spec: SweepSpec) -> String {
        """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(spec.name)) — Triad sweep</title>
            <style>body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
            figure{display:inline-block;margin:8px;vertical-align:top}table{border-collapse:collapse;font-size:12px}
            td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}
            td.text{text-align:left}.warn{color:#a40}</style></head><body>
            \(sections.joined(separator: "\n"))
            </body></html>

            """
    }

    static func escape(_ text: String) -> String { SVGCanvas.escape(text) }

    /// One line per policy of `figure` (mean, band: its 95 % interval) against the batch over `points`.
    private static func batchChart(
        _ points: [SweepPoint], title: String, yLabel: String, spec: SweepSpec, _ figure: (SweepPoint) -> SampleSummary
    ) -> LineChart {
        var chart = LineChart(
            title: title, xLabel: "batch (requests)", yLabel: yLabel,
            series: spec.policies.map { policy in
                LineChart.Series(
                    name: policy,
                    points: points.filter { $0.run.policy == policy && $0.error == nil }.map {
                        let value = figure($0)
                        return LineChart.Point(
                            x: Double($0.run.batch), y: value.mean, low: value.mean - value.halfWidth95,
                            high: value.mean + value.halfWidth95)
                    })
            })
        chart.categorical = true
        chart.xTickLabel = { String(Int($0)) }
        return chart
    }

    /// Time-to-first-token and end-to-end latency CDFs per policy at each context's largest batch (the mean over
    /// seeds of every percentile).
    private static func latency(contexts: [Context], byContext: [Context: [SweepPoint]], spec: SweepSpec) -> String {
        var text = "<h2>Request latency at the largest batch (CDF over finished requests, mean of seeds)</h2>\n"
        for context in contexts {
            let own = byContext[context]!.filter { $0.error == nil && $0.serving != nil }
            guard let batch = own.map(\.run.batch).max() else { continue }
            let atBatch = spec.policies.compactMap { policy in
                own.first { $0.run.policy == policy && $0.run.batch == batch }
            }
            for (name, quantiles) in [
                ("time to first token", { (point: SweepPoint) in point.serving!.ttftQuantiles }),
                ("end-to-end latency", { (point: SweepPoint) in point.serving!.e2eQuantiles }),
            ] as [(String, (SweepPoint) -> [Double])] {
                var chart = LineChart(
                    title: "\(context.label(showing: spec)) · batch \(batch): \(name)", xLabel: "\(name), ms",
                    yLabel: "share of requests",
                    series: atBatch.map { point in
                        let values = quantiles(point)
                        return LineChart.Series(
                            name: point.run.policy,
                            points: values.enumerated().map {
                                LineChart.Point(x: $0.element, y: Double($0.offset) / Double(max(1, values.count - 1)))
                            })
                    })
                chart.steps = true
                text += "<figure>\(chart.svg)</figure>\n"
            }
        }
        return text
    }

    private static func summary(_ points: [SweepPoint], spec: SweepSpec) -> String {
        let failed = points.filter { $0.error != nil }.count
        let short = points.filter(\.isTooShort).count
        var text =
            "<h1>\(escape(spec.name))</h1>\n<p>\(points.count) points × \(spec.seeds.count) seeds, \(spec.iterations) decode iterations each"
        text += spec.warmup > 0 ? " after \(spec.warmup) of warm-up" : ""
        text +=
            ". Models: \(escape(spec.models.joined(separator: ", "))); workloads: \(escape(spec.workloads.joined(separator: ", "))); batches: \(spec.batches.map(String.init).joined(separator: ", ")); policies: \(escape(spec.policies.joined(separator: ", "))); topologies: \(escape(spec.topologies.joined(separator: ", ")))."
        text +=
            " Simulated with Triad \(TriadVersion.current); every figure is the mean over seeds, ± the 95 % confidence half-width (Student's t).</p>\n"
        if failed > 0 { text += "<p class=\"warn\">\(failed) points could not be simulated; the table says why.</p>\n" }
        if short > 0 {
            text +=
                "<p class=\"warn\">\(short) points are too short for a steady state: their batch turned over fewer than twice, or their throughput spread more than ±\(Int(SweepPoint.spreadLimit * 100)) % over the run (raise iterations).</p>\n"
        }
        return text
    }

    private static func table(_ points: [SweepPoint]) -> String {
        var rows =
            "<h2>Every point</h2>\n<table><tr><th>model</th><th>workload</th><th>TP×PP</th><th>parameters</th><th>arrivals /s</th><th>batch</th><th>batch that ran</th><th>policy</th><th>plan that ran</th><th>re-plans</th><th>capacity req/s</th><th>tokens/s</th><th>±95 %</th><th>speed-up</th><th>ITL ms</th><th>mJ/token</th><th>spread</th><th>turnovers</th><th>note</th></tr>\n"
        for point in points.prefix(5_000) {
            let note = point.error ?? (point.isTooShort ? "too short" : "")
            rows +=
                "<tr><td class=\"text\">\(escape(point.run.model))</td><td class=\"text\">\(escape(point.run.workload))</td><td>\(point.split.isEmpty ? point.run.parallelismText : escape(point.split))</td><td class=\"text\">\(escape(point.run.parameterText))</td><td>\(point.run.arrivalText)</td><td>\(point.run.batch)</td><td>\(JSON.format(point.value("mean_batch")))</td><td class=\"text\">\(escape(point.run.policy))</td><td class=\"text\">\(escape(point.plan))</td><td>\(JSON.format(point.value("replans")))</td><td>\(JSON.format(point.summary("capacity_requests_per_second").mean))</td><td>\(JSON.format(point.throughput.mean))</td><td>\(JSON.format(point.throughput.halfWidth95))</td><td>\(JSON.format(point.speedup.mean))</td><td>\(JSON.format(point.tpot.mean))</td><td>\(JSON.format(point.energy.mean * 1000))</td><td>\(JSON.format(point.steadyStateSpread))</td><td>\(JSON.format(point.turnovers))</td><td class=\"text\">\(escape(note))</td></tr>\n"
        }
        return rows + "</table>\n"
    }
}
