public import TriadCore

/// JSON and table renderings of snapshot reports, with a stable key order.
extension SnapshotReport {
    /// `{"triad_version":…,"snapshots":[…]}` for `reports`.
    public static func json(_ reports: [SnapshotReport]) -> String {
        JSON.object(["triad_version": .string(TriadVersion.current), "snapshots": .array(reports.map(\.json))]).rendered
            + "\n"
    }

    /// This report as one JSON object.
    public var json: JSON {
        .object([
            "policy": .string(policy), "model": .string(model), "trace": .string(trace),
            "batch": .integer(Int64(batch)),
            "stages": .object(steps.map { JSON.Member($0.name, .integer($0.cycles)) }),
            "per_layer_cycles": .integer(perLayerCycles), "sub_batches": .array(subBatches.map { .integer(Int64($0)) }),
            "model_cycles": .integer(modelCycles), "pim_busy_cycles": .integer(pimBusyCycles),
        ])
    }

    /// A terminal table: one row per policy, one column per stage letter, per-layer cycles and the ratio to
    /// the first row.
    public static func table(_ reports: [SnapshotReport]) -> String {
        guard let first = reports.first else { return "" }
        let letters = ["A", "B", "C", "D", "E", "F"]
        var rows: [[String]] = [
            ["policy"] + letters + ["per layer", "cycles / " + first.policy, "PIM busy", "sub-batches"]
        ]
        for report in reports {
            var row = [report.policy]
            row += letters.map { letter in report.cycles(ofStage: letter).map(String.init) ?? "—" }
            row.append(String(report.perLayerCycles))
            row.append(TextTable.fixed(Double(report.perLayerCycles) / Double(max(first.perLayerCycles, 1)), 2) + "×")
            row.append(String(report.pimBusyCycles))
            row.append(report.subBatches.map(String.init).joined(separator: "/"))
            rows.append(row)
        }
        return "\(first.model) · \(first.trace) · batch \(first.batch) · cycles of the NPU clock, one layer\n"
            + TextTable.render(rows)
    }
}
