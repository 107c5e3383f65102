import ArgumentParser
import Foundation
import TriadCore
import TriadReproduction

/// `triad reproduce neupims|matmulfree`: the papers' results next to ours.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce", abstract: "Run a paper's experiments and show its numbers next to ours.",
        subcommands: [NeuPIMs.self, MatMulFree.self])

    struct Output: ParsableArguments {
        @Option(help: "Directory for the CSV and SVG files.")
        var out: String = "triad-output"

        @Option(help: "table or json (the claims).")
        var format: OutputFormat = .table

        func write(_ text: String, to name: String) throws -> String {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let path = (out as NSString).appendingPathComponent(name)
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw RunFailure(message: "cannot write \(path): \(error.localizedDescription)")
            }
            return path
        }
    }

    struct NeuPIMs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "neupims",
            abstract: "NeuPIMs (ASPLOS 2024): throughput sweep, ablation, utilization, energy, TP vs PP.")

        @OptionGroup var output: Output

        @Flag(help: "A few points instead of the full sweep.")
        var quick = false

        @Option(help: "Decode iterations per point.")
        var iterations: Int = 300

        @Option(help: "Seed for request sampling.")
        var seed: UInt64 = 1

        func run() throws {
            let runner = try ExperimentRunner.neupims(iterations: iterations, seed: seed)
            let sensitivity = try ExperimentRunner.neupims(
                iterations: iterations, seed: seed, attentionMapping: .singleArray)
            let plan: NeuPIMsReproduction.Plan = quick ? .quick : .full
            let total =
                plan.models.count * plan.datasets.count * plan.batches.count * NeuPIMsReproduction.systems.count
                + plan.ablationBatches.count * NeuPIMsReproduction.ablationSystems.count + 2 + 4
                + plan.models.count * plan.datasets.count * plan.batches.count
            var done = 0
            let showProgress = isatty(STDERR_FILENO) != 0
            let result = try NeuPIMsReproduction.run(plan, runner: runner, sensitivityRunner: sensitivity) { label in
                done += 1
                if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K[\(done)/\(total)] \(label)".utf8)) }
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            var csv = SweepPoint.csvHeader + "\n"
            for point in result.sweep { csv += point.csvRow(experiment: "sweep") + "\n" }
            for point in result.ablation { csv += point.csvRow(experiment: "ablation") + "\n" }
            for point in result.utilization { csv += point.csvRow(experiment: "utilization") + "\n" }
            for point in result.parallelism { csv += point.csvRow(experiment: "parallelism") + "\n" }
            for point in result.simulatorAttention { csv += point.csvRow(experiment: "simulator-attention") + "\n" }
            var check = "policy,stage,simulator_cycles,triad_cycles,error\n"
            for row in result.simulatorCheck {
                check += CSV.line([row.policy, row.stage, String(row.simulator), String(row.triad), String(row.error)]) + "\n"
            }
            let checkPath = try output.write(check, to: "neupims-simulator-check.csv")
            let csvPath = try output.write(csv, to: "neupims-points.csv")
            let svgPath = try output.write(
                SweepChart.svg(
                    result.sweep, systems: NeuPIMsReproduction.systems,
                    title: "NeuPIMs reproduction: decode throughput vs batch (\(iterations) iterations per point)"),
                to: "neupims-sweep.svg")
            let ablationPath = try output.write(
                SweepChart.svg(
                    result.ablation, systems: NeuPIMsReproduction.ablationSystems,
                    title: "NeuPIMs ablation, GPT3-7B ShareGPT"),
                to: "neupims-ablation.svg")
            switch output.format {
            case .json:
                print(ClaimRendering.json(result.claims), terminator: "")
            case .table:
                print(
                    "NeuPIMs (ASPLOS 2024) reproduction — \(result.sweep.count + result.ablation.count + result.utilization.count + result.parallelism.count) simulated points, \(iterations) iterations each\n"
                )
                print(ClaimRendering.table(result.claims))
                print(SimulatorCheck.table(result.simulatorCheck))
                print(ClaimRendering.parameters(Provenance.neupims, assumptions: Provenance.neupimsAssumptions))
                print("wrote \(csvPath), \(svgPath), \(ablationPath), \(checkPath)")
            }
        }
    }

    struct MatMulFree: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "matmulfree", abstract: "Scalable MatMul-free LM (2024): the ternary FPGA figures.")

        @OptionGroup var output: Output

        func run() throws {
            let claims = MatMulFreeReproduction.run()
            var csv = "id,paper,measured\n"
            for claim in claims {
                csv += CSV.line([claim.id, claim.paper.map { String($0) } ?? "", String(claim.measured)]) + "\n"
            }
            let csvPath = try output.write(csv, to: "matmulfree-claims.csv")
            let svgPath = try output.write(crossoverChart(), to: "matmulfree-crossover.svg")
            switch output.format {
            case .json:
                print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("Scalable MatMul-free LM reproduction (ternary FPGA)\n")
                print(ClaimRendering.table(claims))
                print(ClaimRendering.parameters(MatMulFreeReproduction.parameters, assumptions: []))
                print("wrote \(csvPath), \(svgPath)")
            }
        }

        /// mmfree-1.3b tokens/s against total adders at 60 MHz, with the DDR roof.
        func crossoverChart() -> String {
            let model = ModelPresets.named("mmfree-1.3b")!
            var points: [(Double, Double)] = []
            var adders = 64
            while adders <= 16384 {
                var configuration = MatMulFreeReproduction.core(count: 1)
                configuration.addersPerCore = adders
                configuration.elementwiseLanes = 64
                configuration.memoryBandwidthBytesPerSecond = 76_800_000_000
                points.append((Double(adders), 1 / MatMulFreeReproduction.secondsPerToken(model, on: configuration)))
                adders *= 2
            }
            return LogLogChart.svg(
                points, title: "mmfree-1.3b, 60 MHz ternary FPGA, 76.8 GB/s: tokens/s vs adders",
                xLabel: "ternary adders", yLabel: "tokens per second")
        }
    }
}
