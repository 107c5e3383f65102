import Foundation
import Testing
import TriadScheduling
import TriadSetup
import TriadTestSupport

@testable import triad

/// Runs the real `triad` executable and checks what a user sees: golden reports for every bundled
/// topology, identical output on repeat, and one-line errors with exit status 2 for bad input.
/// Re-record the golden files with `TRIAD_RECORD_GOLDEN=1 swift test --filter EndToEnd`.
struct EndToEndTests {
    static let packageRoot = TriadPaths.packageRoot

    static func triad(_ arguments: [String]) throws -> ProcessOutcome { try TriadProcess.run(arguments) }

    /// One golden scenario per bundled topology (small, so the debug build runs them in seconds).
    static let scenarios: [(name: String, arguments: [String])] = [
        (
            "neupims",
            [
                "compare", "Topologies/neupims.yaml", "--policies", "npu-only,npu+pim,neupims,npu+pim+sbi", "--batch",
                "64", "--iterations", "20",
            ]
        ),
        (
            "npu-pim-blocked",
            [
                "compare", "Topologies/npu-pim-blocked.yaml", "--policies", "npu-only,npu+pim,npu+pim+gmlbp",
                "--workload", "alpaca", "--batch", "64", "--iterations", "20",
            ]
        ),
        (
            "npu-only",
            [
                "run", "Topologies/npu-only.yaml", "--policy", "npu-only", "--model", "gpt3-13b", "--batch", "32",
                "--iterations", "20",
            ]
        ),
        (
            "matmulfree-fpga",
            [
                "run", "Topologies/matmulfree-fpga.yaml", "--policy", "ternary", "--model", "mmfree-1.3b", "--batch",
                "4", "--iterations", "20",
            ]
        ),
        (
            "hetero",
            [
                "compare", "Topologies/hetero.yaml", "--policies", "ternary,neupims", "--model", "bitnet-b1.58-3b",
                "--batch", "32", "--iterations", "20",
            ]
        ),
        (
            "neupims-tp4",
            [
                "compare", "Topologies/neupims-tp4.yaml", "--policies", "npu-only,neupims", "--batch", "64",
                "--iterations", "20",
            ]
        ),
        (
            "hetero-pipeline",
            [
                "compare", "Topologies/hetero-pipeline.yaml", "--policies", "npu-only,neupims", "--model",
                "bitnet-b1.58-3b", "--batch", "32", "--iterations", "20",
            ]
        ),
    ]

    /// The report `arguments` (a `run` or `compare` command line) print, computed in this process through the
    /// commands' own code: the flags parsed, the inputs loaded, the policies run, the JSON rendered.
    static func inProcessReport(_ arguments: [String]) throws -> String {
        let reports: [RunReport]
        switch arguments.first {
        case "run":
            let command = try RunCommand.parse(Array(arguments.dropFirst()))
            reports = try command.options.run(policies: [try Inputs.policy(command.policy)])
        case "compare":
            let command = try CompareCommand.parse(Array(arguments.dropFirst()))
            reports = try command.options.run(policies: try Inputs.policies(command.policies))
        default:
            throw InputError("not a run or compare command line: \(arguments)")
        }
        return RunReport.json(reports)
    }

    /// Every bundled topology's golden report, in process (the process smoke tests below run the binary).
    @Test(arguments: scenarios.map(\.name))
    func goldenReport(name: String) throws {
        let arguments = Self.scenarios.first { $0.name == name }!.arguments + ["--format", "json"]
        let report = try Self.inProcessReport(arguments)
        let golden = Self.packageRoot.appendingPathComponent("Tests/TriadEndToEndTests/Golden/\(name).json")
        if ProcessInfo.processInfo.environment["TRIAD_RECORD_GOLDEN"] != nil {
            try report.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(report == expected)
    }

    /// The binary prints the same golden report as the in-process run (one process per command: run and compare).
    @Test(arguments: ["npu-only", "neupims"])
    func theBinaryPrintsTheGoldenReport(name: String) throws {
        let arguments = Self.scenarios.first { $0.name == name }!.arguments + ["--format", "json"]
        let outcome = try Self.triad(arguments)
        #expect(outcome.status == 0, "\(outcome.error)")
        let golden = Self.packageRoot.appendingPathComponent("Tests/TriadEndToEndTests/Golden/\(name).json")
        #expect(outcome.output == (try String(contentsOf: golden, encoding: .utf8)))
    }

    @Test func everyBundledTopologyValidates() throws {
        let names = Self.scenarios.map { "Topologies/\($0.name).yaml" }
        let outcome = try Self.triad(["validate"] + names)
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.split(separator: "\n").count == names.count)
    }

    @Test func neupimsRanksAboveNPUPlusPIMAndNPUOnly() throws {
        let report = try Self.inProcessReport([
            "compare", "Topologies/neupims.yaml", "--policies", "npu-only,npu+pim,neupims", "--batch", "256",
            "--iterations", "40", "--format", "json",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(report.utf8)) as! [String: Any]
        let runs = json["runs"] as! [[String: Any]]
        let throughput = runs.map { $0["tokens_per_second"] as! Double }
        #expect(runs.map { $0["policy"] as! String } == ["npu-only", "npu+pim", "neupims"])
        #expect(throughput[2] > throughput[1])
        #expect(throughput[2] > throughput[0])
    }

    @Test func sameRunTwiceGivesIdenticalJSON() throws {
        let arguments = ["run", "Topologies/neupims.yaml", "--batch", "48", "--iterations", "15", "--format", "json"]
        let first = try Self.inProcessReport(arguments)
        let second = try Self.inProcessReport(arguments)
        #expect(first == second)
        let reseeded = try Self.inProcessReport(arguments + ["--seed", "9"])
        #expect(reseeded != first)
    }

    @Test func badTopologyPrintsOneLocatedLineAndExitsTwo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triad-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml")
        let good = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("Topologies/neupims.yaml"), encoding: .utf8)
        try good.replacingOccurrences(of: "kind: pim", with: "kind: tpu").write(
            to: file, atomically: true, encoding: .utf8)
        let outcome = try Self.triad(["run", file.path])
        #expect(outcome.status == 2)
        let lines = outcome.error.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("\(file.path):26:11: unknown device kind 'tpu'") == true, "\(outcome.error)")
    }

    @Test(arguments: [
        ["run", "Topologies/neupims.yaml", "--batch", "0"],
        ["run", "Topologies/neupims.yaml", "--policy", "fastest"],
        ["run", "Topologies/neupims.yaml", "--model", "gpt5"],
        ["run", "Topologies/neupims.yaml", "--workload", "fixed:10"],
        ["run", "Topologies/npu-only.yaml", "--policy", "neupims"],
        ["run", "Topologies/missing.yaml"],
        ["run", "Topologies/neupims.yaml", "--batch", "9223372036854775807"],
        ["run", "Topologies/neupims.yaml", "--batch", "1000000000000"],
        ["run", "Topologies/neupims.yaml", "--iterations", "9223372036854775807"],
        ["run", "Topologies/neupims.yaml", "--max-sequence", "9223372036854775807"],
        ["run", "Topologies/neupims.yaml", "--trace-iterations", "9223372036854775807"],
        ["snapshot", "Topologies/neupims.yaml", "Topologies/missing.csv"],
        ["compare", "Topologies/neupims.yaml", "--policies", "neupims,npu-only,neupims"],
        ["compare", "Topologies/neupims.yaml", "--policies", "npu+pim+sbi+drb,npu+pim+drb+sbi"],
        // An output that is one of the inputs, a warm-up that outlasts the trace, a flag that needs another.
        ["run", "Topologies/neupims.yaml", "--iterations", "2", "--trace", "Topologies/neupims.yaml"],
        [
            "run", "Topologies/neupims.yaml", "--workload", "Tests/TriadEndToEndTests/Golden/short-trace.csv",
            "--warmup", "50",
        ],
        ["run", "Topologies/neupims.yaml", "--trace-iterations", "5"],
        // Tensor × pipeline ranks must match the topology's groups.
        ["run", "Topologies/neupims-tp4.yaml", "--tensor-parallel", "2", "--pipeline-parallel", "1"],
        // A stage pinned to ternary cannot run an fp16 model.
        ["run", "Topologies/hetero-pipeline.yaml"],
        // Prefill groups serve arrivals; replicas need arrivals to route; a router must exist.
        ["run", "Topologies/neupims-disaggregated.yaml"],
        ["run", "Topologies/neupims.yaml", "--replicas", "2"],
        ["run", "Topologies/neupims.yaml", "--replicas", "0"],
        ["run", "Topologies/neupims.yaml", "--router", "random", "--arrival-rate", "5"],
        ["run", "Topologies/neupims.yaml", "--kv-block-tokens", "16"],
        ["run", "Topologies/neupims.yaml", "--prefill", "whole", "--preemption", "swap"],
        ["run", "Topologies/neupims.yaml", "--prefill", "whole", "--preemption", "move", "--kv-block-tokens", "16"],
        ["run", "Topologies/neupims.yaml", "--iteration-cost", "linear:1,2"],
        ["run", "Topologies/neupims.yaml", "--speculate", "0:0.5"],
        ["run", "Topologies/neupims.yaml", "--prefix-cache", "lru", "--prefill", "whole"],
        ["run", "Topologies/neupims.yaml", "--shared-prefix", "512:0"],
        ["run", "Topologies/neupims.yaml", "--shared-prefix", "512:4", "--prefix-cache", "fifo", "--prefill", "whole"],
        ["run", "Topologies/neupims.yaml", "--sessions", "0:5", "--arrival-rate", "5"],
        ["run", "Topologies/neupims.yaml", "--sessions", "3:nan", "--arrival-rate", "5"],
        ["run", "Topologies/neupims.yaml", "--sessions", "3:5"],
        ["run", "Topologies/neupims.yaml", "--speculate", "4:inf"],
        // Capacity needs an SLO, chooses the rate itself and draws Poisson arrivals.
        ["capacity", "Topologies/neupims.yaml"],
        ["capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "100", "--arrival-rate", "3"],
        ["capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "100", "--percentile", "0"],
        ["capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "100", "--attainment", "1.5"],
        ["capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "100", "--seeds", "9223372036854775807"],
        ["capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "nan"],
        [
            "capacity", "Topologies/neupims.yaml", "--slo-ttft-ms", "100", "--workload",
            "Tests/TriadEndToEndTests/Golden/short-trace.csv",
        ],
        // Pools: one source of workers, flags that need another, ranges, a pool worker that serves once.
        ["up", "Topologies/neupims.yaml", "--pool", "--attach", "tcp://127.0.0.1:5555"],
        ["up", "Topologies/neupims-175b.yaml", "--first-group-only", "--check-every-mirror"],
        ["bench", "--scale", "--scenario", "gpt3-7b"],
        ["bench", "--length", "0"],
        ["up", "Topologies/neupims.yaml", "--state-dir", "/tmp/triad-pool-test"],
        ["up", "Topologies/neupims.yaml", "--pool", "--wait-timeout", "0"],
        ["up", "Topologies/neupims.yaml", "--pool", "--pid-directory", "/tmp"],
        ["up", "Topologies/neupims.yaml", "--attach", "tcp://127.0.0.1:99999"],
        ["pool", "start", "Topologies/neupims.yaml", "--replicas", "0"],
        ["pool", "start", "Topologies/neupims.yaml", "--log-level", "loud"],
        ["pool", "start", "Topologies/missing.yaml"],
        ["pool", "status", "--wait-timeout", "0"],
        ["pool", "stop", "--state-dir", ""],
        ["worker", "--connect", "tcp://127.0.0.1:5555", "--device", "npu0", "--pool", "--once"],
    ])
    func badArgumentsExitTwoWithOneLine(arguments: [String]) throws {
        let outcome = try Self.triad(arguments)
        #expect(outcome.status == 2, "\(outcome.error)")
        #expect(outcome.error.split(separator: "\n").count == 1, "\(outcome.error)")
        #expect(outcome.output.isEmpty)
    }
}

extension EndToEndTests {
    @Test func reproduceWritesClaimsCSVAndSVG() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triad-reproduce-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try Self.triad([
            "reproduce", "neupims", "--quick", "--iterations", "10", "--format", "json", "--out", directory.path,
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as! [String: Any]
        let ids = (json["claims"] as! [[String: Any]]).map { $0["id"] as! String }
        #expect(ids.contains("drb_gain") && ids.contains("energy_neupims_vs_npu_only"))
        let csv = try String(contentsOf: directory.appendingPathComponent("neupims-points.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("experiment,model,dataset,batch,system"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("neupims-sweep.svg").path))
        let matmulFree = try Self.triad(["reproduce", "matmulfree", "--format", "json", "--out", directory.path])
        #expect(matmulFree.status == 0)
        #expect(matmulFree.output.contains("\"fpga_table3_d512_ms\""))
    }
}

extension EndToEndTests {
    @Test func traceOpensAsChromeTraceJSONAndChangesNothing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("triad-trace-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let arguments = [
            "compare", "Topologies/neupims.yaml", "--policies", "npu+pim,npu+pim+sbi", "--batch", "64",
            "--iterations", "6", "--format", "json",
        ]
        let traced = try Self.triad(arguments + ["--trace", path, "--trace-iterations", "2"])
        let plain = try Self.triad(arguments)
        #expect(traced.status == 0, "\(traced.error)")
        #expect(traced.output == plain.output)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let events = (json["traceEvents"] as! [[String: Any]]).filter { $0["ph"] as? String == "X" }
        let tracks = Set(events.map { $0["tid"] as! Int })
        #expect(tracks.isSuperset(of: [1, 2]))  // npu and pim
        let iterations = Set(events.map { ($0["args"] as! [String: Any])["iteration"] as! Int })
        #expect(iterations == [0, 1])
        // With interleaving, two sub-batches appear.
        let subBatches = Set(
            events.filter { $0["pid"] as! Int == 2 }.map { ($0["args"] as! [String: Any])["sub_batch"] as! Int })
        #expect(subBatches == [0, 1])
        // PIM attention has a track per channel, each event no longer than its phase.
        let names = (json["traceEvents"] as! [[String: Any]]).filter { $0["name"] as? String == "thread_name" }.compactMap {
            ($0["args"] as? [String: Any])?["name"] as? String
        }
        #expect(names.contains("pim ch0") && names.contains("pim ch31"))
        let channelEvents = events.filter { ($0["name"] as! String).hasSuffix(" ch0") }
        #expect(!channelEvents.isEmpty)
    }

    /// `triad keygen` never replaces keys unless asked to.
    @Test func keygenKeepsExistingKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triad-keygen-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let prefix = directory.appendingPathComponent("node").path
        #expect(try Self.triad(["keygen", prefix]).status == 0)
        let secret = try String(contentsOfFile: prefix + ".key", encoding: .utf8)
        let again = try Self.triad(["keygen", prefix])
        #expect(again.status == 2 && again.error.contains("--force"))
        #expect(try String(contentsOfFile: prefix + ".key", encoding: .utf8) == secret)
        #expect(try Self.triad(["keygen", prefix, "--force"]).status == 0)
        #expect(try String(contentsOfFile: prefix + ".key", encoding: .utf8) != secret)
    }
}

extension EndToEndTests {
    /// NeuPIMs' multi-device claim: at 256 requests tensor parallelism beats pipeline parallelism over the same
    /// four NPU+PIM devices, communication included.
    @Test(arguments: ["gpt3-7b", "gpt3-13b"])
    func tensorParallelBeatsPipelineParallel(model: String) throws {
        func throughput(_ tensor: Int, _ pipeline: Int) throws -> Double {
            let report = try Self.inProcessReport([
                "run", "Topologies/neupims-tp4.yaml", "--model", model, "--policy", "neupims", "--batch", "256",
                "--iterations", "60", "--tensor-parallel", "\(tensor)", "--pipeline-parallel", "\(pipeline)",
                "--format", "json",
            ])
            let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
            let run = (object?["runs"] as? [[String: Any]])?.first
            return try #require(run?["tokens_per_second"] as? Double)
        }
        let tensor = try throughput(4, 1)
        let pipeline = try throughput(1, 4)
        #expect(tensor > pipeline, "TP4 \(tensor) tok/s vs PP4 \(pipeline)")
    }
}

extension EndToEndTests {
    /// A staged pipeline's problems point at the group: an unknown pinned policy (with the nearest name), and a
    /// stage whose hardware cannot run the run's policy.
    @Test func stagedPipelineErrorsPointAtTheGroup() throws {
        let original = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("Topologies/hetero-pipeline.yaml"), encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        let policyLine = lines.firstIndex { $0.contains("policy: ternary") }! + 1
        let groupLine = lines.firstIndex { $0.contains("- id: ternary") }! + 1
        let cases = [
            (
                original.replacingOccurrences(of: "policy: ternary", with: "policy: ternry"),
                ":\(policyLine):13: group 'ternary' names unknown policy 'ternry' (did you mean 'ternary'?"
            ),
            (
                original.replacingOccurrences(of: "    policy: ternary\n", with: ""),
                ":\(groupLine):5: pipeline stage 2 (ternary, policy neupims): policy neupims needs an npu device"
            ),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "triad-staged-\(getpid())-\(index).yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            try text.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try Self.triad(["run", file.path, "--model", "bitnet-b1.58-3b", "--policy", "neupims"])
            #expect(outcome.status == 2)
            #expect(outcome.error.hasPrefix(file.path + expected), "\(outcome.error)")
            #expect(outcome.error.split(separator: "\n").count == 1)
        }
    }
}

extension EndToEndTests {
    /// `triad capacity` as a process: a small M/D/1-like case prints the table, and its JSON is the same twice.
    @Test func capacityPrintsATableAndTheSameJSONTwice() throws {
        let arguments = [
            "capacity", "Topologies/neupims.yaml", "--workload", "fixed:64:4", "--batch", "1", "--policies",
            "npu-only", "--slo-ttft-ms", "50", "--seeds", "2", "--requests", "100", "--quiet",
        ]
        let table = try Self.triad(arguments)
        #expect(table.status == 0, "\(table.error)")
        #expect(table.output.contains("capacity req/s") && table.output.contains("npu-only"))
        let first = try Self.triad(arguments + ["--format", "json"])
        let second = try Self.triad(arguments + ["--format", "json"])
        #expect(first.status == 0 && first.output == second.output)
        #expect(first.output.contains("\"capacity_requests_per_second\""))
    }
}
