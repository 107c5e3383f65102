/// The one way Triad lays out terminal tables: the first column left-aligned, the rest right-aligned, a
/// rule under the header row.
public enum TextTable {
    /// `rows` (the first is the header) as aligned text, one line per row; with `leftAligned` every column
    /// is left-aligned (for columns of prose).
    public static func render(_ rows: [[String]], leftAligned: Bool = false) -> String {
        var widths = Array(repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var out = ""
        for (rowIndex, row) in rows.enumerated() {
            let cells = row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return index == 0 || leftAligned ? cell + pad : pad + cell
            }
            out += cells.joined(separator: "  ") + "\n"
            if rowIndex == 0 { out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    /// `value` with `decimals` digits after the point, rounded half away from zero; no exponent; NaN and
    /// infinity as 0.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
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
}
