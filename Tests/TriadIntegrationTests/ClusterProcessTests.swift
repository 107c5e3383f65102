import Foundation
import Testing
import TriadTestSupport

/// The cluster with real processes: `triad up` equals the in-process report byte for byte, and survives a
/// killed worker, a stopped worker and a restarted coordinator with the same report.
@Suite(.serialized, .integrationTier, .tags(.integration, .process, .fault))
struct ClusterProcessTests {
    /// Every bundled topology, every policy that runs on it (and `auto` on today's models): `triad up` JSON ==
    /// `triad compare` JSON.
    @Test(arguments: [
        ("neupims", "npu-only,npu+pim,npu+pim+drb,npu+pim+gmlbp,npu+pim+sbi,neupims", "gpt3-7b"),
        ("npu-pim-blocked", "npu-only,npu+pim,npu+pim+gmlbp,npu+pim+sbi", "gpt3-7b"),
        ("npu-only", "npu-only", "gpt3-13b"),
        ("matmulfree-fpga", "ternary", "mmfree-1.3b"),
        ("hetero", "npu-only,npu+pim,neupims,ternary", "bitnet-b1.58-3b"),
        ("neupims-tp4", "npu-only,neupims", "gpt3-7b"),
        ("neupims-175b", "neupims", "gpt3-175b"),
        ("hetero-pipeline", "npu-only,neupims", "bitnet-b1.58-3b"),
        ("logic-pim", "npu-only,neupims,auto", "llama-3-8b"),
        ("hbm3-attacc", "neupims,auto", "llama-3-8b"),
    ])
    func upEqualsInProcess(topology: String, policies: String, model: String) throws {
        let common = [
            "Topologies/\(topology).yaml", "--policies", policies, "--model", model, "--batch", "32", "--iterations",
            "15",
            "--format", "json",
        ]
        let local = try TriadProcess.run(["compare"] + common)
        let cluster = try TriadProcess.run(["up"] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(cluster.output == local.output)
        #expect(!cluster.output.isEmpty)
    }

    /// Mixture of experts and compressed models through workers (the new operation fields cross the wire): MoE with
    /// INT4 weights and mixed prefill, expert parallelism over four groups (with tensor- and data-parallel attention),
    /// a BFP12 KV cache with Tiled-CSL weights and MoBA, and INT4 weights on LUT units (the NPU's `low_bit_gemm` crosses
    /// the wire) — `triad up` JSON == `triad compare` JSON.
    @Test(arguments: [
        ("neupims", ["--model", "deepseek-moe-16b", "--weights", "int4", "--prefill", "mixed:256", "--arrival-rate", "20"]),
        ("neupims-tp4", ["--model", "mixtral-8x7b", "--expert-parallel", "--expert-skew", "1"]),
        ("neupims-tp4", ["--model", "mixtral-8x7b", "--expert-parallel", "--data-parallel-attention"]),
        ("neupims-lut", ["--model", "llama-3.1-8b", "--weights", "int4", "--prefill", "chunked:512"]),
        ("neupims", ["--policies", "npu-only", "--kv-format", "bfp:32:4", "--sparsity", "0.7", "--moba", "256:2"]),
    ])
    func compressedModelsEqualInProcess(topology: String, flags: [String]) throws {
        let policies = flags.contains("--policies") ? [] : ["--policies", "npu-only,neupims"]
        let common =
            ["Topologies/\(topology).yaml", "--batch", "32", "--iterations", "40", "--format", "json"] + policies + flags
        let local = try TriadProcess.run(["compare"] + common)
        let cluster = try TriadProcess.run(["up"] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(cluster.output == local.output)
        #expect(!cluster.output.isEmpty)
    }

    /// Serving deployments through workers: replicas behind a router with mixed batches and paged KV, sessions kept on
    /// their replica's prefix cache, and a topology with prefill groups (their devices are workers too) — each
    /// replica's devices are workers of their own (2 devices × 2 or 3 replicas; 2 decode devices × 2 replicas + 4
    /// prefill devices) — `triad up` JSON == `triad compare` JSON.
    @Test(arguments: [
        (
            "neupims", ["--replicas", "2", "--router", "least-tokens", "--prefill", "mixed:256", "--kv-block-tokens", "16"],
            4
        ),
        (
            "neupims",
            ["--replicas", "3", "--router", "session", "--prefill", "whole", "--sessions", "3:1", "--prefix-cache", "lru"],
            6
        ),
        ("neupims-disaggregated", ["--replicas", "2"], 8),
    ])
    func servingDeploymentsEqualInProcess(topology: String, flags: [String], workers: Int) throws {
        let common =
            [
                "Topologies/\(topology).yaml", "--policies", "npu-only,neupims", "--batch", "32", "--iterations", "60",
                "--arrival-rate", "40", "--format", "json",
            ] + flags
        let local = try TriadProcess.run(["compare"] + common)
        let cluster = try TriadProcess.run(["up"] + common)
        #expect(local.status == 0, "\(local.error)")
        #expect(cluster.status == 0, "\(cluster.error)")
        #expect(cluster.output == local.output)
        #expect(local.output.contains("\"replicas\""))
        #expect(cluster.error.contains("triad up: \(workers) workers ready"), "\(cluster.error)")
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
        get throws { try TriadProcess.run(["compare"] + faultArguments).output }
    }

    /// Faults on the single-group topology and on a multi-device one (4 groups, 8 workers).
    @Test(arguments: [
        ("SIGKILL", "neupims"), ("SIGSTOP", "neupims"), ("SIGKILL", "neupims-tp4"), ("SIGSTOP", "neupims-tp4"),
    ])
    func workerFaultIsSurvived(signal: String, topology: String) throws {
        let directory = try TriadPaths.temporaryDirectory("fault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = Self.faultArguments(topology: topology)
        let run = try TriadProcess(
            ["up"] + arguments + ["--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "info"])
        let device = signal == "SIGKILL" ? "npu0" : "pim0"
        let pid = try Self.injectFault(signal, device: device, into: run, pidDirectory: directory)
        let outcome = run.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error.suffix(2000))")
        #expect(outcome.output == (try TriadProcess.run(["compare"] + arguments).output))
        let summary = outcome.error.split(separator: "\n").last { $0.hasPrefix("triad up:") } ?? ""
        #expect(summary.contains("\(device) declared dead"), "\(summary)")
        #expect(summary.contains("\(device) replaced in"), "\(summary)")
        print("\(topology) \(signal) \(device): \(summary)")
        // No orphan: the killed or stopped process is gone.
        #expect(kill(pid, 0) != 0)
    }

    /// Waits until `device`'s worker (started by `run`, logging at info) has taken its configuration, then
    /// SIGKILLs it, or SIGSTOPs it until the coordinator declares it dead and lets it go on. Returns its pid.
    static func injectFault(_ signal: String, device: String, into run: TriadProcess, pidDirectory: URL) throws
        -> pid_t
    {
        #expect(run.waitForConfigured(device), "\(run.errorText.suffix(2000))")
        let worker = try #require(Self.pid(of: device, in: pidDirectory))
        kill(worker, signal == "SIGKILL" ? SIGKILL : SIGSTOP)
        if signal == "SIGSTOP" {
            #expect(run.waitForLine { $0.contains("worker declared dead") && $0.contains("device=\(device)") } != nil)
            kill(worker, SIGCONT)
        }
        return worker
    }

    /// The pid `triad up --pid-directory` wrote for `device` (written before the worker can register).
    static func pid(of device: String, in directory: URL) -> pid_t? {
        let text = try? String(contentsOf: directory.appendingPathComponent("\(device).pid"), encoding: .utf8)
        return text.flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Ctrl-C during `triad up` stops the workers too: no orphan processes.
    @Test func interruptLeavesNoOrphans() throws {
        let directory = try TriadPaths.temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TriadProcess(
            ["up"] + Self.faultArguments + [
                "--no-cost-reuse", "--pid-directory", directory.path, "--log-level", "info",
            ])
        for device in ["npu0", "pim0"] { #expect(run.waitForConfigured(device)) }
        let workers = try ["npu0", "pim0"].map { try #require(Self.pid(of: $0, in: directory)) }
        kill(run.pid, SIGINT)
        let outcome = run.wait(killingAfter: 60)
        #expect(outcome.status == 128 + SIGINT)
        // The workers were stopped before `up` exited; a zombie left to init is gone once reaped.
        for pid in workers { #expect(Self.isGone(pid, within: 30), "worker \(pid) outlived triad up") }
    }

    /// Whether process `pid` is gone (or a zombie), waiting at most `seconds` for it.
    static func isGone(_ pid: pid_t, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if kill(pid, 0) != 0 { return true }
            let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if status.contains(") Z ") || status.isEmpty { return true }
            usleep(10_000)
        }
        return false
    }

    /// `triad keygen` + `--curve`: listed workers run the job; an unlisted key never gets in.
    @Test func curveAdmitsOnlyListedWorkers() throws {
        let directory = try TriadPaths.temporaryDirectory("curve")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["coordinator", "listed", "unlisted"] {
            #expect(try TriadProcess.run(["keygen", directory.appendingPathComponent(name).path]).status == 0)
        }
        func key(_ name: String, _ suffix: String) -> String {
            directory.appendingPathComponent("\(name).\(suffix)").path
        }
        for (pimKey, expectedStatus) in [("listed", Int32(0)), ("unlisted", Int32(1))] {
            let coordinator = try TriadProcess([
                "coordinator", "--bind", "tcp://127.0.0.1:*", "Topologies/neupims.yaml", "--batch", "16",
                "--iterations", "5", "--format", "json", "--curve", "--curve-key", key("coordinator", "key"),
                "--allow", key("listed", "pub"), "--wait-timeout", "10", "--log-level", "info",
            ])
            let endpoint = try #require(coordinator.boundEndpoint(), "\(coordinator.errorText)")
            let workers = try [("npu0", "listed"), ("pim0", pimKey)].map { device, name in
                try TriadProcess([
                    "worker", "--connect", endpoint, "--device", device, "--curve", "--curve-key", key(name, "key"),
                    "--server-key", key("coordinator", "pub"), "--log-level", "error",
                ])
            }
            let outcome = coordinator.wait(killingAfter: 120)
            #expect(outcome.status == expectedStatus, "\(outcome.error)")
            if expectedStatus != 0 { #expect(outcome.error.contains("did not register in time: pim0")) }
            for (index, worker) in workers.enumerated() {
                if index == 1 && pimKey == "unlisted" {
                    // A refused key is final: the worker says so in one line and exits 3 instead of retrying.
                    let result = worker.wait(killingAfter: 60)
                    #expect(result.status == 3, "\(result.error)")
                    #expect(result.error.contains("refused this worker's CURVE key"), "\(result.error)")
                } else {
                    if worker.process.isRunning { kill(worker.pid, SIGTERM) }
                    _ = worker.wait(killingAfter: 60)
                }
            }
        }
    }

    /// The coordinator is SIGKILLed once the workers are configured and a new one binds the same endpoint: the
    /// workers notice, register with it, and the run ends with the fault-free report.
    @Test func coordinatorRestartIsSurvived() throws {
        let common = Self.faultArguments + ["--no-cost-reuse", "--log-level", "info"]
        let first = try TriadProcess(["coordinator", "--bind", "tcp://127.0.0.1:*"] + common)
        let endpoint = try #require(first.boundEndpoint(), "\(first.errorText)")
        let workers = try ["npu0", "pim0"].map {
            try TriadProcess(["worker", "--connect", endpoint, "--device", $0, "--once", "--log-level", "error"])
        }
        for device in ["npu0", "pim0"] { #expect(first.waitForConfigured(device), "\(first.errorText)") }
        kill(first.pid, SIGKILL)
        _ = first.wait()
        let second = try TriadProcess(["coordinator", "--bind", endpoint] + common)
        let outcome = second.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error.suffix(2000))")
        #expect(outcome.output == (try Self.expected))
        for worker in workers {
            let result = worker.wait(killingAfter: 60)
            #expect(result.status == 0, "\(result.error.suffix(2000))")
        }
    }
}
