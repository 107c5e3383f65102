import Foundation
import Testing

/// The C worker SDK's fpga-worker (sdk/c, built by scripts/build-sdk) in real clusters: a topology's `worker:` key
/// makes `triad up` start it for the FPGA, the reports equal the in-process ones byte for byte, and it survives the
/// same faults as the Swift worker.
struct CWorkerProcessTests {
    static var program: URL { EndToEndTests.packageRoot.appendingPathComponent("sdk/c/build/fpga-worker") }

    /// `topology` with the C worker serving fpga0, written to a temporary file.
    static func withCWorker(_ topology: String, in directory: URL) throws -> String {
        let original = try String(
            contentsOf: EndToEndTests.packageRoot.appendingPathComponent("Topologies/\(topology).yaml"), encoding: .utf8)
        let changed = original.replacingOccurrences(
            of: "  - id: fpga0\n    kind: fpga\n", with: "  - id: fpga0\n    kind: fpga\n    worker: \(program.path)\n")
        #expect(changed != original)
        let file = directory.appendingPathComponent("\(topology)-c.yaml")
        try changed.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test(arguments: [
        ("hetero", "ternary,neupims", "bitnet-b1.58-3b"), ("matmulfree-fpga", "ternary", "mmfree-1.3b"),
        ("hetero-pipeline", "npu-only,neupims", "bitnet-b1.58-3b"),
    ])
    func cWorkerReportsEqualInProcess(topology: String, policies: String, model: String) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.program.path), "build the C SDK: bash scripts/build-sdk")
        let directory = try ClusterProcessTests.temporaryDirectory("c-\(topology)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let common = ["--policies", policies, "--model", model, "--batch", "32", "--iterations", "60", "--format", "json"]
        let local = try EndToEndTests.triad(["compare", "Topologies/\(topology).yaml"] + common)
        let cluster = try EndToEndTests.triad(["up", try Self.withCWorker(topology, in: directory)] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(!local.output.isEmpty && cluster.output == local.output)
    }

    /// SIGKILL and SIGSTOP of the C worker in the middle of a run: declared dead, restarted, same report.
    @Test(arguments: ["SIGKILL", "SIGSTOP"])
    func cWorkerFaultIsSurvived(signal: String) throws {
        let directory = try ClusterProcessTests.temporaryDirectory("c-fault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = [
            try Self.withCWorker("hetero", in: directory), "--policies", "ternary", "--model", "bitnet-b1.58-3b",
            "--batch", "32", "--iterations", "1200", "--format", "json",
        ]
        let run = try ClusterProcessTests.Running(
            ["up"] + arguments + ["--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "error"])
        let pid = try ClusterProcessTests.injectFault(signal, device: "fpga0", pidDirectory: directory)
        let outcome = run.wait()
        #expect(outcome.status == 0, "\(outcome.error)")
        let expected = try EndToEndTests.triad(["compare", "Topologies/hetero.yaml"] + arguments.dropFirst())
        #expect(outcome.output == expected.output)
        #expect(outcome.error.contains("fpga0 declared dead"), "\(outcome.error)")
        #expect(outcome.error.contains("fpga0 replaced in"), "\(outcome.error)")
        #expect(kill(pid, 0) != 0)
    }
}
