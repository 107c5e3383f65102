import Foundation
import Testing
import TriadTestSupport
import TriadCore

/// Every input surface driven with extremes and seeded random values: CLI flags, each topology key, each
/// Hugging Face config field, each trace and batch field. Each case must end in exit 1 or 2 with one line
/// on stderr, or a valid report — never a signal, never past the time and memory limits
/// (`HostileInputRunner`). The wire surfaces are driven in-process (`WireGenerativeTests`).
@Suite(.serialized, .integrationTier, .tags(.integration, .process))
struct GenerativeInputTests {
    /// Seed of the random values (the extremes are fixed); change it to explore further.
    static let seed: UInt64 = 20_261_130

    static let numberExtremes = [
        "0", "-1", "2147483648", "9007199254740992", "9223372036854775807", "9223372036854775808", "1e300", "-1e300",
        "1e-300", "nan", "NaN", ".nan", "inf", "-inf", ".inf", "", "\"128\"", String(repeating: "9", count: 100_000),
    ]
    static let stringExtremes = [
        "", "0", "-1", "nan", "\"\"", "a b", "é\u{1B}[31m", String(repeating: "x", count: 100_000), "../../etc/passwd",
    ]

    /// Seeded random numbers of every magnitude and sign, as text.
    static func randomNumbers(_ count: Int, generator: inout SplitMix64) -> [String] {
        (0..<count).map { _ in
            let magnitude = generator.nextIndex(below: 12)
            let value = Int64(generator.nextIndex(below: 1 << 30)) % Int64(pow(10.0, Double(magnitude)) + 1)
            switch generator.nextIndex(below: 4) {
            case 0: return String(-value)
            case 1: return String(Double(value) / 7)
            default: return String(value)
            }
        }
    }

    static func report(_ name: String, _ outcome: (findings: [HostileInputRunner.Finding], counts: [String: Int])) {
        let counts = outcome.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("generative \(name): \(counts) cases; \(outcome.findings.count) findings")
        for finding in outcome.findings.prefix(40) { Issue.record("\(finding)") }
    }

    // MARK: CLI flags

    static func cliCases() -> [HostileInputRunner.Case] {
        var generator = SplitMix64(seed: seed)
        var cases: [HostileInputRunner.Case] = []
        let topology = "@ROOT@/Topologies/neupims.yaml"
        let runBase = ["--iterations": "2", "--batch": "4", "--format": "json", "--policy": "npu+pim"]
        func add(
            _ command: [String], _ options: [String: String], flag: String, values: [String], json: Bool = true,
            extra: [String] = []
        ) {
            for value in values {
                var arguments = command
                for (key, option) in options.sorted(by: { $0.key < $1.key }) where key != flag {
                    arguments += [key, option]
                }
                arguments += [flag, value] + extra
                cases.append(
                    .init(
                        surface: "cli", label: "\(command.joined(separator: " ")) \(flag) \(value.prefix(40))",
                        arguments: arguments, expectsJSON: json))
            }
        }
        let small = { (range: ClosedRange<Int>) in
            (0..<3).map { _ in String(range.lowerBound + generator.nextIndex(below: range.count)) }
        }
        for (flag, randomRange) in [
            ("--batch", 1...512), ("--iterations", 1...20), ("--warmup", 0...10), ("--seed", 0...1_000_000),
            ("--max-sequence", 2...1_048_576), ("--tensor-parallel", 1...64), ("--pipeline-parallel", 1...64),
        ] {
            add(["run", topology], runBase, flag: flag, values: numberExtremes + small(randomRange))
        }
        add(
            ["run", topology], runBase, flag: "--trace-iterations", values: numberExtremes + small(1...5),
            extra: ["--trace", "t.json"])
        // `triad place`: its numbers and choices, as hostile as the run's.
        let placeBase = ["--iterations": "2", "--batch": "4", "--format": "json", "--policies": "npu-only,neupims"]
        for (flag, randomRange) in [("--batch", 1...512), ("--iterations", 1...5), ("--max-sequence", 2...1_048_576)] {
            add(["place", topology], placeBase, flag: flag, values: numberExtremes + small(randomRange))
        }
        add(["place", topology], placeBase, flag: "--objective", values: stringExtremes)
        add(["place", topology], placeBase, flag: "--policies", values: stringExtremes + ["auto", "npu-only,npu-only"])
        let fixed =
            numberExtremes.prefix(16).map { "fixed:\($0):8" } + numberExtremes.prefix(16).map { "fixed:8:\($0)" }
            + ["fixed:", "fixed:1:1:", "fixed::", "fixed:1"]
        add(["run", topology], runBase, flag: "--workload", values: fixed + stringExtremes)
        add(
            ["run", topology], runBase, flag: "--policy",
            values: stringExtremes + ["npu+pim+drb+drb", "npu+pim+xyz", "+"])
        add(["run", topology], runBase, flag: "--model", values: stringExtremes)
        var serving = runBase
        serving["--prefill"] = "whole"
        for flag in ["--arrival-rate", "--slo-ttft-ms", "--slo-tpot-ms"] {
            add(["run", topology], serving, flag: flag, values: numberExtremes + ["0.5", "100"])
        }
        add(
            ["run", topology], runBase, flag: "--prefill",
            values: stringExtremes + numberExtremes.prefix(16).flatMap { ["chunked:\($0)", "mixed:\($0)", "prefill-first:\($0)"] }
                + ["chunked:", "whole:1", "mixed:", "mixed:8:8", "prefill-first"])
        add(
            ["run", topology], serving, flag: "--requests-out",
            values: stringExtremes + ["/", "/dev/null", "no/dir.csv"])
        let spec =
            "name: g\ntopologies: [@ROOT@/Topologies/neupims.yaml]\npolicies: [npu-only]\niterations: 2\nbatches: [4]\n"
        for key in ["batches", "seeds", "iterations", "warmup", "max_sequence", "arrival_rates", "slo_ttft_ms"] {
            for value in numberExtremes {
                let text =
                    spec.replacingOccurrences(of: key == "batches" ? "batches: [4]\n" : "@@", with: "")
                    + "\(key): \(key.hasSuffix("s") ? "[\(value)]" : value)\n"
                cases.append(
                    .init(
                        surface: "cli", label: "sweep \(key) \(value.prefix(40))",
                        arguments: ["sweep", "s.yaml", "--out", "out", "--quiet"], files: ["s.yaml": text],
                        expectsJSON: false))
            }
        }
        add(["run", topology], runBase, flag: "--format", values: stringExtremes)
        add(
            ["run", topology], runBase, flag: "--trace",
            values: stringExtremes + ["/", "/dev/null", "/proc/x", "no/dir.json"])
        add(
            ["compare", topology], ["--iterations": "2", "--batch": "4", "--format": "json"], flag: "--policies",
            values: stringExtremes + [",", "npu-only,,neupims", "npu-only,npu-only", "neupims,"])
        let batch = "@ROOT@/Sources/TriadDatasets/Resources/neupims-traces/clb/sharegpt-bs512-gpt3-7b-tp4-clb-0.csv"
        add(
            ["snapshot", topology, batch], ["--format": "json", "--policies": "npu+pim"], flag: "--tensor-parallel",
            values: numberExtremes + small(1...8))
        add(
            ["bench", "--no-cluster", "--scenario", "mmfree-1.3b"], ["--format": "json"], flag: "--length",
            values: numberExtremes + ["0.001", "0.01"])
        add(
            ["reproduce", "neupims", "--quick"], ["--format": "json", "--out": "out"], flag: "--iterations",
            values: numberExtremes)
        add(
            ["reproduce", "matmulfree"], ["--format": "json"], flag: "--out",
            values: stringExtremes + ["/", "/dev/null"],
            json: false)
        let coordinator = ["coordinator", topology]
        let coordinatorBase = ["--bind": "tcp://127.0.0.1:*", "--wait-timeout": "1", "--log-level": "critical"]
        add(coordinator, coordinatorBase, flag: "--wait-timeout", values: numberExtremes, json: false)
        add(
            coordinator, coordinatorBase, flag: "--bind",
            values: numberExtremes.map { "tcp://127.0.0.1:\($0)" } + stringExtremes, json: false)
        add(coordinator, coordinatorBase, flag: "--allow", values: ["k.pub"], json: false)
        let workerBase = [
            "--connect": "tcp://127.0.0.1:1", "--device": "npu0", "--topology": topology,
            "--log-level": "critical",
        ]
        add(
            ["worker"], workerBase, flag: "--connect",
            values: numberExtremes.map { "tcp://127.0.0.1:\($0)" } + stringExtremes, json: false)
        add(["worker"], workerBase, flag: "--device", values: stringExtremes + numberExtremes, json: false)
        for name in stringExtremes where name != "0" && name != "-1" && name != "nan" && name != "a b" {
            cases.append(
                .init(
                    surface: "cli", label: "keygen \(name.prefix(40))", arguments: ["keygen", name], expectsJSON: false)
            )
        }
        return cases
    }

    @Test func cliFlags() throws {
        Self.report("CLI flags", try HostileInputRunner.run(Self.cliCases()))
    }

    // MARK: Topology keys

    struct TopologyFile {
        var name: String
        var run: [String]
    }

    static let topologyFiles = [
        TopologyFile(name: "neupims", run: ["--policy", "npu+pim"]),
        TopologyFile(name: "matmulfree-fpga", run: ["--model", "mmfree-370m", "--policy", "ternary"]),
        TopologyFile(name: "npu-only", run: ["--policy", "npu-only"]),
        TopologyFile(name: "hetero", run: ["--model", "bitnet-b1.58-3b", "--policy", "ternary"]),
        TopologyFile(name: "neupims-tp4", run: ["--policy", "npu+pim"]),
        TopologyFile(name: "hetero-pipeline", run: ["--model", "bitnet-b1.58-3b", "--policy", "neupims"]),
        TopologyFile(name: "logic-pim", run: ["--model", "llama-3-8b", "--policy", "neupims"]),
        TopologyFile(name: "hbm3-attacc", run: ["--model", "llama-3-8b", "--policy", "neupims"]),
    ]

    static func topologyCases() throws -> [HostileInputRunner.Case] {
        var generator = SplitMix64(seed: seed &+ 1)
        var cases: [HostileInputRunner.Case] = []
        var covered: Set<String> = []
        let numeric = try NSRegularExpression(pattern: "\\b([a-z_]+): (-?[0-9][0-9_.e+-]*)")
        let textual = try NSRegularExpression(
            pattern:
                "\\b(id|kind|name|row_buffers|fidelity|command_set|gemm_mapping|attention_mapping|gqa_mapping|pim_level|pim_dataflow|from|to|prefetch_weights|reuse_weights|devices|policy): ([A-Za-z0-9+._-]+)"
        )
        for file in topologyFiles {
            let text = try String(
                contentsOf: TriadPaths.packageRoot.appendingPathComponent("Topologies/\(file.name).yaml"),
                encoding: .utf8)
            let ns = text as NSString
            for (expression, values) in [(numeric, numberExtremes), (textual, stringExtremes)] {
                for match in expression.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                    let key = ns.substring(with: match.range(at: 1))
                    guard covered.insert("\(expression === numeric)|\(key)").inserted else { continue }
                    let valueRange = match.range(at: 2)
                    let randoms = expression === numeric ? randomNumbers(2, generator: &generator) : []
                    for value in values + randoms {
                        let mutated = ns.replacingCharacters(in: valueRange, with: value)
                        cases.append(
                            .init(
                                surface: "topology key", label: "\(file.name) \(key)=\(value.prefix(40))",
                                arguments: ["run", "t.yaml", "--iterations", "2", "--batch", "4", "--format", "json"]
                                    + file.run,
                                files: ["t.yaml": mutated]))
                    }
                }
            }
        }
        // Whole-file shapes: empty, a list, a duplicate device, more devices than supported, no links.
        let neupims = try String(
            contentsOf: TriadPaths.packageRoot.appendingPathComponent("Topologies/neupims.yaml"), encoding: .utf8)
        for (label, text) in [
            ("empty", ""), ("list", "- 1\n- 2\n"), ("no links", neupims.components(separatedBy: "links:")[0]),
            ("two links", neupims + "  - {from: pim0, to: npu0}\n"),
            ("tabs", neupims.replacingOccurrences(of: "  ", with: "\t")),
            ("binary", "\u{0}\u{1}\u{2}"),
        ] {
            cases.append(
                .init(
                    surface: "topology key", label: label,
                    arguments: ["run", "t.yaml", "--iterations", "2", "--batch", "4", "--format", "json"],
                    files: ["t.yaml": text]))
        }
        return cases
    }

    @Test func topologyKeys() throws {
        Self.report("topology keys", try HostileInputRunner.run(try Self.topologyCases()))
    }

    // MARK: Hugging Face config fields, trace fields, batch fields

    static let jsonExtremes = [
        "0", "-1", "2147483648", "9007199254740992", "9223372036854775807", "9223372036854775808", "1e300", "-1e300",
        "1e-300", "4096.5", "\"nan\"", "\"inf\"", "null", "[]", "{}", "\"\"",
        "\"\(String(repeating: "x", count: 100_000))\"",
        "true", "NaN",
    ]

    static func fileCases() -> [HostileInputRunner.Case] {
        var generator = SplitMix64(seed: seed &+ 2)
        var cases: [HostileInputRunner.Case] = []
        let base: [(String, String)] = [
            ("hidden_size", "1024"), ("num_attention_heads", "16"), ("num_key_value_heads", "8"),
            ("num_hidden_layers", "4"), ("intermediate_size", "4096"), ("vocab_size", "32000"), ("head_dim", "64"),
            ("num_local_experts", "1"), ("torch_dtype", "\"bfloat16\""), ("hidden_act", "\"silu\""),
            ("model_type", "\"llama\""), ("max_position_embeddings", "2048"), ("n_embd", "1024"),
            ("quantization", "\"none\""),
        ]
        for (index, field) in base.enumerated() {
            for value in jsonExtremes + randomNumbers(2, generator: &generator) {
                var fields = base
                fields[index].1 = value
                let json = "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
                cases.append(
                    .init(
                        surface: "config.json field", label: "\(field.0)=\(value.prefix(40))",
                        arguments: [
                            "run", "@ROOT@/Topologies/neupims.yaml", "--model", "c.json", "--iterations", "2",
                            "--batch",
                            "4", "--format", "json", "--policy", "npu+pim",
                        ],
                        files: ["c.json": json]))
            }
        }
        let csvFields = ["arrived_at", "num_prefill_tokens", "num_decode_tokens"]
        for column in csvFields.indices {
            for value in numberExtremes + randomNumbers(2, generator: &generator) {
                var row = ["0.5", "100", "20"]
                row[column] = value
                let csv = csvFields.joined(separator: ",") + "\n0,50,10\n" + row.joined(separator: ",") + "\n1,30,5\n"
                cases.append(
                    .init(
                        surface: "trace field", label: "csv \(csvFields[column])=\(value.prefix(40))",
                        arguments: [
                            "run", "@ROOT@/Topologies/neupims.yaml", "--workload", "t.csv", "--iterations", "2",
                            "--batch", "4", "--format", "json", "--policy", "npu+pim",
                        ],
                        files: ["t.csv": csv]))
            }
        }
        let jsonFields = ["input_toks", "output_toks", "arrival_time_ns"]
        for field in jsonFields.indices {
            for value in jsonExtremes + randomNumbers(2, generator: &generator) {
                var values = ["100", "20", "1000"]
                values[field] = value
                let line = "{" + zip(jsonFields, values).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
                cases.append(
                    .init(
                        surface: "trace field", label: "jsonl \(jsonFields[field])=\(value.prefix(40))",
                        arguments: [
                            "run", "@ROOT@/Topologies/neupims.yaml", "--workload", "t.jsonl", "--iterations", "2",
                            "--batch", "4", "--format", "json", "--policy", "npu+pim",
                        ],
                        files: [
                            "t.jsonl": "{\"input_toks\": 5, \"output_toks\": 5, \"arrival_time_ns\": 0}\n" + line + "\n"
                        ]))
            }
        }
        for (label, text) in [
            ("empty csv", ""), ("header only", "arrived_at,num_prefill_tokens,num_decode_tokens\n"),
            ("misspelt key", "{\"input_toks\": 5, \"output_toks\": 5, \"arrival_time\": 3}\n"),
        ] {
            cases.append(
                .init(
                    surface: "trace field", label: label,
                    arguments: [
                        "run", "@ROOT@/Topologies/neupims.yaml", "--workload",
                        label.hasPrefix("mis") ? "t.jsonl" : "t.csv",
                        "--iterations", "2", "--format", "json",
                    ],
                    files: [label.hasPrefix("mis") ? "t.jsonl" : "t.csv": text]))
        }
        for column in 0..<2 {
            for value in numberExtremes + randomNumbers(2, generator: &generator) {
                var row = ["300", "3"]
                row[column] = value
                cases.append(
                    .init(
                        surface: "batch field", label: "\(column == 0 ? "seq_len" : "ch_idx")=\(value.prefix(40))",
                        arguments: [
                            "snapshot", "@ROOT@/Topologies/neupims.yaml", "b.csv", "--format", "json", "--policies",
                            "npu+pim",
                        ],
                        files: ["b.csv": "seq_len,ch_idx\n128,0\n" + row.joined(separator: ",") + "\n64,1\n"]))
            }
        }
        return cases
    }

    @Test func configTraceAndBatchFields() throws {
        Self.report("files", try HostileInputRunner.run(Self.fileCases()))
    }
}
