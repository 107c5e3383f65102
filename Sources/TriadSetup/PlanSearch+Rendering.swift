public import TriadCore
public import TriadScheduling

/// The ranking `triad place` prints: a table or JSON, best plan first.
extension PlanSearch {
    /// The ranked `predictions` as a terminal table (the best plan's figures first, each plan against it).
    public static func table(
        _ predictions: [Prediction], objective: Objective, tpotBound: Double? = nil, heading: String
    ) -> String {
        var rows = [["rank", "plan", "tokens/s", "J/token", "ITL ms", "vs best", "bottleneck"]]
        let best = predictions.first?.report
        for (index, prediction) in predictions.enumerated() {
            guard let report = prediction.report else {
                // The reason in the last column, so the figures' columns stay narrow.
                rows.append([
                    "—", prediction.candidate.description, "—", "", "", "",
                    "refused: \(LogSafe.text(prediction.refusal ?? "", limit: 90))",
                ])
                continue
            }
            rows.append([
                "\(index + 1)", prediction.candidate.description, TextTable.fixed(report.tokensPerSecond, 0),
                TextTable.fixed(report.energyPerTokenJoules, 4), TextTable.fixed(report.interTokenLatencyMeanMilliseconds, 2),
                best.map { relative(report, to: $0, objective: objective) } ?? "—",
                prediction.bottleneck
                    + (tpotBound.map { report.interTokenLatencyMeanMilliseconds > $0 ? " · TPOT over \(TextTable.fixed($0, 2)) ms" : "" }
                        ?? ""),
            ])
        }
        return heading + "\n" + TextTable.render(rows, leftAligned: true)
    }

    /// The ranked `predictions` as JSON: `{"objective", "plans": [...]}`, refused plans with their reason.
    public static func json(_ predictions: [Prediction], objective: Objective, tpotBound: Double? = nil) -> String {
        let plans: [JSON] = predictions.map { prediction in
            var members = [
                JSON.Member("policy", .string(prediction.candidate.policy.name)),
                JSON.Member("tensor_parallel", .integer(Int64(prediction.candidate.tensorParallel))),
                JSON.Member("pipeline_parallel", .integer(Int64(prediction.candidate.pipelineParallel))),
            ]
            if let report = prediction.report {
                members += [
                    JSON.Member("tokens_per_second", .number(report.tokensPerSecond)),
                    JSON.Member("energy_per_token_joules", .number(report.energyPerTokenJoules)),
                    JSON.Member("inter_token_latency_ms", .number(report.interTokenLatencyMeanMilliseconds)),
                    JSON.Member("attention", .string(report.attention)),
                    JSON.Member("bottleneck", .string(prediction.bottleneck)),
                ]
                if let tpotBound {
                    members.append(JSON.Member("meets_tpot_bound", .bool(report.interTokenLatencyMeanMilliseconds <= tpotBound)))
                }
            } else {
                members.append(JSON.Member("refused", .string(prediction.refusal ?? "")))
            }
            return .object(members)
        }
        var top = [
            JSON.Member("triad_version", .string(TriadVersion.current)),
            JSON.Member("objective", .string(objective.rawValue)),
        ]
        if let tpotBound { top.append(JSON.Member("tpot_bound_ms", .number(tpotBound))) }
        top.append(JSON.Member("plans", .array(plans)))
        return JSON.object(top).rendered + "\n"
    }

    /// `report` against the best plan's: throughput ratio, or energy ratio.
    private static func relative(_ report: RunReport, to best: RunReport, objective: Objective) -> String {
        switch objective {
        case .throughput:
            return TextTable.fixed(best.tokensPerSecond > 0 ? report.tokensPerSecond / best.tokensPerSecond : 0, 2)
                + "×"
        case .energy:
            return TextTable.fixed(
                best.energyPerTokenJoules > 0 ? report.energyPerTokenJoules / best.energyPerTokenJoules : 0, 2) + "×"
        }
    }
}
