import TriadCore
import TriadScheduling

/// The sweep's tables: one row per point with stable columns, as CSV and as JSON Lines.
public enum SweepOutput {
    /// The run's axes, then every `SweepMetric`'s columns (performance, then conditions), then the rest.
    public static let columns =
        ["topology", "parameters", "model", "workload", "parallelism", "batch", "policy", "seeds"]
        + metrics(.performance).flatMap(\.csvColumns) + metrics(.condition).flatMap(\.csvColumns)
        + [
            "too_short", "utilization", "arrival_rate", "ttft_p50_ms", "ttft_p99_ms", "ttft_p99_ms_ci95", "tpot_p99_ms",
            "e2e_p99_ms", "slo_attainment", "goodput_mean", "goodput_ci95", "split_ran", "plan", "error",
        ]

    private static func metrics(_ group: SweepMetric.Group) -> [SweepMetric] {
        SweepMetric.all.filter { $0.group == group }
    }

    /// A metric's CSV cells at `point`.
    private static func cells(_ metric: SweepMetric, _ point: SweepPoint) -> [String] {
        switch metric.aggregate {
        case .interval, .speedupOverBaseline:
            let summary = point.summary(metric.jsonKey)
            return [JSON.format(summary.mean), JSON.format(summary.halfWidth95)].prefix(metric.csvColumns.count).map {
                $0
            }
        case .mean, .largest, .smallest:
            return [JSON.format(point.value(metric.jsonKey))]
        }
    }

    /// A metric's sweep.jsonl member at `point`.
    private static func member(_ metric: SweepMetric, _ point: SweepPoint) -> JSON.Member {
        switch metric.aggregate {
        case .interval, .speedupOverBaseline:
            let value = point.summary(metric.jsonKey)
            return JSON.Member(
                metric.jsonKey,
                .object([
                    "mean": .number(value.mean), "ci95": .number(value.halfWidth95), "n": .integer(Int64(value.count)),
                ]))
        case .mean, .largest, .smallest:
            return JSON.Member(metric.jsonKey, .number(point.value(metric.jsonKey)))
        }
    }

    public static func csv(_ points: [SweepPoint]) -> String {
        var rows = [columns]
        let number = JSON.format
        for point in points {
            var row: [String] = [
                point.run.topology, point.run.parameterText, point.run.model, point.run.workload,
                point.run.parallelismText, String(point.run.batch), point.run.policy, String(point.seeds),
            ]
            row += metrics(.performance).flatMap { cells($0, point) }
            row += metrics(.condition).flatMap { cells($0, point) }
            row += [
                point.isTooShort ? "yes" : "no",
                point.utilization.map { "\($0.id)=\(number($0.value))" }.joined(separator: " "),
                point.run.arrivalText,
            ]
            if let serving = point.serving {
                row += [
                    number(serving.ttftP50.mean), number(serving.ttftP99.mean), number(serving.ttftP99.halfWidth95),
                    number(serving.tpotP99.mean), number(serving.e2eP99.mean), number(serving.sloAttainment.mean),
                    number(serving.goodput.mean), number(serving.goodput.halfWidth95),
                ]
            } else {
                row += Array(repeating: "", count: 8)
            }
            row += [point.split, point.plan]
            row.append(point.error ?? "")
            rows.append(row)
        }
        return rows.map { CSV.line($0) + "\n" }.joined()
    }

    public static func jsonLines(_ points: [SweepPoint]) -> String {
        points.map { point in
            func summary(_ value: SampleSummary) -> JSON {
                .object([
                    "mean": .number(value.mean), "ci95": .number(value.halfWidth95), "n": .integer(Int64(value.count)),
                ])
            }
            func figures(_ list: [DeviceFigure]) -> JSON { .object(list.map { JSON.Member($0.id, .number($0.value)) }) }
            var members: [JSON.Member] = [
                JSON.Member("topology", .string(point.run.topology)),
                JSON.Member(
                    "parameters", .object(point.run.parameters.map { JSON.Member($0.path, .string($0.value)) })),
                JSON.Member("model", .string(point.run.model)), JSON.Member("workload", .string(point.run.workload)),
                JSON.Member("parallelism", .string(point.run.parallelismText)),
                JSON.Member("batch", .integer(Int64(point.run.batch))),
                JSON.Member("policy", .string(point.run.policy)),
                JSON.Member("seeds", .integer(Int64(point.seeds))),
            ]
            members += metrics(.performance).map { member($0, point) }
            members += [
                JSON.Member("device_utilization", figures(point.utilization)),
                JSON.Member("energy_per_token_joules_by_device", figures(point.energyByDevice)),
            ]
            members += metrics(.condition).map { member($0, point) }
            members.append(JSON.Member("too_short", .bool(point.isTooShort)))
            members.append(JSON.Member("arrival_rate", .string(point.run.arrivalText)))
            members.append(JSON.Member("split_ran", .string(point.split)))
            members.append(JSON.Member("plan", .string(point.plan)))
            if let serving = point.serving {
                members.append(
                    JSON.Member(
                        "serving",
                        .object([
                            "ttft_p50_ms": summary(serving.ttftP50), "ttft_p99_ms": summary(serving.ttftP99),
                            "tpot_p99_ms": summary(serving.tpotP99), "e2e_p99_ms": summary(serving.e2eP99),
                            "slo_attainment": summary(serving.sloAttainment), "goodput": summary(serving.goodput),
                        ])))
            }
            if let error = point.error { members.append(JSON.Member("error", .string(error))) }
            return JSON.object(members).rendered + "\n"
        }.joined()
    }
}
