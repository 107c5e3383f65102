import TriadCharts

/// The reproduction's sweep charts: one panel per (data set, model), x = batch, y = tokens/s, one line per
/// system — drawn with the same chart code as `triad sweep`'s report (TriadCharts), so labels and legends never
/// clip.
public enum SweepChart {
    public static func svg(_ points: [ReproductionPoint], systems: [String], title: String) -> String {
        let models = ordered(points.map(\.model))
        let datasets = ordered(points.map(\.dataset))
        var panels: [ChartGrid.Panel] = []
        for dataset in datasets {
            for model in models {
                let panel = points.filter { $0.model == model && $0.dataset == dataset }
                guard !panel.isEmpty else { continue }
                var chart = LineChart(
                    title: "\(model) · \(dataset)", xLabel: "batch (requests)", yLabel: "decode tokens / s",
                    series: systems.map { system in
                        LineChart.Series(
                            name: system,
                            points: panel.filter { $0.system == system }.map {
                                LineChart.Point(x: Double($0.batch), y: $0.report.tokensPerSecond)
                            })
                    })
                chart.categorical = true
                chart.xTickLabel = { String(Int($0)) }
                chart.width = 420
                panels.append(chart.panel)
            }
        }
        return ChartGrid.svg(
            panels, columns: max(1, models.count), title: title, note: "simulated decode tokens per second")
    }

    private static func ordered(_ values: [String]) -> [String] {
        var seen: [String] = []
        for value in values where !seen.contains(value) { seen.append(value) }
        return seen
    }
}
