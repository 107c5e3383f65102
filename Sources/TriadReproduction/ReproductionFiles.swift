import TriadCharts
import TriadCore

/// The files a reproduction writes next to its claims: (file name, contents), in the order written.
extension NeuPIMsReproduction.Result {
    /// Every simulated point, the sweep and ablation charts, and Triad against the NeuPIMs simulator.
    public func files(iterations: Int) -> [(name: String, contents: String)] {
        var points = ReproductionPoint.csvHeader + "\n"
        for (experiment, list) in [
            ("sweep", sweep), ("ablation", ablation), ("utilization", utilization), ("parallelism", parallelism),
            ("simulator-attention", simulatorAttention),
        ] {
            for point in list { points += point.csvRow(experiment: experiment) + "\n" }
        }
        var check = "policy,stage,simulator_cycles,triad_cycles,error\n"
        for row in simulatorCheck {
            check +=
                CSV.line([row.policy, row.stage, String(row.simulator), String(row.triad), String(row.error)]) + "\n"
        }
        return [
            ("neupims-points.csv", points),
            (
                "neupims-sweep.svg",
                SweepChart.svg(
                    sweep, systems: NeuPIMsReproduction.systems,
                    title: "NeuPIMs reproduction: decode throughput vs batch (\(iterations) iterations per point)")
            ),
            (
                "neupims-ablation.svg",
                SweepChart.svg(
                    ablation, systems: NeuPIMsReproduction.ablationSystems, title: "NeuPIMs ablation, GPT3-7B ShareGPT")
            ),
            ("neupims-simulator-check.csv", check),
        ]
    }

    /// Simulated points of the continuous-batching experiments.
    public var pointCount: Int { sweep.count + ablation.count + utilization.count + parallelism.count }
}

extension NeuPIMsReproduction.Plan {
    /// Progress steps `NeuPIMsReproduction.run` reports with a sensitivity runner.
    public var steps: Int {
        let sweep = models.count * datasets.count * batches.count
        var tensor = parallelDevices
        var splits = 0
        while tensor >= 1 {
            splits += 1
            tensor /= 2
        }
        return sweep * NeuPIMsReproduction.systems.count + ablationBatches.count
            * NeuPIMsReproduction.ablationSystems.count + 2 + splits + sweep + 1
    }
}

extension MatMulFreeReproduction {
    /// The claims as CSV and the adders-vs-throughput chart.
    public static func files(_ claims: [Claim]) -> [(name: String, contents: String)] {
        var csv = "id,paper,measured\n"
        for claim in claims {
            csv += CSV.line([claim.id, claim.paper.map { String($0) } ?? "", String(claim.measured)]) + "\n"
        }
        return [("matmulfree-claims.csv", csv), ("matmulfree-crossover.svg", crossoverChart())]
    }

    /// mmfree-1.3b tokens/s against total adders at 60 MHz, with the DDR roof.
    static func crossoverChart() -> String {
        let model = ModelPresets.named("mmfree-1.3b")!
        var points: [(Double, Double)] = []
        var adders = 64
        while adders <= 16384 {
            var configuration = core(count: 1)
            configuration.addersPerCore = adders
            configuration.elementwiseLanes = 64
            configuration.memoryBandwidthBytesPerSecond = 76_800_000_000
            points.append((Double(adders), 1 / secondsPerToken(model, on: configuration)))
            adders *= 2
        }
        var chart = LineChart(
            title: "mmfree-1.3b, 60 MHz ternary FPGA, 76.8 GB/s: tokens/s vs adders", xLabel: "ternary adders",
            yLabel: "tokens per second",
            series: [LineChart.Series(name: "mmfree-1.3b", points: points.map { LineChart.Point(x: $0.0, y: $0.1) })])
        chart.categorical = true
        chart.logY = true
        chart.xTickLabel = { String(Int($0)) }
        return chart.svg
    }
}
