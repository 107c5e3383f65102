import Foundation

/// Several charts in one SVG, in rows of `columns`, under a title: each chart keeps its own viewBox (nested
/// `<svg>`), and the grid is sized to hold the widest row and every row's tallest chart.
public enum ChartGrid {
    /// A chart rendered for composing: its SVG text and size.
    public struct Panel: Sendable {
        public var svg: String
        public var width: Double
        public var height: Double

        public init(svg: String, width: Double, height: Double) {
            self.svg = svg
            self.width = width
            self.height = height
        }
    }

    public static func svg(_ panels: [Panel], columns: Int, title: String, note: String = "") -> String {
        let columns = max(1, columns)
        let rows = stride(from: 0, to: panels.count, by: columns).map {
            Array(panels[$0..<min($0 + columns, panels.count)])
        }
        let header = 34.0
        let footer = note.isEmpty ? 6.0 : 26.0
        let width = max(
            rows.map { $0.reduce(10) { $0 + $1.width + 10 } }.max() ?? 100,
            TextMetrics.width(title, size: 15) + 20, TextMetrics.width(note, size: 12) + 20)
        let height = header + rows.reduce(0) { $0 + ($1.map(\.height).max() ?? 0) + 10 } + footer
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(title, x: 10, y: 22, size: 15, bold: true)
        var nested: [String] = []
        var y = header
        for row in rows {
            var x = 10.0
            for panel in row {
                let inner = panel.svg.replacingFirst(
                    "<svg ", with: "<svg x=\"\(SVGCanvas.number(x))\" y=\"\(SVGCanvas.number(y))\" ")
                nested.append(inner)
                x += panel.width + 10
            }
            y += (row.map(\.height).max() ?? 0) + 10
        }
        if !note.isEmpty { canvas.text(note, x: 10, y: height - 9, size: 12) }
        let outer = canvas.rendered
        return outer.replacingFirst("\n</svg>\n", with: "\n" + nested.joined() + "</svg>\n")
    }
}

extension String {
    /// This text with the first `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
