import TriadCore
import TriadScheduling

/// The sweep's tables: one row per point with stable columns, as CSV and as JSON Lines.
public enum SweepOutput {
    public static let columns = [
        "topology", "parameters", "model", "workload", "parallelism", "batch", "policy", "seeds",
        "tokens_per_second_mean", "tokens_per_second_ci95", "speedup_mean", "speedup_ci95", "tpot_ms_mean",
        "tpot_ms_ci95", "tpot_p99_ms_mean", "energy_per_token_j_mean", "energy_per_token_j_ci95",
        "kv_limited_fraction", "communication_fraction", "steady_state_spread", "turnovers", "too_short", "utilization",
        "arrival_rate", "ttft_p50_ms", "ttft_p99_ms", "ttft_p99_ms_ci95", "tpot_p99_ms", "e2e_p99_ms", "slo_attainment",
        "goodput_mean", "goodput_ci95", "error",
    ]

    public static func csv(_ points: [SweepPoint]) -> String {
        var rows = [columns]
        for point in points {
            let number = JSON.format
            rows.append([
                point.run.topology, point.run.parameterText, point.run.model, point.run.workload,
                point.run.parallelismText, String(point.run.batch), point.run.policy, String(point.seeds),
                number(point.throughput.mean), number(point.throughput.halfWidth95), number(point.speedup.mean),
                number(point.speedup.halfWidth95), number(point.tpot.mean), number(point.tpot.halfWidth95),
                number(point.tpotP99.mean), number(point.energy.mean), number(point.energy.halfWidth95),
                number(point.kvLimitedFraction), number(point.communicationFraction), number(point.steadyStateSpread), number(point.turnovers),
                point.isTooShort ? "yes" : "no",
                point.utilization.map { "\($0.id)=\(number($0.value))" }.joined(separator: " "),
                point.run.arrivalText,
            ]
                + (point.serving.map { serving in
                    [
                        number(serving.ttftP50.mean), number(serving.ttftP99.mean), number(serving.ttftP99.halfWidth95),
                        number(serving.tpotP99.mean), number(serving.e2eP99.mean), number(serving.sloAttainment.mean),
                        number(serving.goodput.mean), number(serving.goodput.halfWidth95),
                    ]
                } ?? Array(repeating: "", count: 8)) + [point.error ?? ""])
        }
        return rows.map { CSV.line($0) + "\n" }.joined()
    }

    public static func jsonLines(_ points: [SweepPoint]) -> String {
        points.map { point in
            func summary(_ value: SampleSummary) -> JSON {
                .object(["mean": .number(value.mean), "ci95": .number(value.halfWidth95), "n": .integer(Int64(value.count))])
            }
            func figures(_ list: [DeviceFigure]) -> JSON { .object(list.map { JSON.Member($0.id, .number($0.value)) }) }
            var members: [JSON.Member] = [
                JSON.Member("topology", .string(point.run.topology)),
                JSON.Member("parameters", .object(point.run.parameters.map { JSON.Member($0.path, .string($0.value)) })),
                JSON.Member("model", .string(point.run.model)), JSON.Member("workload", .string(point.run.workload)),
                JSON.Member("parallelism", .string(point.run.parallelismText)),
                JSON.Member("batch", .integer(Int64(point.run.batch))), JSON.Member("policy", .string(point.run.policy)),
                JSON.Member("seeds", .integer(Int64(point.seeds))),
                JSON.Member("tokens_per_second", summary(point.throughput)), JSON.Member("speedup", summary(point.speedup)),
                JSON.Member("tpot_ms", summary(point.tpot)), JSON.Member("tpot_p99_ms", summary(point.tpotP99)),
                JSON.Member("energy_per_token_joules", summary(point.energy)),
                JSON.Member("device_utilization", figures(point.utilization)),
                JSON.Member("energy_per_token_joules_by_device", figures(point.energyByDevice)),
                JSON.Member("kv_limited_fraction", .number(point.kvLimitedFraction)),
                JSON.Member("communication_fraction", .number(point.communicationFraction)),
                JSON.Member("steady_state_spread", .number(point.steadyStateSpread)),
                JSON.Member("turnovers", .number(point.turnovers)),
                JSON.Member("too_short", .bool(point.isTooShort)),
            ]
            members.append(JSON.Member("arrival_rate", .string(point.run.arrivalText)))
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
