import TriadCore

/// Tables and JSON for claims, and the parameter listing.
public enum ClaimRendering {
    /// `{"triad_version":…,"claims":[{"id","description","paper","paper_text","measured","ratio","holds","note"}]}`.
    public static func json(_ claims: [Claim]) -> String {
        func number(_ value: Double?) -> JSON { value.map { $0.isFinite ? .number($0) : .null } ?? .null }
        let items = claims.map { claim -> JSON in
            .object([
                "id": .string(claim.id), "description": .string(claim.description), "paper": number(claim.paper),
                "paper_text": .string(claim.paperText), "measured": number(claim.measured),
                "ratio": number(claim.ratio),
                "holds": claim.holds.map { .bool($0) } ?? .null, "note": .string(claim.note),
            ])
        }
        return JSON.object(["triad_version": .string(TriadVersion.current), "claims": .array(items)]).rendered + "\n"
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
        var out = TextTable.render(rows, leftAligned: true)
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

    /// `value` with `decimals` digits after the point ("—" if it is not a number).
    static func format(_ value: Double, _ decimals: Int) -> String {
        value.isFinite ? TextTable.fixed(value, decimals) : "—"
    }
}
