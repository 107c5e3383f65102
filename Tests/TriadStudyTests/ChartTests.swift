import Foundation
import Testing
import TriadCharts

/// Charts keep every drawn coordinate inside their viewBox, however long the labels and however many series
/// (the browser check in CI also measures the rendered text).
struct ChartTests {
    static func coordinates(_ svg: String) -> (width: Double, height: Double, values: [(String, Double)]) {
        let box = try! NSRegularExpression(pattern: "viewBox=\"0 0 ([0-9.]+) ([0-9.]+)\"")
        let whole = NSRange(svg.startIndex..., in: svg)
        let match = box.firstMatch(in: svg, range: whole)!
        let width = Double(svg[Range(match.range(at: 1), in: svg)!])!
        let height = Double(svg[Range(match.range(at: 2), in: svg)!])!
        var values: [(String, Double)] = []
        let attribute = try! NSRegularExpression(pattern: " (x|y|cx|cy|x1|y1|x2|y2)=\"(-?[0-9.]+)\"")
        for found in attribute.matches(in: svg, range: whole) {
            values.append(
                (String(svg[Range(found.range(at: 1), in: svg)!]), Double(svg[Range(found.range(at: 2), in: svg)!])!))
        }
        let points = try! NSRegularExpression(pattern: " points=\"([^\"]*)\"")
        for found in points.matches(in: svg, range: whole) {
            for pair in svg[Range(found.range(at: 1), in: svg)!].split(separator: " ") {
                let parts = pair.split(separator: ",").compactMap { Double($0) }
                values.append(("x", parts[0]))
                values.append(("y", parts[1]))
            }
        }
        return (width, height, values)
    }

    static func expectInside(_ svg: String) {
        let (width, height, values) = coordinates(svg)
        #expect(!values.isEmpty)
        for (name, value) in values {
            let limit = name.contains("x") ? width : height
            #expect(value >= 0 && value <= limit, "\(name)=\(value) outside 0…\(limit)")
        }
    }

    @Test func lineChartWithManySeriesAndLongNames() {
        let series = (0..<14).map { index in
            LineChart.Series(
                name: "npu+pim+drb+fused+bulk+gmlbp+sbi variant number \(index)",
                points: [64, 128, 256, 384, 512].map {
                    LineChart.Point(
                        x: $0, y: $0 * Double(index + 1) * 37, low: $0 * 30, high: $0 * Double(index + 2) * 40)
                })
        }
        var chart = LineChart(
            title: String(repeating: "a very long chart title ", count: 6), xLabel: "batch",
            yLabel: "decode tokens per second, simulated, mean of three seeds", series: series)
        chart.categorical = true
        chart.xTickLabel = { "batch of \(Int($0)) requests" }
        Self.expectInside(chart.svg)
    }

    @Test func barChartAndHeatmapWithLongLabels() {
        let categories = (0..<9).map { "policy-with-a-long-name-\($0)" }
        let values: [Double] = categories.indices.map { Double($0) * 10 }
        let errors: [Double] = categories.map { _ in 3 }
        var series: [BarChart.Series] = []
        for index in 0..<6 { series.append(BarChart.Series(name: "device\(index)", values: values, errors: errors)) }
        let bars = BarChart(title: "busy", yLabel: "busy %", categories: categories, series: series)
        Self.expectInside(bars.svg)
        let rows: [String] = (0..<8).map { "gpt3-175b · sharegpt · TP×PP 8x4 · row \($0)" }
        let columns: [String] = (0..<5).map { "batch \($0 * 128) requests" }
        var grid: [[Double?]] = []
        for row in 0..<8 {
            var cells: [Double?] = []
            for column in 0..<5 { cells.append(column == 2 && row == 3 ? nil : Double(row + column) / 4) }
            grid.append(cells)
        }
        let map = Heatmap(title: "speed-up", rowLabels: rows, columnLabels: columns, values: grid)
        Self.expectInside(map.svg)
    }
}
