/// Grouped vertical bars with optional error bars: utilization and energy per policy. Category labels rotate
/// when they do not fit under their group, and the margins grow to hold them.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per category.
        public var values: [Double]
        /// Half-widths of error bars (e.g. 95 % confidence), one per category, or empty.
        public var errors: [Double]

        public init(name: String, values: [Double], errors: [Double] = []) {
            self.name = name
            self.values = values
            self.errors = errors
        }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    public var width = 640.0
    public var plotHeight = 200.0

    public init(title: String, yLabel: String, categories: [String], series: [Series]) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    public var svg: String {
        let values = series.flatMap { line in
            line.values.indices.map { line.values[$0] + (line.errors.indices.contains($0) ? line.errors[$0] : 0) }
        }
        let axis = ChartAxis(values: values)
        let tickLabels = axis.ticks.map(ChartAxis.label)
        let widestCategory = TextMetrics.widest(categories, size: 11)
        let plotHeight = max(self.plotHeight, TextMetrics.width(yLabel, size: 12) + 10)
        var left = 14 + 16 + TextMetrics.widest(tickLabels, size: 11) + 8
        let top = 34.0
        let groupWidth = max(24, Double(max(1, series.count)) * 14 + 12)
        let naturalWidth = left + Double(max(1, categories.count)) * groupWidth + 16
        var plotWidth = max(width, naturalWidth) - left - 16
        let slot = plotWidth / Double(max(1, categories.count))
        let rotate = widestCategory + 6 > slot
        if rotate {
            left = max(left, widestCategory * 0.71 + 6)
            plotWidth = max(width, naturalWidth) - left - 16
        }
        let labelArea = rotate ? widestCategory * 0.71 + 18 : 18
        let legend = Legend(
            series.enumerated().map { ($0.element.name, Palette.color($0.offset)) },
            width: max(width, naturalWidth) - 20)
        let canvasWidth = max(left + plotWidth + 16, TextMetrics.width(title, size: 14) + 20)
        var canvas = SVGCanvas(width: canvasWidth, height: top + plotHeight + labelArea + 10 + legend.height + 10)
        canvas.text(title, x: 10, y: 20, size: 14, bold: true)
        func py(_ value: Double) -> Double { axis.position(value, from: top + plotHeight, to: top) }
        for (tick, label) in zip(axis.ticks, tickLabels) {
            canvas.line(left, py(tick), left + plotWidth, py(tick), stroke: "#e6e6e6")
            canvas.text(label, x: left - 6, y: py(tick) + 4, size: 11, anchor: .end)
        }
        canvas.text(yLabel, x: 14, y: top + plotHeight / 2, size: 12, anchor: .middle, rotation: -90)
        let group = plotWidth / Double(max(1, categories.count))
        let bar = (group - 10) / Double(max(1, series.count))
        for (column, category) in categories.enumerated() {
            let x0 = left + Double(column) * group + 5
            for (index, line) in series.enumerated() where line.values.indices.contains(column) {
                let value = line.values[column]
                let x = x0 + Double(index) * bar
                let zero = py(0)
                let y = py(value)
                canvas.rect(
                    x: x, y: min(y, zero), width: max(1, bar - 1), height: abs(zero - y), fill: Palette.color(index),
                    title: "\(line.name) · \(category): \(ChartAxis.label(value))")
                if line.errors.indices.contains(column), line.errors[column] > 0 {
                    let middle = x + bar / 2
                    canvas.line(
                        middle, py(value + line.errors[column]), middle, py(value - line.errors[column]), stroke: "#333"
                    )
                }
            }
            let center = x0 + (group - 10) / 2
            if rotate {
                canvas.text(category, x: center, y: top + plotHeight + 14, size: 11, anchor: .end, rotation: -45)
            } else {
                canvas.text(category, x: center, y: top + plotHeight + 15, size: 11, anchor: .middle)
            }
        }
        canvas.rect(x: left, y: top, width: plotWidth, height: plotHeight, fill: "none", stroke: "#888")
        legend.draw(on: &canvas, left: 10, top: top + plotHeight + labelArea + 10)
        return canvas.rendered
    }
}
