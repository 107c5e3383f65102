/// Tables and JSON for claims, and the parameter listing.
public enum ClaimRendering {
    /// `{"claims":[{"id","description","paper","paper_text","measured","ratio","holds","note"}]}`.
    public static func json(_ claims: [Claim]) -> String {
        let items = claims.map { claim -> String in
            var fields = [
                "\"id\":\(quoted(claim.id))", "\"description\":\(quoted(claim.description))",
                "\"paper\":\(claim.paper.map(number) ?? "null")", "\"paper_text\":\(quoted(claim.paperText))",
                "\"measured\":\(number(claim.measured))", "\"ratio\":\(claim.ratio.map(number) ?? "null")",
            ]
            fields.append("\"holds\":\(claim.holds.map { $0 ? "true" : "false" } ?? "null")")
            fields.append("\"note\":\(quoted(claim.note))")
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "{\"claims\":[" + items.joined(separator: ",") + "]}\n"
    }

    /// A terminal table: claim, paper, ours, ratio or verdict.
    public static func table(_ claims: [Claim]) -> String {
        var rows = [["claim", "paper", "ours", "ours/paper"]]
        for claim in claims {
            let verdict: String
            if let ratio = claim.ratio {
                verdict = format(ratio, 2) + "×"
            } else if let holds = claim.holds {
                verdict = holds ? "holds" : "does not hold"
            } else {
                verdict = "—"
            }
            let measured: String
            switch claim.unit {
            case .ratio: measured = format(claim.measured, 2) + "×"
            case .fraction: measured = format(claim.measured * 100, 1) + " %"
            case .plain: measured = format(claim.measured, 2)
            }
            rows.append([claim.id, claim.paperText, measured, verdict])
        }
        var widths = Array(repeating: 0, count: 4)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var out = ""
        for (index, row) in rows.enumerated() {
            out +=
                row.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }
                .joined(separator: "  ") + "\n"
            if index == 0 { out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
        }
        let notes = claims.filter { !$0.note.isEmpty }
        if !notes.isEmpty {
            out += "\nwhy ours differs:\n"
            for claim in notes { out += "  \(claim.id): \(claim.note)\n" }
        }
        return out
    }

    public static func parameters(_ parameters: [ParameterSource], assumptions: [String]) -> String {
        var out = "parameters:\n"
        for parameter in parameters { out += "  \(parameter.name): \(parameter.value) — \(parameter.source)\n" }
        if !assumptions.isEmpty {
            out += "assumptions the sources do not settle:\n"
            for assumption in assumptions { out += "  - \(assumption)\n" }
        }
        return out
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out + "\""
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return format(value, 4)
    }

    /// `value` with `decimals` digits after the point.
    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        var text = String(whole)
        if decimals > 0 {
            let fraction = String(Int64(scaled - Double(whole) * scale))
            text += "." + String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        }
        return value < 0 && scaled > 0 ? "-" + text : text
    }
}
