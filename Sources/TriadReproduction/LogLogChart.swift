/// A single-series SVG chart on log–log axes (powers of two on x).
public enum LogLogChart {
    public static func svg(_ points: [(Double, Double)], title: String, xLabel: String, yLabel: String) -> String {
        let width = 640.0
        let height = 420.0
        let left = 80.0
        let top = 50.0
        let plotWidth = width - left - 30
        let plotHeight = height - top - 60
        guard let first = points.first, let last = points.last, points.count > 1 else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
        }
        let ys = points.map(\.1).filter { $0 > 0 }
        let minY = (ys.min() ?? 1) / 1.5
        let maxY = (ys.max() ?? 1) * 1.5
        func log2(_ value: Double) -> Double {
            var exponent = 0.0
            var x = value
            while x >= 2 {
                x /= 2
                exponent += 1
            }
            return exponent + (x - 1)  // piecewise-linear log2, enough for axis placement
        }
        func x(_ value: Double) -> Double {
            left + (log2(value) - log2(first.0)) / (log2(last.0) - log2(first.0)) * plotWidth
        }
        func y(_ value: Double) -> Double {
            top + plotHeight - (log2(value) - log2(minY)) / (log2(maxY) - log2(minY)) * plotHeight
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="14" font-weight="bold">\(title)</text>
            <rect x="\(left)" y="\(top)" width="\(plotWidth)" height="\(plotHeight)" fill="none" stroke="#999"/>

            """
        for point in points {
            svg +=
                "<text x=\"\(x(point.0))\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(Int(point.0))</text>\n"
        }
        var tick = 1.0
        while tick < minY { tick *= 10 }
        while tick <= maxY {
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(Int(tick))</text>"
            svg +=
                "<line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(left + plotWidth)\" y2=\"\(y(tick))\" stroke=\"#eee\"/>\n"
            tick *= 10
        }
        let path = points.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n"
        for point in points { svg += "<circle cx=\"\(x(point.0))\" cy=\"\(y(point.1))\" r=\"3\" fill=\"#1f77b4\"/>" }
        svg += "\n<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 14)\" text-anchor=\"middle\">\(xLabel)</text>\n"
        svg +=
            "<text x=\"16\" y=\"\(top + plotHeight / 2)\" transform=\"rotate(-90 16 \(top + plotHeight / 2))\" text-anchor=\"middle\">\(yLabel)</text>\n"
        return svg + "</svg>\n"
    }
}
