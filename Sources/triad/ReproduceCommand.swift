import TriadSetup
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

        /// Makes `--out` (a directory) if it is missing; refuses a path that is something else.
        func prepare() throws { try OutputDirectory(path: out).prepare() }

        func write(_ text: String, to name: String) throws -> String {
            try OutputDirectory(path: out).write(text, to: name)
        }
    }

    struct NeuPIMs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "neupims",
            abstract: "NeuPIMs (ASPLOS 2024): throughput sweep, ablation, utilization, energy, TP vs PP.")

        @OptionGroup var output: Output

        @Flag(help: "A few points instead of the full sweep.")
        var quick = false

        @Option(parsing: .unconditional, help: "Decode iterations per point (1…1000000).")
        var iterations: Int = 300

        func validate() throws {
            try OptionRange.check(iterations, 1...1_000_000, "--iterations")
        }

        @Option(parsing: .unconditional, help: "Seed for request sampling.")
        var seed: UInt64 = 1

        func run() throws {
            try output.prepare()
            let runner = try ExperimentRunner.neupims(iterations: iterations, seed: seed)
            let sensitivity = try ExperimentRunner.neupims(
                iterations: iterations, seed: seed, attentionMapping: .singleArray)
            let plan: NeuPIMsReproduction.Plan = quick ? .quick : .full
            var done = 0
            let showProgress = isatty(STDERR_FILENO) != 0
            let result = try NeuPIMsReproduction.run(plan, runner: runner, sensitivityRunner: sensitivity) { label in
                done += 1
                if showProgress {
                    FileHandle.standardError.write(Data("\r\u{1B}[K[\(done)/\(plan.steps)] \(label)".utf8))
                }
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let paths = try result.files(iterations: iterations).map { try output.write($0.contents, to: $0.name) }
            switch output.format {
            case .json:
                print(ClaimRendering.json(result.claims), terminator: "")
            case .table:
                print(
                    "NeuPIMs (ASPLOS 2024) reproduction — \(result.pointCount) simulated points, \(iterations) iterations each\n"
                )
                print(ClaimRendering.table(result.claims))
                print(SimulatorCheck.table(result.simulatorCheck))
                print(ClaimRendering.parameters(Provenance.neupims, assumptions: Provenance.neupimsAssumptions))
                print("wrote " + paths.joined(separator: ", "))
            }
        }
    }

    struct MatMulFree: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "matmulfree", abstract: "Scalable MatMul-free LM (2024): the ternary FPGA figures.")

        @OptionGroup var output: Output

        func run() throws {
            try output.prepare()
            let claims = MatMulFreeReproduction.run()
            let paths = try MatMulFreeReproduction.files(claims).map { try output.write($0.contents, to: $0.name) }
            switch output.format {
            case .json:
                print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("Scalable MatMul-free LM reproduction (ternary FPGA)\n")
                print(ClaimRendering.table(claims))
                print(ClaimRendering.parameters(MatMulFreeReproduction.parameters, assumptions: []))
                print("wrote " + paths.joined(separator: ", "))
            }
        }
    }
}
