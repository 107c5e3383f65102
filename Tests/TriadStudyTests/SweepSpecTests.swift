import Foundation
import Testing
import TriadStudy
import TriadTopology

/// Sweep specs: the grid's runs in order, and bad specs at file:line:column.
struct SweepSpecTests {
    static let good = """
        name: grid
        topologies: [t.yaml]
        models: [gpt3-7b, gpt3-13b]
        batches: [64, 128]
        policies: [npu-only, neupims]
        seeds: [1, 2, 3]
        parameters:
          pim.channels: [16, 32]
        """

    @Test func gridExpandsInOrder() throws {
        let spec = try SweepSpecParser.parse(Self.good, file: "/specs/grid.yaml")
        let runs = spec.runs
        #expect(runs.count == 2 * 2 * 2 * 2 * 3)
        #expect(
            runs[0].key
                == "topology=t.yaml;parameters=pim.channels=16;model=gpt3-7b;workload=sharegpt;parallelism=default;batch=64;policy=npu-only;seed=1"
        )
        #expect(runs[1].seed == 2 && runs[3].policy == "neupims" && runs[6].batch == 128)
        #expect(runs.last!.parameters.first!.value == "32" && runs.last!.model == "gpt3-13b")
        #expect(spec.path(ofTopology: "t.yaml") == "/specs/t.yaml")
        #expect(spec.baseline == "npu-only" && spec.iterations == 1_000)
        #expect(Set(runs.map(\.key)).count == runs.count)
    }

    /// `zip:` varies its paths together: two bandwidths doubled at once are one axis of two points, crossed with the
    /// other parameter's two.
    @Test func zippedParametersVaryTogether() throws {
        let spec = try SweepSpecParser.parse(
            """
            name: zip
            topologies: [t.yaml]
            policies: [neupims]
            parameters:
              zip: {npu.memory_bandwidth_gb_per_s: [1024, 2048], pim.channel_bandwidth_gb_per_s: [32, 64]}
              pim.channels: [16, 32]
            """, file: "z.yaml")
        let settings = spec.runs.map { $0.parameters.map { "\($0.path)=\($0.value)" }.joined(separator: " ") }
        #expect(
            settings == [
                "npu.memory_bandwidth_gb_per_s=1024 pim.channel_bandwidth_gb_per_s=32 pim.channels=16",
                "npu.memory_bandwidth_gb_per_s=1024 pim.channel_bandwidth_gb_per_s=32 pim.channels=32",
                "npu.memory_bandwidth_gb_per_s=2048 pim.channel_bandwidth_gb_per_s=64 pim.channels=16",
                "npu.memory_bandwidth_gb_per_s=2048 pim.channel_bandwidth_gb_per_s=64 pim.channels=32",
            ])
    }

    /// `capacity:` makes every run one seed's capacity bisection; without `prefill` it prefills whole.
    @Test func capacitySweepsReadTheirCriterion() throws {
        let spec = try SweepSpecParser.parse(
            "name: c\ntopologies: [t.yaml]\npolicies: [neupims]\ncapacity: {slo_ttft_ms: 2000, percentile: 90, requests: 200}\n",
            file: "c.yaml")
        #expect(spec.capacity?.ttftLimitMilliseconds == 2000 && spec.capacity?.percentile == 90)
        #expect(spec.capacity?.tpotLimitMilliseconds == nil && spec.capacityRequests == 200)
        #expect(spec.prefill == .whole)
    }

    @Test(arguments: [
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\ncapacity: {percentile: 90}\n",
            "4:11: 'capacity' needs slo_ttft_ms and/or slo_tpot_ms"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\narrival_rates: [5]\ncapacity: {slo_ttft_ms: 9}\n",
            "'capacity' chooses the arrival rate: drop 'arrival_rates'"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nparameters:\n  zip: {a.b: [1, 2], c.d: [3]}\n",
            "5:27: 'c.d' lists 1 values but 'a.b' 2: zipped lists vary together and must be as long"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nparameters:\n  zip: {a.b: [1, 1], c.d: [3, 3]}\n",
            "5:8: 'zip' lists the same values twice"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nbatchs: [1]\n",
            "4:1: unknown field 'batchs' in the sweep spec (did you mean 'batches'?)"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nbatches: [64, 0]\n",
            "4:15: each value of 'batches' must be an integer in 1…65536"
        ),
        ("name: g\ntopologies: [t.yaml]\npolicies: [neupims, neupims]\n", "3:21: 'policies' lists 'neupims' twice"),
        ("name: g\npolicies: [neupims]\n", "1:1: the sweep spec is missing required field 'topologies'"),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nbaseline: npu-only\n",
            "4:11: 'baseline' must be one of the sweep's policies"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [a]\nseeds: [1, 2, 3]\nbatches: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nmodels: [a, b, c, d, e, f, g, h, i, j]\nworkloads: [a, b, c, d, e, f, g, h, i, j]\nparameters: {x.y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y.z: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], z.w: [1, 2, 3, 4, 5]}\n",
            "1:1: the sweep has 1500000 runs"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\niterations: 0\n",
            "4:13: 'iterations' of the sweep spec must be positive"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nparallelism: [{tensor: 2}]\n",
            "a parallelism entry is missing required field 'pipeline'"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\narrival_rates: [10, 0]\n",
            "4:21: each value of 'arrival_rates' must be requests per second"
        ),
        (
            "name: g\ntopologies: [t.yaml]\npolicies: [neupims]\nprefill: chunked:0\n",
            "4:10: 'prefill' must be none, whole, chunked:N, mixed:N or prefill-first:N"
        ),
    ])
    func badSpecsAreLocated(text: String, expected: String) {
        do {
            _ = try SweepSpecParser.parse(text, file: "s.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            // A sweep spec's problems are its own error type, located at file:line:column.
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.hasPrefix("s.yaml:"))
        }
    }

    /// A key path reaches a device by id, a nested key, and a top-level key; a wrong path says why.
    @Test func overridesReplaceValuesByKeyPath() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topologies/neupims.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = try TopologyOverride.apply(
            [("pim0.channels", "16"), ("pim0.timing.cl", "20"), ("name", "other")], to: text)
        let topology = try TopologyParser.parse(changed, file: "changed")
        #expect(topology.name == "other")
        guard case .pim(let pim) = topology.devices.first(where: { $0.id == "pim0" })!.configuration else {
            Issue.record("no pim")
            return
        }
        #expect(pim.memory.channels == 16)
        #expect(pim.timing.casLatency == 20)
        #expect(throws: TopologyOverride.Problem.self) {
            try TopologyOverride.apply([("tpu0.channels", "1")], to: text)
        }
        #expect(throws: TopologyOverride.Problem.self) { try TopologyOverride.apply([("pim0", "1")], to: text) }
    }
}
