import TriadCharts
public import TriadCore
import TriadScheduling

/// What `triad capacity` prints and writes: a table of each policy's capacity with its interval and the figures at
/// that rate, the latency-versus-rate curves (text, JSON, CSV), and a self-contained HTML page with the curves drawn.
public enum CapacityReport {
    /// One line naming what was searched (topology, model, workload, batch, prefill, SLO, runs).
    public static func heading(_ subject: String, search: CapacitySearch) -> String {
        "\(subject) · \(search.criterion.text) · \(search.requests) requests per run (the first \(Int(CapacitySearch.warmupShare * 100)) % left out) · \(search.seeds.count) seeds · bisection to \(JSON.format(search.precision * 100)) %"
    }

    /// The capacity table and each policy's curve.
    public static func table(_ outcomes: [CapacitySearch.Outcome]) -> String {
        var rows = [
            [
                "policy", "capacity req/s", "±95 %", "per seed", "TTFT p99 ms", "TPOT p99 ms", "goodput req/s",
                "vs \(outcomes.first?.policy ?? "")",
            ]
        ]
        for outcome in outcomes {
            // The curve's point at 1.0 × the capacity.
            let atCapacity =
                CapacitySearch.curveFractions.firstIndex(of: 1.0).flatMap {
                    outcome.curve.indices.contains($0) ? outcome.curve[$0].probes : nil
                } ?? []
            rows.append([
                outcome.policy, TextTable.fixed(outcome.capacity.mean, 2), interval(outcome.capacity),
                outcome.perSeed.map { TextTable.fixed($0, 2) }.joined(separator: " "),
                TextTable.fixed(mean(atCapacity.map(\.ttft.p99)), 1), TextTable.fixed(mean(atCapacity.map(\.tpot.p99)), 2),
                TextTable.fixed(mean(atCapacity.map(\.goodput)), 2),
                ratio(outcome.capacity.mean, outcomes.first?.capacity.mean ?? 0),
            ])
        }
        var text = TextTable.render(rows)
        for outcome in outcomes {
            if let unreachable = outcome.unreachable { text += "\n\(outcome.policy): \(unreachable)\n" }
            guard !outcome.curve.isEmpty else { continue }
            text += "\n\(outcome.policy): latency against arrival rate (mean over seeds; ms)\n"
            var curve = [
                [
                    "req/s", "× capacity", "TTFT p50", "p90", "p99", "TPOT p50", "p90", "p99", "goodput", "attainment",
                    "overloaded",
                ]
            ]
            for (index, point) in outcome.curve.enumerated() {
                let probes = point.probes
                curve.append([
                    TextTable.fixed(point.rate, 2), TextTable.fixed(CapacitySearch.curveFractions[index], 2),
                    TextTable.fixed(mean(probes.map(\.ttft.p50)), 1), TextTable.fixed(mean(probes.map(\.ttft.p90)), 1),
                    TextTable.fixed(mean(probes.map(\.ttft.p99)), 1), TextTable.fixed(mean(probes.map(\.tpot.p50)), 2),
                    TextTable.fixed(mean(probes.map(\.tpot.p90)), 2), TextTable.fixed(mean(probes.map(\.tpot.p99)), 2),
                    TextTable.fixed(mean(probes.map(\.goodput)), 2),
                    TextTable.fixed(mean(probes.map(\.attainment)) * 100, 1) + " %",
                    "\(probes.filter(\.overloaded).count)/\(probes.count)",
                ])
            }
            text += TextTable.render(curve)
        }
        return text
    }

    /// Everything as one JSON document.
    public static func json(_ outcomes: [CapacitySearch.Outcome], search: CapacitySearch, subject: [JSON.Member])
        -> String
    {
        func percentiles(_ probes: [CapacityProbe], _ value: KeyPath<CapacityProbe, ServingFigures.Percentiles>)
            -> JSON
        {
            .object([
                "p50": .number(mean(probes.map { $0[keyPath: value].p50 })),
                "p90": .number(mean(probes.map { $0[keyPath: value].p90 })),
                "p99": .number(mean(probes.map { $0[keyPath: value].p99 })),
            ])
        }
        let runs: [JSON] = outcomes.map { outcome in
            var members = [
                JSON.Member("policy", .string(outcome.policy)),
                JSON.Member("capacity_requests_per_second", .number(outcome.capacity.mean)),
                JSON.Member("ci95", .number(outcome.capacity.halfWidth95)),
                JSON.Member("per_seed", .array(outcome.perSeed.map { .number($0) })),
                JSON.Member("runs", .integer(Int64(outcome.probes.count))),
            ]
            if let unreachable = outcome.unreachable { members.append(JSON.Member("unreachable", .string(unreachable))) }
            members.append(
                JSON.Member(
                    "curve",
                    .array(
                        outcome.curve.map { point in
                            .object([
                                "rate": .number(point.rate),
                                "ttft_ms": percentiles(point.probes, \.ttft),
                                "tpot_ms": percentiles(point.probes, \.tpot),
                                "goodput_requests_per_second": .number(mean(point.probes.map(\.goodput))),
                                "slo_attainment": .number(mean(point.probes.map(\.attainment))),
                                "overloaded_seeds": .integer(Int64(point.probes.filter(\.overloaded).count)),
                            ])
                        })))
            return JSON.object(members)
        }
        let top =
            [JSON.Member("triad_version", .string(TriadVersion.current))] + subject + [
                JSON.Member("slo", .string(search.criterion.text)),
                JSON.Member("requests_per_run", .integer(Int64(search.requests))),
                JSON.Member("seeds", .array(search.seeds.map { .integer(Int64($0)) })),
                JSON.Member("policies", .array(runs)),
            ]
        return JSON.object(top).rendered + "\n"
    }

    /// The curve as CSV: one row per policy and rate (means over seeds).
    public static func csv(_ outcomes: [CapacitySearch.Outcome]) -> String {
        var text =
            "policy,rate,fraction_of_capacity,ttft_p50_ms,ttft_p90_ms,ttft_p99_ms,tpot_p50_ms,tpot_p90_ms,tpot_p99_ms,goodput,slo_attainment,overloaded_seeds\n"
        for outcome in outcomes {
            for (index, point) in outcome.curve.enumerated() {
                let p = point.probes
                text +=
                    [
                        outcome.policy, JSON.format(point.rate), JSON.format(CapacitySearch.curveFractions[index]),
                        JSON.format(mean(p.map(\.ttft.p50))), JSON.format(mean(p.map(\.ttft.p90))),
                        JSON.format(mean(p.map(\.ttft.p99))), JSON.format(mean(p.map(\.tpot.p50))),
                        JSON.format(mean(p.map(\.tpot.p90))), JSON.format(mean(p.map(\.tpot.p99))),
                        JSON.format(mean(p.map(\.goodput))), JSON.format(mean(p.map(\.attainment))),
                        String(p.filter(\.overloaded).count),
                    ].joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// A self-contained page: the capacity table and, per policy, TTFT, TPOT and goodput against the rate.
    public static func html(_ outcomes: [CapacitySearch.Outcome], heading: String) -> String {
        func escape(_ text: String) -> String { SVGCanvas.escape(text) }
        var charts = ""
        let metrics: [(String, String, (CapacityProbe) -> Double)] = [
            ("TTFT p50", "ms", { $0.ttft.p50 }), ("TTFT p90", "ms", { $0.ttft.p90 }), ("TTFT p99", "ms", { $0.ttft.p99 }),
            ("TPOT p50", "ms", { $0.tpot.p50 }), ("TPOT p90", "ms", { $0.tpot.p90 }), ("TPOT p99", "ms", { $0.tpot.p99 }),
        ]
        for (title, family) in [("time to first token", "TTFT"), ("time per output token", "TPOT")] {
            var chart = LineChart(
                title: "\(title) against arrival rate", xLabel: "arrival rate (requests/s)", yLabel: "\(family), ms",
                series: outcomes.flatMap { outcome in
                    metrics.filter { $0.0.hasPrefix(family) }.map { metric in
                        LineChart.Series(
                            name: "\(outcome.policy) \(metric.0.dropFirst(family.count + 1))",
                            points: outcome.curve.map { point in
                                LineChart.Point(x: point.rate, y: max(mean(point.probes.map(metric.2)), 1e-3))
                            })
                    }
                })
            chart.logY = true
            charts += "<figure>\(chart.svg)</figure>\n"
        }
        let goodput = LineChart(
            title: "goodput against arrival rate", xLabel: "arrival rate (requests/s)",
            yLabel: "requests/s meeting the SLO",
            series: outcomes.map { outcome in
                LineChart.Series(
                    name: outcome.policy,
                    points: outcome.curve.map { LineChart.Point(x: $0.rate, y: mean($0.probes.map(\.goodput))) })
            })
        charts += "<figure>\(goodput.svg)</figure>\n"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Triad capacity</title>
            <style>body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
            figure{display:inline-block;margin:8px;vertical-align:top}pre{font-size:12px}</style></head><body>
            <h1>Capacity</h1>
            <p>\(escape(heading)). Simulated with Triad \(TriadVersion.current).</p>
            <pre>\(escape(table(outcomes)))</pre>
            \(charts)
            </body></html>

            """
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    static func interval(_ summary: SampleSummary) -> String {
        summary.mean > 0 ? "±" + TextTable.fixed(summary.halfWidth95 / summary.mean * 100, 1) + " %" : "—"
    }

    static func ratio(_ value: Double, _ base: Double) -> String {
        base > 0 ? TextTable.fixed(value / base, 2) + "×" : "—"
    }
}
