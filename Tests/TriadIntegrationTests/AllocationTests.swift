import Foundation
import Testing
import TriadTestSupport

/// The steady-state decode loop allocates nothing: a run of 12,000 iterations makes at most a few dozen heap
/// allocations more than one of 2,000 — the logarithmic growth of the per-iteration records a run keeps (its latency
/// samples, checkpoints) — on workloads whose every shape is costed in the first iterations (fixed request lengths).
/// Counted with a malloc hook (`scripts/count-allocations`) around the optimised binary: a debug build allocates in
/// its unspecialised generics, so this test needs `.build/release/triad`, which `scripts/integration-test` and CI build.
@Suite(.integrationTier, .tags(.integration, .process))
struct AllocationTests {
    /// More allocations than this over 10,000 iterations fail the test.
    static let allowance = 50

    static var releaseBinary: URL { TriadPaths.packageRoot.appendingPathComponent(".build/release/triad") }

    /// The heap allocations of one `triad run` with `arguments` and `iterations`.
    static func allocations(_ arguments: [String], iterations: Int) throws -> Int {
        let outcome = try TriadProcess.run(
            ["scripts/count-allocations", releaseBinary.path, "run"] + arguments + ["--iterations", "\(iterations)"],
            program: URL(fileURLWithPath: "/bin/bash"))
        #expect(outcome.status == 0, "triad run \(arguments) failed: \(outcome.error.suffix(400))")
        let line = outcome.error.split(separator: "\n").last { $0.hasPrefix("triad-allocations: ") }
        let count = line.flatMap { Int($0.dropFirst("triad-allocations: ".count)) }
        try #require(count != nil, "no allocation count in: \(outcome.error.suffix(400))")
        return count!
    }

    static let runs: [[String]] = [
        // NeuPIMs: interleaved sub-batches, PIM attention, requests retiring and admitted every few iterations.
        ["Topologies/neupims.yaml", "--model", "gpt3-7b", "--workload", "fixed:64:256", "--batch", "512", "--policy", "neupims"],
        ["Topologies/neupims.yaml", "--model", "gpt3-7b", "--workload", "fixed:64:256", "--batch", "256", "--policy", "npu-only"],
        // 32 devices, tensor 8 × pipeline 4: micro-batches per stage, collectives on the links.
        [
            "Topologies/neupims-175b.yaml", "--model", "gpt3-175b", "--workload", "fixed:64:256", "--batch", "512",
            "--policy", "neupims",
        ],
        // The ternary FPGA with a MatMul-free model.
        ["Topologies/matmulfree-fpga.yaml", "--model", "mmfree-1.3b", "--workload", "fixed:64:256", "--batch", "16", "--policy", "ternary"],
    ]

    @Test(arguments: runs)
    func steadyStateDoesNotAllocate(_ arguments: [String]) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.releaseBinary.path),
            "build the optimised binary first: swift build -c release --product triad")
        let short = try Self.allocations(arguments, iterations: 2_000)
        let long = try Self.allocations(arguments, iterations: 12_000)
        #expect(
            long - short <= Self.allowance,
            "\(long - short) heap allocations in 10,000 steady-state iterations of \(arguments.joined(separator: " "))")
    }
}
