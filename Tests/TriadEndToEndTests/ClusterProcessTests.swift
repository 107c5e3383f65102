import Foundation
import Testing

/// The cluster with real processes: `triad up` equals the in-process report byte for byte, and survives a
/// killed worker, a stopped worker and a restarted coordinator with the same report.
@Suite(.serialized)
struct ClusterProcessTests {
    typealias Outcome = EndToEndTests.Outcome

    /// A started `triad` process whose output is collected in the background.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let output = Pipe()
        private let error = Pipe()
        private var outputData = Data()
        private var errorData = Data()
        private let group = DispatchGroup()

        init(_ arguments: [String], program: URL = EndToEndTests.executable) throws {
            process.executableURL = program
            process.arguments = arguments
            process.currentDirectoryURL = EndToEndTests.packageRoot
            process.standardOutput = output
            process.standardError = error
            try process.run()
            for (pipe, isOutput) in [(output, true), (error, false)] {
                group.enter()
                DispatchQueue.global().async {
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOutput { self.outputData = data } else { self.errorData = data }
                    self.group.leave()
                }
            }
        }

        /// Waits at most `seconds`, then kills the process (a hung worker fails its test instead of the suite).
        func wait(killingAfter seconds: Double) -> Outcome {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            return wait()
        }

        func wait() -> Outcome {
            process.waitUntilExit()
            group.wait()
            return Outcome(
                status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                error: String(decoding: errorData, as: UTF8.self))
        }
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "triad-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func waitForPID(_ directory: URL, device: String) -> pid_t? {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: directory.appendingPathComponent("\(device).pid"), encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return pid
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// Every bundled topology, every policy that runs on it: `triad up` JSON == `triad compare` JSON.
    @Test(arguments: [
        ("neupims", "npu-only,npu+pim,npu+pim+drb,npu+pim+gmlbp,npu+pim+sbi,neupims", "gpt3-7b"),
        ("npu-pim-blocked", "npu-only,npu+pim,npu+pim+gmlbp,npu+pim+sbi", "gpt3-7b"),
        ("npu-only", "npu-only", "gpt3-13b"),
        ("matmulfree-fpga", "ternary", "mmfree-1.3b"),
        ("hetero", "npu-only,npu+pim,neupims,ternary", "bitnet-b1.58-3b"),
        ("neupims-tp4", "npu-only,neupims", "gpt3-7b"),
        ("neupims-175b", "neupims", "gpt3-175b"),
        ("hetero-pipeline", "npu-only,neupims", "bitnet-b1.58-3b"),
    ])
    func upEqualsInProcess(topology: String, policies: String, model: String) throws {
        let common = [
            "Topologies/\(topology).yaml", "--policies", policies, "--model", model, "--batch", "32", "--iterations",
            "15",
            "--format", "json",
        ]
        let local = try EndToEndTests.triad(["compare"] + common)
        let cluster = try EndToEndTests.triad(["up"] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(cluster.output == local.output)
        #expect(!cluster.output.isEmpty)
    }

    /// The fault runs: the report of the interrupted run equals the fault-free one.
    static let faultArguments = faultArguments(topology: "neupims")

    static func faultArguments(topology: String) -> [String] {
        [
            "Topologies/\(topology).yaml", "--policies", "neupims", "--batch", "64", "--iterations", "1200",
            "--format", "json",
        ]
    }

    static var expected: String {
        get throws { try EndToEndTests.triad(["compare"] + faultArguments).output }
    }

    /// Faults on the single-group topology and on a multi-device one (4 groups, 8 workers).
    @Test(arguments: [("SIGKILL", "neupims"), ("SIGSTOP", "neupims"), ("SIGKILL", "neupims-tp4"), ("SIGSTOP", "neupims-tp4")])
    func workerFaultIsSurvived(signal: String, topology: String) throws {
        let directory = try Self.temporaryDirectory("fault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = Self.faultArguments(topology: topology)
        let run = try Running(
            ["up"] + arguments + [
                "--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "error",
            ])
        let device = signal == "SIGKILL" ? "npu0" : "pim0"
        let faultAt = Date()
        let pid = try Self.injectFault(signal, device: device, pidDirectory: directory)
        let outcome = run.wait()
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output == (try EndToEndTests.triad(["compare"] + arguments).output))
        #expect(outcome.error.contains("\(device) declared dead"), "\(outcome.error)")
        #expect(outcome.error.contains("\(device) replaced in"), "\(outcome.error)")
        let summary = outcome.error.split(separator: "\n").last { $0.hasPrefix("triad up:") } ?? ""
        print("\(topology) \(signal) \(device) at +\(Int(faultAt.timeIntervalSinceNow * -1000)) ms: \(summary)")
        // No orphan: the killed or stopped process is gone.
        #expect(kill(pid, 0) != 0)
    }

    /// Waits for `device`'s worker, lets the run get going, then SIGKILLs it, or SIGSTOPs it for 2.5 s (longer than
    /// the liveness window) and lets it go on. Returns its pid.
    static func injectFault(_ signal: String, device: String, pidDirectory: URL) throws -> pid_t {
        let pid = try #require(waitForPID(pidDirectory, device: device))
        Thread.sleep(forTimeInterval: 0.6)
        kill(pid, signal == "SIGKILL" ? SIGKILL : SIGSTOP)
        if signal == "SIGSTOP" {
            Thread.sleep(forTimeInterval: 2.5)
            kill(pid, SIGCONT)
        }
        return pid
    }

    /// Ctrl-C during `triad up` stops the workers too: no orphan processes.
    @Test func interruptLeavesNoOrphans() throws {
        let directory = try Self.temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Running(
            ["up"] + Self.faultArguments + [
                "--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "error",
            ])
        let workers = try ["npu0", "pim0"].map { try #require(Self.waitForPID(directory, device: $0)) }
        Thread.sleep(forTimeInterval: 0.5)
        kill(run.process.processIdentifier, SIGINT)
        let outcome = run.wait()
        #expect(outcome.status == 128 + SIGINT)
        let deadline = Date().addingTimeInterval(5)
        while workers.contains(where: { kill($0, 0) == 0 }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for pid in workers { #expect(kill(pid, 0) != 0, "worker \(pid) outlived triad up") }
    }

    /// `triad keygen` + `--curve`: listed workers run the job; an unlisted key never gets in.
    @Test func curveAdmitsOnlyListedWorkers() throws {
        let directory = try Self.temporaryDirectory("curve")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["coordinator", "listed", "unlisted"] {
            #expect(try EndToEndTests.triad(["keygen", directory.appendingPathComponent(name).path]).status == 0)
        }
        func key(_ name: String, _ suffix: String) -> String {
            directory.appendingPathComponent("\(name).\(suffix)").path
        }
        for (pimKey, expectedStatus) in [("listed", Int32(0)), ("unlisted", Int32(1))] {
            let port = 30_000 + Int(getpid() % 10_000) + (pimKey == "listed" ? 0 : 1)
            let endpoint = "tcp://127.0.0.1:\(port)"
            let coordinator = try Running([
                "coordinator", "--bind", endpoint, "Topologies/neupims.yaml", "--batch", "16", "--iterations", "5",
                "--format", "json", "--curve", "--curve-key", key("coordinator", "key"), "--allow",
                key("listed", "pub"),
                "--wait-timeout", "4", "--log-level", "error",
            ])
            Thread.sleep(forTimeInterval: 0.3)
            let workers = try [("npu0", "listed"), ("pim0", pimKey)].map { device, name in
                try Running([
                    "worker", "--connect", endpoint, "--device", device, "--curve", "--curve-key", key(name, "key"),
                    "--server-key", key("coordinator", "pub"), "--log-level", "error",
                ])
            }
            let outcome = coordinator.wait()
            #expect(outcome.status == expectedStatus, "\(outcome.error)")
            if expectedStatus != 0 { #expect(outcome.error.contains("did not register in time: pim0")) }
            for (index, worker) in workers.enumerated() {
                if worker.process.isRunning { kill(worker.process.processIdentifier, SIGTERM) }
                let result = worker.wait()
                if index == 1 && pimKey == "unlisted" {
                    // A refused key is final: the worker says so in one line and exits 3 instead of retrying.
                    #expect(result.status == 3, "\(result.error)")
                    #expect(result.error.contains("refused this worker's CURVE key"), "\(result.error)")
                }
            }
        }
    }

    @Test func coordinatorRestartIsSurvived() throws {
        let port = 20_000 + Int(getpid() % 20_000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let arguments =
            ["coordinator", "--bind", endpoint] + Self.faultArguments + ["--no-cost-reuse", "--log-level", "error"]
        let first = try Running(arguments)
        Thread.sleep(forTimeInterval: 0.3)
        let workers = try ["npu0", "pim0"].map {
            try Running(["worker", "--connect", endpoint, "--device", $0, "--once", "--log-level", "error"])
        }
        Thread.sleep(forTimeInterval: 1.0)
        kill(first.process.processIdentifier, SIGKILL)
        _ = first.wait()
        let restartedAt = Date()
        let second = try Running(arguments)
        let outcome = second.wait()
        let elapsed = Date().timeIntervalSince(restartedAt)
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output == (try Self.expected))
        print("coordinator restart: the new coordinator finished the run \(Int(elapsed * 1000)) ms after it started")
        for worker in workers {
            let result = worker.wait()
            #expect(result.status == 0, "\(result.error)")
        }
    }
}
