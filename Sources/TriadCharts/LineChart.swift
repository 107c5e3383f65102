import Foundation

/// Lines over categorical or numeric x with optional confidence bands: throughput vs batch per policy, latency
/// CDFs. Margins come from the labels' measured widths and the legend wraps, so nothing leaves the viewBox.
public struct LineChart: Sendable {
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        /// The band around `y` (e.g. a 95 % confidence interval), if any.
        public var low: Double?
        public var high: Double?

        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            self.x = x
            self.y = y
            self.low = low
            self.high = high
        }
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Ticks on x: every distinct x of the data, labelled by this (default: the number); with `categorical`,
    /// the distinct x values are spaced evenly (batch sizes 32 … 512).
    public var xTickLabel: @Sendable (Double) -> String = { ChartAxis.label($0) }
    public var categorical = false
    public var width = 640.0
    public var plotHeight = 220.0
    /// Draw steps (a CDF) instead of straight segments.
    public var steps = false

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// A logarithmic y axis (ticks at powers of ten; values must be positive).
    public var logY = false

    public var svg: String { panel.svg }

    /// The chart with its size, for `ChartGrid`.
    public var panel: ChartGrid.Panel {
        let points = series.flatMap(\.points)
        let yAxis =
            logY
            ? ChartAxis(logValues: points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] })
            : ChartAxis(values: points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] })
        let xs = Array(Set(points.map(\.x))).sorted()
        let xAxis = ChartAxis(values: xs, includeZero: false)
        let yTickLabels = yAxis.ticks.map { ChartAxis.label(logY ? Foundation.pow(10, $0) : $0) }
        let tickTexts = categorical || xs.count <= 24 ? xs.map(xTickLabel) : xAxis.ticks.map(xTickLabel)
        let widestTick = TextMetrics.widest(tickTexts, size: 11)
        var left = 14 + 16 + TextMetrics.widest(yTickLabels, size: 11) + 8
        var right = max(16, widestTick / 2 + 4)
        let top = 34.0
        let plotHeight = max(self.plotHeight, TextMetrics.width(yLabel, size: 12) + 10)
        var plotWidth = max(120, width - left - right)
        let slot = plotWidth / Double(max(1, tickTexts.count))
        let rotate = widestTick + 6 > slot
        if rotate {
            left = max(left, widestTick * 0.71 + 6)
            right = 16
            plotWidth = max(120, width - left - right)
        }
        let tickArea = rotate ? TextMetrics.widest(tickTexts, size: 11) * 0.71 + 18 : 18
        let legend = Legend(series.enumerated().map { ($0.element.name, Palette.color($0.offset)) }, width: width - 20)
        let titleWidth = TextMetrics.width(title, size: 14) + 20
        let canvasWidth = max(width, titleWidth, left + TextMetrics.width(xLabel, size: 12) + right)
        let height = top + plotHeight + tickArea + 22 + legend.height + 10
        var canvas = SVGCanvas(width: canvasWidth, height: height)
        canvas.text(title, x: 10, y: 20, size: 14, bold: true)
        func px(_ x: Double) -> Double {
            if categorical, let index = xs.firstIndex(of: x) {
                return xs.count == 1 ? left + plotWidth / 2 : left + Double(index) / Double(xs.count - 1) * plotWidth
            }
            return xAxis.position(x, from: left, to: left + plotWidth)
        }
        func py(_ y: Double) -> Double {
            yAxis.position(logY ? Foundation.log10(max(y, 1e-300)) : y, from: top + plotHeight, to: top)
        }
        for (tick, label) in zip(yAxis.ticks, yTickLabels) {
            let y = yAxis.position(tick, from: top + plotHeight, to: top)
            canvas.line(left, y, left + plotWidth, y, stroke: "#e6e6e6")
            canvas.text(label, x: left - 6, y: y + 4, size: 11, anchor: .end)
        }
        canvas.rect(x: left, y: top, width: plotWidth, height: plotHeight, fill: "none", stroke: "#888")
        let tickValues = categorical || xs.count <= 24 ? xs : xAxis.ticks
        for (value, label) in zip(tickValues, tickTexts) {
            let x = px(value)
            canvas.line(x, top + plotHeight, x, top + plotHeight + 4, stroke: "#888")
            if rotate {
                canvas.text(label, x: x, y: top + plotHeight + 14, size: 11, anchor: .end, rotation: -45)
            } else {
                canvas.text(label, x: x, y: top + plotHeight + 15, size: 11, anchor: .middle)
            }
        }
        canvas.text(yLabel, x: 14, y: top + plotHeight / 2, size: 12, anchor: .middle, rotation: -90)
        canvas.text(xLabel, x: left + plotWidth / 2, y: top + plotHeight + tickArea + 14, size: 12, anchor: .middle)
        for (index, line) in series.enumerated() {
            let color = Palette.color(index)
            let sorted = line.points.sorted { $0.x < $1.x }
            let banded = sorted.filter { $0.low != nil && $0.high != nil }
            if banded.count > 1 {
                canvas.polygon(
                    banded.map { (px($0.x), py($0.high!)) } + banded.reversed().map { (px($0.x), py($0.low!)) },
                    fill: color, opacity: 0.18)
            }
            var path: [(Double, Double)] = []
            for point in sorted {
                if steps, let last = path.last { path.append((px(point.x), last.1)) }
                path.append((px(point.x), py(point.y)))
            }
            if path.count > 1 { canvas.polyline(path, stroke: color) }
            if !steps {
                for point in sorted {
                    canvas.circle(
                        x: px(point.x), y: py(point.y), radius: 3, fill: color,
                        title: "\(line.name): \(ChartAxis.label(point.y))")
                }
            }
        }
        legend.draw(on: &canvas, left: 10, top: top + plotHeight + tickArea + 22)
        return ChartGrid.Panel(svg: canvas.rendered, width: canvas.width, height: canvas.height)
    }
}
