/// Series names with their colours, laid out in rows that wrap within a width.
struct Legend {
    static let size = 12.0
    static let rowHeight = 18.0
    let entries: [(name: String, color: String)]
    /// Each entry's row and x offset.
    let placements: [(row: Int, x: Double)]
    let rows: Int

    init(_ entries: [(name: String, color: String)], width: Double) {
        self.entries = entries
        var placements: [(row: Int, x: Double)] = []
        var row = 0
        var x = 0.0
        for entry in entries {
            let needed = 22 + TextMetrics.width(entry.name, size: Self.size)
            if x > 0 && x + needed > width {
                row += 1
                x = 0
            }
            placements.append((row, x))
            x += needed + 14
        }
        self.placements = placements
        rows = entries.isEmpty ? 0 : row + 1
    }

    var height: Double { Double(rows) * Self.rowHeight }

    func draw(on canvas: inout SVGCanvas, left: Double, top: Double) {
        for (entry, place) in zip(entries, placements) {
            let y = top + Double(place.row) * Self.rowHeight + 12
            canvas.rect(x: left + place.x, y: y - 9, width: 16, height: 10, fill: entry.color)
            canvas.text(entry.name, x: left + place.x + 22, y: y, size: Self.size)
        }
    }
}

/// Colours for series: Tableau 10, repeating.
public enum Palette {
    static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    public static func color(_ index: Int) -> String { colors[index % colors.count] }
}
