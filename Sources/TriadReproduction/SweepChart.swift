/// An SVG line chart of a sweep: one panel per (dataset, model), x = batch, y = tokens/s, one line per system.
public enum SweepChart {
    static let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]

    public static func svg(_ points: [SweepPoint], systems: [String], title: String) -> String {
        let models = ordered(points.map(\.model))
        let datasets = ordered(points.map(\.dataset))
        let panelWidth = 260.0
        let panelHeight = 200.0
        let marginLeft = 70.0
        let marginTop = 60.0
        let gap = 60.0
        let width = marginLeft + Double(models.count) * (panelWidth + gap)
        let height = marginTop + Double(datasets.count) * (panelHeight + gap) + 30
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(marginLeft)" y="22" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        for (index, system) in systems.enumerated() {
            let x = marginLeft + Double(index) * 140
            svg +=
                "<line x1=\"\(x)\" y1=\"38\" x2=\"\(x + 24)\" y2=\"38\" stroke=\"\(colors[index % colors.count])\" stroke-width=\"3\"/>"
            svg += "<text x=\"\(x + 30)\" y=\"42\">\(escape(system))</text>\n"
        }
        for (row, dataset) in datasets.enumerated() {
            for (column, model) in models.enumerated() {
                let left = marginLeft + Double(column) * (panelWidth + gap)
                let top = marginTop + Double(row) * (panelHeight + gap)
                let panel = points.filter { $0.model == model && $0.dataset == dataset }
                let batches = Set(panel.map(\.batch)).sorted()
                let maxY = max(1, panel.map(\.report.tokensPerSecond).max() ?? 1) * 1.1
                guard let minBatch = batches.first, let maxBatch = batches.last else { continue }
                func x(_ batch: Int) -> Double {
                    maxBatch == minBatch
                        ? left + panelWidth / 2
                        : left + Double(batch - minBatch) / Double(maxBatch - minBatch) * panelWidth
                }
                func y(_ value: Double) -> Double { top + panelHeight - value / maxY * panelHeight }
                svg +=
                    "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#999\"/>\n"
                svg +=
                    "<text x=\"\(left)\" y=\"\(top - 6)\" font-weight=\"bold\">\(escape(model)) · \(escape(dataset))</text>\n"
                for tick in 0...4 {
                    let value = maxY * Double(tick) / 4
                    svg +=
                        "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(Int(value.rounded()))</text>"
                    svg +=
                        "<line x1=\"\(left)\" y1=\"\(y(value))\" x2=\"\(left + panelWidth)\" y2=\"\(y(value))\" stroke=\"#eee\"/>\n"
                }
                for batch in batches {
                    svg +=
                        "<text x=\"\(x(batch))\" y=\"\(top + panelHeight + 14)\" text-anchor=\"middle\">\(batch)</text>\n"
                }
                for (index, system) in systems.enumerated() {
                    let line = panel.filter { $0.system == system }.sorted { $0.batch < $1.batch }
                    guard !line.isEmpty else { continue }
                    let path = line.map { "\(x($0.batch)),\(y($0.report.tokensPerSecond))" }.joined(separator: " ")
                    let color = colors[index % colors.count]
                    svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                    for point in line {
                        svg +=
                            "<circle cx=\"\(x(point.batch))\" cy=\"\(y(point.report.tokensPerSecond))\" r=\"3\" fill=\"\(color)\"/>"
                    }
                    svg += "\n"
                }
            }
        }
        svg +=
            "<text x=\"\(marginLeft)\" y=\"\(height - 8)\">x: batch size · y: decode tokens per second (simulated)</text>\n"
        svg += "</svg>\n"
        return svg
    }

    private static func ordered(_ values: [String]) -> [String] {
        var seen: [String] = []
        for value in values where !seen.contains(value) { seen.append(value) }
        return seen
    }

    private static func escape(_ text: String) -> String {
        text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
