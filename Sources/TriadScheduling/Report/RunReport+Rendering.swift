/// JSON and table renderings of run reports: stable key order and number formatting, so the same runs
/// give byte-identical output.
extension RunReport {
    /// `{"runs":[…]}` for `reports`.
    public static func json(_ reports: [RunReport]) -> String {
        var out = "{\"runs\":["
        for (index, report) in reports.enumerated() {
            if index > 0 { out += "," }
            out += report.jsonObject
        }
        out += "]}\n"
        return out
    }

    /// This report as one JSON object.
    public var jsonObject: String {
        var fields: [String] = []
        fields.append("\"policy\":\(jsonString(policy))")
        fields.append("\"model\":\(jsonString(model))")
        fields.append("\"workload\":\(jsonString(workload))")
        fields.append("\"topology\":\(jsonString(topology))")
        fields.append("\"batch\":\(batch)")
        fields.append("\"sub_batches\":\(subBatches)")
        fields.append("\"interleaved_fraction\":\(jsonNumber(interleavedFraction))")
        fields.append("\"iterations\":\(iterations)")
        fields.append("\"seed\":\(seed)")
        fields.append("\"tokens\":\(tokens)")
        fields.append("\"completed_requests\":\(completedRequests)")
        fields.append("\"mean_active_requests\":\(jsonNumber(meanActiveRequests))")
        fields.append("\"simulated_seconds\":\(jsonNumber(Double(simulatedPicoseconds) / 1e12))")
        fields.append("\"tokens_per_second\":\(jsonNumber(tokensPerSecond))")
        fields.append(
            "\"tpot_ms\":{\"mean\":\(jsonNumber(tpotMeanMilliseconds)),\"p50\":\(jsonNumber(tpotP50Milliseconds)),\"p99\":\(jsonNumber(tpotP99Milliseconds))}"
        )
        fields.append("\"energy_per_token_joules\":\(jsonNumber(energyPerTokenJoules))")
        fields.append("\"energy_per_token_joules_by_device\":\(jsonFigures(energyPerTokenByDevice))")
        fields.append("\"device_utilization\":\(jsonFigures(deviceUtilization))")
        fields.append("\"paper_utilization\":\(jsonFigures(paperUtilization))")
        fields.append("\"memory_port_utilization\":\(jsonNumber(memoryPortUtilization))")
        fields.append("\"pim_channel_imbalance\":\(jsonNumber(channelImbalance))")
        fields.append(
            "\"kv_occupancy\":{\"mean\":\(jsonNumber(kvOccupancyMean)),\"peak\":\(jsonNumber(kvOccupancyPeak))}")
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func jsonFigures(_ figures: [DeviceFigure]) -> String {
        "{" + figures.map { "\(jsonString($0.id)):\(jsonNumber($0.value))" }.joined(separator: ",") + "}"
    }

    /// A terminal table of `reports`, with each run's throughput relative to the first.
    public static func table(_ reports: [RunReport]) -> String {
        guard let first = reports.first else { return "" }
        let deviceIDs = first.deviceUtilization.map(\.id)
        var header = ["policy", "tokens/s", "vs " + first.policy, "TPOT ms (mean/p50/p99)", "J/token"]
        header += deviceIDs.map { "\($0) busy" }
        header.append("active")
        header.append("KV occ.")
        header.append("SBI")
        var rows: [[String]] = [header]
        for report in reports {
            var row = [
                report.policy,
                fixed(report.tokensPerSecond, 0),
                fixed(first.tokensPerSecond > 0 ? report.tokensPerSecond / first.tokensPerSecond : 0, 2) + "×",
                "\(fixed(report.tpotMeanMilliseconds, 2))/\(fixed(report.tpotP50Milliseconds, 2))/\(fixed(report.tpotP99Milliseconds, 2))",
                fixed(report.energyPerTokenJoules, 4),
            ]
            row += report.deviceUtilization.map { fixed($0.value * 100, 1) + " %" }
            row.append(fixed(report.meanActiveRequests, 1))
            row.append(fixed(report.kvOccupancyMean * 100, 1) + " %")
            row.append(report.subBatches > 1 ? fixed(report.interleavedFraction * 100, 0) + " %" : "—")
            rows.append(row)
        }
        return
            "\(first.model) · \(first.workload) · batch \(first.batch) · \(first.iterations) iterations · seed \(first.seed) · \(first.topology)\n"
            + renderTable(rows)
    }
}

/// Rows as aligned text columns: the first left-aligned, the rest right-aligned, a rule under the header.
func renderTable(_ rows: [[String]]) -> String {
    var widths = Array(repeating: 0, count: rows.first?.count ?? 0)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    var out = ""
    for (rowIndex, row) in rows.enumerated() {
        let cells = row.enumerated().map { index, cell in
            index == 0
                ? cell.padding(to: widths[index]) : String(repeating: " ", count: widths[index] - cell.count) + cell
        }
        out += cells.joined(separator: "  ") + "\n"
        if rowIndex == 0 { out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
    }
    return out
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// A JSON number with at most 9 significant digits (stable across runs; NaN and infinity become 0).
func jsonNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    let magnitude = value == 0 ? 0 : Int((abs(value)).log10Floor)
    let decimals = max(0, 8 - magnitude)
    return fixed(value, min(decimals, 12))
}

/// `value` with `decimals` digits after the point, rounded half away from zero; no exponent.
func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let negative = value < 0 && scaled > 0
    let whole = scaled / scale
    let integerPart = Int64(whole.rounded(.down))
    var text = String(integerPart)
    if decimals > 0 {
        let fraction = Int64(scaled - Double(integerPart) * scale)
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
    return negative ? "-" + text : text
}

extension Double {
    /// ⌊log10(self)⌋ for positive values, computed without Foundation.
    fileprivate var log10Floor: Double {
        var exponent = 0.0
        var value = self
        while value >= 10 {
            value /= 10
            exponent += 1
        }
        while value < 1 {
            value *= 10
            exponent -= 1
        }
        return exponent
    }
}
