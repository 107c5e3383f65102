import Foundation

/// A grid of values coloured by size, each cell labelled: speed-ups over the sweep's grid. Values at `center`
/// are white; above it blue, below it red (a diverging scale), so gains and losses read at a glance.
public struct Heatmap: Sendable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[row][column]`, nil for a cell without a value.
    public var values: [[Double?]]
    public var center = 1.0
    public var format: @Sendable (Double) -> String = { String(format: "%.2f×", $0) }

    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double?]]) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
    }

    public var svg: String {
        let cells = values.flatMap { $0.compactMap { $0 } }
        let texts = cells.map(format)
        let cellWidth = max(44, TextMetrics.widest(texts, size: 11) + 10)
        let cellHeight = 22.0
        let left = 10 + TextMetrics.widest(rowLabels, size: 11) + 8
        let widestColumn = TextMetrics.widest(columnLabels, size: 11)
        let rotate = widestColumn + 4 > cellWidth
        let header = rotate ? widestColumn * 0.71 + 12 : 18
        let top = 34 + header
        let overhang = rotate ? widestColumn * 0.71 : 0
        let width = max(
            left + Double(columnLabels.count) * cellWidth + 10 + overhang, TextMetrics.width(title, size: 14) + 20)
        var canvas = SVGCanvas(width: width, height: top + Double(rowLabels.count) * cellHeight + 10)
        canvas.text(title, x: 10, y: 20, size: 14, bold: true)
        let spread = max(cells.map { abs($0 - center) }.max() ?? 1, 1e-9)
        for (column, label) in columnLabels.enumerated() {
            let x = left + (Double(column) + 0.5) * cellWidth
            if rotate {
                canvas.text(label, x: x, y: top - 6, size: 11, anchor: .start, rotation: -45)
            } else {
                canvas.text(label, x: x, y: top - 6, size: 11, anchor: .middle)
            }
        }
        for (row, label) in rowLabels.enumerated() {
            let y = top + Double(row) * cellHeight
            canvas.text(label, x: left - 6, y: y + 15, size: 11, anchor: .end)
            for column in columnLabels.indices {
                let x = left + Double(column) * cellWidth
                guard values.indices.contains(row), values[row].indices.contains(column),
                    let value = values[row][column]
                else {
                    canvas.rect(x: x, y: y, width: cellWidth - 1, height: cellHeight - 1, fill: "#f4f4f4")
                    continue
                }
                let strength = min(1, abs(value - center) / spread)
                let channel = Int((255 * (1 - 0.65 * strength)).rounded())
                let hex = String(channel, radix: 16, uppercase: false)
                let c = hex.count == 1 ? "0" + hex : hex
                let fill = value >= center ? "#\(c)\(c)ff" : "#ff\(c)\(c)"
                canvas.rect(
                    x: x, y: y, width: cellWidth - 1, height: cellHeight - 1, fill: fill,
                    title: "\(label) · \(columnLabels[column]): \(format(value))")
                canvas.text(format(value), x: x + cellWidth / 2, y: y + 15, size: 11, anchor: .middle)
            }
        }
        return canvas.rendered
    }
}
