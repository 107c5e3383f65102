import TriadSetup
import ArgumentParser
import Foundation
import TriadCore
import TriadReproduction
import TriadScheduling
import TriadDevices

/// `triad reproduce neupims|matmulfree`: the papers' results next to ours.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce", abstract: "Run a paper's experiments and show its numbers next to ours.",
        subcommands: [NeuPIMs.self, MatMulFree.self, Mixture.self, BlockSparse.self, Sparsity.self, LookupTables.self])

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

    struct Mixture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "moe",
            abstract: "Mixture of experts: where an expert runs fastest by its tokens (NPU, bank PIM, logic-die PIM).")

        @OptionGroup var output: Output

        @Option(help: "Topology of the NPU (its memory plain HBM).")
        var npu: String = "Topologies/npu-only.yaml"

        @Option(help: "Topology with bank-level PIM.")
        var bankPim: String = "Topologies/neupims.yaml"

        @Option(help: "Topology with logic-die PIM.")
        var logicPim: String = "Topologies/logic-pim.yaml"

        func run() throws {
            try output.prepare()
            func devices(_ path: String) throws -> DeviceSet {
                try Inputs.deviceSet(try Inputs.topology(at: path), path: path)
            }
            let points = try MixtureReproduction.expertSweep(
                npu: try devices(npu), bankPIM: try devices(bankPim), logicPIM: try devices(logicPim))
            let claims = MixtureReproduction.claims(points)
            let path = try output.write(MixtureReproduction.csv(points), to: "moe-expert-devices.csv")
            switch output.format {
            case .json:
                print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("Mixture of experts: one Mixtral-8x7B expert by its tokens\n")
                var rows = [["tokens", "Op/B", "npu µs", "bank pim µs", "logic pim µs", "fastest"]]
                for point in points {
                    rows.append([
                        "\(point.tokens)", TextTable.fixed(point.operationsPerByte, 0),
                        TextTable.fixed(Double(point.npu) * 1e-6, 1), TextTable.fixed(Double(point.bankPIM) * 1e-6, 1),
                        TextTable.fixed(Double(point.logicPIM) * 1e-6, 1), point.fastest,
                    ])
                }
                print(TextTable.render(rows))
                print(ClaimRendering.table(claims))
                let check = DynaNDECheck.run(npu: .neupims)
                var checkRows = [["run", "expert", "tokens", "DynaNDE cycles", "Triad", "error"]]
                for row in check {
                    checkRows.append([
                        row.run, row.expert, "\(row.tokens)", "\(row.simulator)", "\(row.triad)",
                        TextTable.fixed(row.error * 100, 1) + " %",
                    ])
                }
                print("\nAgainst DynaNDE-Simulator (one MoE layer's experts, resident; docs/MODEL.md §12.3)\n")
                print(TextTable.render(checkRows))
                print("wrote " + path)
            }
        }
    }

    struct BlockSparse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "moba", abstract: "MoBA block-sparse attention: its sparsity and a decode query's attention cost.")

        @OptionGroup var output: Output

        func run() throws {
            try output.prepare()
            let claims = BlockSparseReproduction.claims()
            switch output.format {
            case .json: print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("MoBA (Mixture of Block Attention) reproduction\n")
                print(ClaimRendering.table(claims))
            }
        }
    }

    struct Sparsity: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flash-llm", abstract: "Flash-LLM unstructured sparsity: Tiled-CSL traffic and a skinny GEMM.")

        @OptionGroup var output: Output

        func run() throws {
            try output.prepare()
            let claims = SparsityReproduction.claims()
            switch output.format {
            case .json: print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("Flash-LLM (unstructured sparsity) reproduction\n")
                print(ClaimRendering.table(claims))
            }
        }
    }

    struct LookupTables: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lut-tensor-core",
            abstract: "LUT Tensor Core low-bit GEMMs: table precompute share, decode against dequantize-then-GEMM.")

        @OptionGroup var output: Output

        func run() throws {
            try output.prepare()
            let claims = try LookupTableReproduction.claims()
            switch output.format {
            case .json: print(ClaimRendering.json(claims), terminator: "")
            case .table:
                print("LUT Tensor Core (ISCA 2025) reproduction — NeuPIMs NPU with LUT units in its arrays' area\n")
                print(ClaimRendering.table(claims))
                print(ClaimRendering.parameters(LookupTableReproduction.parameters, assumptions: []))
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
