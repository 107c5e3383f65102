import Foundation
import Testing
import TriadTestSupport

/// The C worker SDK's fpga-worker (sdk/c, built by scripts/build-sdk) in real clusters: a topology's `worker:` key
/// makes `triad up` start it for the FPGA, the reports equal the in-process ones byte for byte, and it survives the
/// same faults as the Swift worker.
@Suite(.serialized, .integrationTier, .cWorkerBuilt, .tags(.integration, .process, .cSDK))
struct CWorkerProcessTests {
    static var program: URL { TriadPaths.packageRoot.appendingPathComponent("sdk/c/build/fpga-worker") }

    /// `topology` with the C worker serving fpga0, written to a temporary file.
    static func withCWorker(_ topology: String, in directory: URL) throws -> String {
        let original = try String(
            contentsOf: TriadPaths.packageRoot.appendingPathComponent("Topologies/\(topology).yaml"), encoding: .utf8)
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
        let directory = try TriadPaths.temporaryDirectory("c-\(topology)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let common = [
            "--policies", policies, "--model", model, "--batch", "32", "--iterations", "60", "--format", "json",
        ]
        let local = try TriadProcess.run(["compare", "Topologies/\(topology).yaml"] + common)
        let cluster = try TriadProcess.run(["up", try Self.withCWorker(topology, in: directory)] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(!local.output.isEmpty && cluster.output == local.output)
    }

    /// SIGKILL and SIGSTOP of the C worker in the middle of a run: declared dead, restarted, same report.
    @Test(arguments: ["SIGKILL", "SIGSTOP"])
    func cWorkerFaultIsSurvived(signal: String) throws {
        let directory = try TriadPaths.temporaryDirectory("c-fault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = [
            try Self.withCWorker("hetero", in: directory), "--policies", "ternary", "--model", "bitnet-b1.58-3b",
            "--batch", "32", "--iterations", "1200", "--format", "json",
        ]
        let run = try TriadProcess(
            ["up"] + arguments + ["--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "info"])
        let pid = try ClusterProcessTests.injectFault(signal, device: "fpga0", into: run, pidDirectory: directory)
        let outcome = run.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error)")
        let expected = try TriadProcess.run(["compare", "Topologies/hetero.yaml"] + arguments.dropFirst())
        #expect(outcome.output == expected.output)
        let summary = outcome.error.split(separator: "\n").last { $0.hasPrefix("triad up:") } ?? ""
        #expect(summary.contains("fpga0 declared dead"), "\(summary)")
        #expect(summary.contains("fpga0 replaced in"), "\(summary)")
        #expect(kill(pid, 0) != 0)
    }

    /// The coordinator is SIGKILLed mid-run and a new one binds the same endpoint: the C worker (beside two Swift
    /// workers) notices, registers with it, and the run ends with the fault-free report; every worker exits 0.
    @Test func coordinatorRestartIsSurvivedWithACWorker() throws {
        let job = [
            "Topologies/hetero.yaml", "--policies", "ternary", "--model", "bitnet-b1.58-3b", "--batch", "32",
            "--iterations", "1200", "--format", "json",
        ]
        let options = job + ["--no-cost-reuse", "--log-level", "info"]
        let first = try TriadProcess(["coordinator", "--bind", "tcp://127.0.0.1:*"] + options)
        let endpoint = try #require(first.boundEndpoint(), "\(first.errorText)")
        let workers =
            try ["npu0", "pim0"].map {
                try TriadProcess(["worker", "--connect", endpoint, "--device", $0, "--once", "--log-level", "error"])
            } + [
                try TriadProcess(
                    ["worker", "--connect", endpoint, "--device", "fpga0", "--once"], program: Self.program)
            ]
        // Every worker configured: the run is under way.
        for device in ["npu0", "pim0", "fpga0"] { #expect(first.waitForConfigured(device), "\(first.errorText)") }
        kill(first.pid, SIGKILL)
        _ = first.wait()
        let second = try TriadProcess(["coordinator", "--bind", endpoint] + options)
        let outcome = second.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output == (try TriadProcess.run(["compare"] + job).output))
        for worker in workers {
            let result = worker.wait(killingAfter: 10)
            #expect(result.status == 0, "\(result.error)")
        }
    }

    /// CURVE: a C worker whose key is on the coordinator's --allow list serves the run; one that is not is refused
    /// (exit 3) and the coordinator gives up waiting.
    @Test func cWorkerSpeaksCurve() throws {
        let directory = try TriadPaths.temporaryDirectory("c-curve")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["coordinator", "listed", "unlisted"] {
            #expect(try TriadProcess.run(["keygen", directory.appendingPathComponent(name).path]).status == 0)
        }
        func key(_ name: String, _ suffix: String) -> String {
            directory.appendingPathComponent("\(name).\(suffix)").path
        }
        for (name, expected) in [("listed", Int32(0)), ("unlisted", Int32(3))] {
            let coordinator = try TriadProcess([
                "coordinator", "--bind", "tcp://127.0.0.1:*", "Topologies/matmulfree-fpga.yaml", "--policies",
                "ternary", "--model",
                "mmfree-370m", "--batch", "4", "--iterations", "5", "--format", "json", "--curve", "--curve-key",
                key("coordinator", "key"), "--allow", key("listed", "pub"), "--wait-timeout", "10", "--log-level",
                "info",
            ])
            let endpoint = try #require(coordinator.boundEndpoint(), "\(coordinator.errorText)")
            let worker = try TriadProcess(
                [
                    "worker", "--connect", endpoint, "--device", "fpga0", "--once", "--curve-key", key(name, "key"),
                    "--server-key", key("coordinator", "pub"),
                ], program: Self.program)
            let run = coordinator.wait(killingAfter: 30)
            let result = worker.wait(killingAfter: 10)
            #expect(result.status == expected, "\(name): \(result.error)")
            #expect((run.status == 0) == (expected == 0), "\(run.error)")
            if expected == 3 { #expect(result.error.contains("refused this worker's CURVE key"), "\(result.error)") }
        }
    }
}
