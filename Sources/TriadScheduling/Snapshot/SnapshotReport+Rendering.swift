/// JSON and table renderings of snapshot reports, with a stable key order.
extension SnapshotReport {
    /// `{"snapshots":[…]}` for `reports`.
    public static func json(_ reports: [SnapshotReport]) -> String {
        "{\"snapshots\":[" + reports.map(\.jsonObject).joined(separator: ",") + "]}\n"
    }

    /// This report as one JSON object.
    public var jsonObject: String {
        let stageFields = stages.map { "\(jsonString($0.name)):\($0.cycles)" }.joined(separator: ",")
        let fields = [
            "\"policy\":\(jsonString(policy))", "\"model\":\(jsonString(model))", "\"trace\":\(jsonString(trace))",
            "\"batch\":\(batch)", "\"stages\":{\(stageFields)}", "\"per_layer_cycles\":\(perLayerCycles)",
            "\"sub_batches\":[\(subBatches.map(String.init).joined(separator: ","))]",
            "\"model_cycles\":\(modelCycles)", "\"pim_busy_cycles\":\(pimBusyCycles)",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A terminal table: one row per policy, one column per stage letter, per-layer cycles and the ratio to
    /// the first row.
    public static func table(_ reports: [SnapshotReport]) -> String {
        guard let first = reports.first else { return "" }
        let letters = ["A", "B", "C", "D", "E", "F"]
        var rows: [[String]] = [["policy"] + letters + ["per layer", "cycles / " + first.policy, "PIM busy", "sub-batches"]]
        for report in reports {
            var row = [report.policy]
            row += letters.map { letter in report.cycles(ofStage: letter).map(String.init) ?? "—" }
            row.append(String(report.perLayerCycles))
            row.append(fixed(Double(report.perLayerCycles) / Double(max(first.perLayerCycles, 1)), 2) + "×")
            row.append(String(report.pimBusyCycles))
            row.append(report.subBatches.map(String.init).joined(separator: "/"))
            rows.append(row)
        }
        return "\(first.model) · \(first.trace) · batch \(first.batch) · cycles of the NPU clock, one layer\n"
            + renderTable(rows)
    }
}
