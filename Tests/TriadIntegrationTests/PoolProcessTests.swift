import Foundation
import Testing
import TriadTestSupport

/// `triad pool` with real processes: runs attached to a warm pool give the in-process report byte for byte on the
/// same worker processes, a run of another topology is refused in one line, a worker killed during a run is
/// replaced by the pool, and `triad pool stop` leaves no process behind. Waits are for what the processes say or
/// write, with deadlines; ports come from the OS.
@Suite(.serialized, .integrationTier, .tags(.integration, .process))
struct PoolProcessTests {
    /// A fresh state directory (short enough for a control socket) and a pool started in it for `topology`.
    static func startPool(_ topology: String, name: String) throws -> (directory: URL, endpoint: String) {
        let directory = try TriadPaths.temporaryDirectory(name)
        let start = try TriadProcess.run(["pool", "start", "Topologies/\(topology).yaml", "--state-dir", directory.path])
        #expect(start.status == 0, "\(start.error)")
        let endpoint = start.output.split(separator: " ").first { $0.hasPrefix("tcp://") }.map(String.init) ?? ""
        #expect(!endpoint.isEmpty, "\(start.output)")
        return (directory, endpoint)
    }

    static func stopPool(_ directory: URL) {
        _ = try? TriadProcess.run(["pool", "stop", "--state-dir", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// The pids in the pool's `workers/` (device → pid).
    static func workerPIDs(_ directory: URL) -> [String: pid_t] {
        let folder = directory.appendingPathComponent("workers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var pids: [String: pid_t] = [:]
        for name in names where name.hasSuffix(".pid") {
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            if let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { pids[name] = pid }
        }
        return pids
    }

    /// pool start → `triad up --pool` (with every worker, then the first group only) and `triad up --attach ENDPOINT`
    /// equal `triad compare` byte for byte, served by the same worker processes (nothing spawned); status sees every
    /// worker registered; stop leaves no process.
    @Test func attachedRunsEqualInProcessAndStopLeavesNoProcess() throws {
        let (directory, endpoint) = try Self.startPool("neupims-tp4", name: "pool")
        defer { Self.stopPool(directory) }
        let before = Self.workerPIDs(directory)
        #expect(before.count == 8)
        let common = [
            "Topologies/neupims-tp4.yaml", "--policies", "npu-only,neupims", "--batch", "32", "--iterations", "40",
            "--format", "json",
        ]
        let local = try TriadProcess.run(["compare"] + common)
        #expect(local.status == 0, "\(local.error)")
        // --first-group-only leaves the mirrors' workers waiting untouched; the next run has them all.
        for (attach, workers) in [(["--pool"], 8), (["--pool", "--first-group-only"], 2), (["--attach", endpoint], 8)] {
            let run = try TriadProcess.run(["up"] + common + attach + ["--state-dir", directory.path])
            #expect(run.status == 0, "\(run.error)")
            #expect(run.output == local.output)
            #expect(run.error.contains("triad up: \(workers) workers ready"), "\(run.error)")
            #expect(run.error.contains("the pool's in \(directory.path)"), "\(run.error)")
            if workers == 8 { #expect(run.error.contains("the run waited for 2"), "\(run.error)") }
            #expect(run.error.contains("spawn 0 ms"), "\(run.error)")
        }
        #expect(Self.workerPIDs(directory) == before, "the pool's workers served both runs")
        let status = try TriadProcess.run(["pool", "status", "--state-dir", directory.path])
        #expect(status.status == 0, "\(status.error)")
        #expect(status.output.contains("workers running: 8/8"), "\(status.output)")
        #expect(status.output.contains("registered: 8/8"), "\(status.output)")
        let keeper = pid_t(
            (try String(contentsOf: directory.appendingPathComponent("keeper.pid"), encoding: .utf8))
                .trimmingCharacters(in: .whitespacesAndNewlines))
        let stop = try TriadProcess.run(["pool", "stop", "--state-dir", directory.path])
        #expect(stop.status == 0, "\(stop.error)")
        for pid in Array(before.values) + [keeper ?? 0] {
            #expect(ClusterProcessTests.isGone(pid, within: 30), "process \(pid) outlived triad pool stop")
        }
        let after = try TriadProcess.run(["pool", "status", "--state-dir", directory.path])
        #expect(after.status == 1)
        #expect(after.error.contains("no pool is running"), "\(after.error)")
    }

    /// A run whose topology the pool does not serve is refused in one line naming both; the pool still serves its
    /// own topology afterwards.
    @Test func attachingAnotherTopologyIsRefusedInOneLine() throws {
        let (directory, _) = try Self.startPool("neupims", name: "pool-mismatch")
        defer { Self.stopPool(directory) }
        let other = try TriadProcess.run([
            "up", "Topologies/neupims-tp4.yaml", "--iterations", "5", "--pool", "--state-dir", directory.path,
        ])
        #expect(other.status == 1)
        #expect(other.error.split(separator: "\n").count == 1, "\(other.error)")
        #expect(
            other.error.contains("the pool serves Topologies/neupims.yaml (2 workers)")
                && other.error.contains("Topologies/neupims-tp4.yaml needs 8"), "\(other.error)")
        let own = try TriadProcess.run([
            "up", "Topologies/neupims.yaml", "--policies", "neupims", "--iterations", "5", "--pool", "--state-dir",
            directory.path,
        ])
        #expect(own.status == 0, "\(own.error)")
    }

    /// A pool's worker SIGKILLed during an attached run: the run declares it dead, the pool starts it again, the
    /// replacement registers, and the report is the fault-free one.
    @Test func workerKilledDuringAnAttachedRunIsReplaced() throws {
        let (directory, _) = try Self.startPool("neupims", name: "pool-fault")
        defer { Self.stopPool(directory) }
        let arguments = ClusterProcessTests.faultArguments
        let run = try TriadProcess(
            ["up"] + arguments + ["--no-cost-reuse", "--log-level", "info", "--pool", "--state-dir", directory.path])
        #expect(run.waitForConfigured("npu0"), "\(run.errorText.suffix(2000))")
        let worker = try #require(Self.workerPIDs(directory)["npu0.pid"])
        kill(worker, SIGKILL)
        let outcome = run.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error.suffix(2000))")
        #expect(outcome.output == (try TriadProcess.run(["compare"] + arguments).output))
        let summary = outcome.error.split(separator: "\n").last { $0.hasPrefix("triad up:") } ?? ""
        #expect(summary.contains("npu0 declared dead") && summary.contains("npu0 replaced in"), "\(summary)")
        #expect(ClusterProcessTests.isGone(worker, within: 30))
    }

    /// `triad up --attach ENDPOINT` where no pool listens binds ENDPOINT (here port 0: the OS chooses) and runs on the
    /// `triad worker` daemons that connect there; they serve on after the run.
    @Test func attachingWithoutAPoolUsesDaemonsThatConnect() throws {
        let common = ["Topologies/neupims.yaml", "--policies", "neupims", "--batch", "32", "--iterations", "30", "--format", "json"]
        let run = try TriadProcess(["up"] + common + ["--attach", "tcp://127.0.0.1:*", "--log-level", "info"])
        let endpoint = try #require(run.boundEndpoint(), "\(run.errorText)")
        let workers = try ["npu0", "pim0"].map {
            try TriadProcess(["worker", "--connect", endpoint, "--device", $0, "--log-level", "error"])
        }
        let outcome = run.wait(killingAfter: 300)
        #expect(outcome.status == 0, "\(outcome.error.suffix(2000))")
        #expect(outcome.output == (try TriadProcess.run(["compare"] + common).output))
        #expect(outcome.error.contains("attached at \(endpoint)"), "\(outcome.error.suffix(500))")
        for worker in workers {
            #expect(worker.process.isRunning, "a daemon outlives the run")
            kill(worker.pid, SIGTERM)
            _ = worker.wait(killingAfter: 60)
        }
    }

    /// `triad up --first-group-only` starts the first group's workers alone and gives the in-process report.
    @Test func firstGroupOnlyStartsTheFirstGroupAlone() throws {
        let common = ["Topologies/neupims-tp4.yaml", "--policies", "npu-only,neupims", "--batch", "32", "--iterations", "30", "--format", "json"]
        let run = try TriadProcess.run(["up"] + common + ["--first-group-only"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == (try TriadProcess.run(["compare"] + common).output))
        #expect(run.error.contains("triad up: 2 workers ready"), "\(run.error)")
    }
}
