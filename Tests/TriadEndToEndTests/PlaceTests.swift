import Foundation
import Testing
import TriadCore
import TriadScheduling
import TriadSetup
import TriadTestSupport

@testable import triad

/// `triad place`: the exhaustive search over a topology's named plans (docs/MODEL.md §11).
struct PlaceTests {
    static func ranked(_ topology: String, model: String, batch: Int, policies: [Policy]) throws -> [PlanSearch
        .Prediction]
    {
        let path = TriadPaths.packageRoot.appendingPathComponent(topology).path
        let file = try Inputs.topology(at: path)
        let groups = try Inputs.deviceGroups(file, path: path)
        let spec = try Inputs.model(model, tensorParallel: nil, pipelineParallel: nil)
        return PlanSearch.search(
            policies: policies, splits: PlanSearch.splits(groups: groups.sets.count, model: spec),
            objective: .throughput
        ) { tensor, pipeline in
            let multiGroup = groups.sets.count > 1
            let inputs = try LoadedInputs(
                topology: file, path: path, model: model, tensorParallel: multiGroup ? tensor : nil,
                pipelineParallel: multiGroup ? pipeline : nil, stream: try Inputs.workload("sharegpt"))
            var experiment = inputs.experiment()
            (experiment.batch, experiment.iterations) = (batch, 40)
            return experiment
        }
    }

    /// Every factorisation of the group count the model allows; one split on a single-group topology.
    @Test func splitsFollowTheGroupsAndTheModel() {
        let gpt = ModelPresets.named("gpt3-175b")!
        #expect(
            PlanSearch.splits(groups: 32, model: gpt).map { [$0.tensor, $0.pipeline] } == [
                [1, 32], [2, 16], [4, 8], [8, 4], [16, 2], [32, 1],
            ])
        #expect(PlanSearch.splits(groups: 1, model: gpt).map { [$0.tensor, $0.pipeline] } == [[8, 4]])
        // Llama-3-8B on 64 groups: 32 query and 8 KV heads — TP 64 splits no heads evenly, TP 16 and 32 replicate
        // KV heads, and PP 64 would leave stages without any of its 32 layers.
        let llama = ModelPresets.named("llama-3-8b")!
        #expect(PlanSearch.splits(groups: 64, model: llama).map(\.tensor) == [2, 4, 8, 16, 32])
    }

    /// The sanity anchor: on the bundled NeuPIMs topology, GPT3-7B at batch 256, the best plan is NeuPIMs' own;
    /// plans a topology cannot run come last with their reason; the ranking is by throughput.
    @Test func neupimsTopologyRanksNeuPIMsFirst() throws {
        let ranked = try Self.ranked("Topologies/neupims.yaml", model: "gpt3-7b", batch: 256, policies: Policy.presets)
        #expect(ranked.first?.candidate.policy == .neupims)
        #expect(ranked.last?.refusal?.contains("fpga") == true)
        let throughputs = ranked.compactMap { $0.report?.tokensPerSecond }
        #expect(throughputs == throughputs.sorted(by: >))
    }

    /// At batch 1 the FC GEMVs read their weights faster in the PIM's banks than over the NPU's port: the best plan
    /// is an FC-on-PIM variant, ahead of every preset; at batch 256 no variant beats `neupims`.
    @Test func smallBatchesRankFCOnPIMFirst() throws {
        let small = try Self.ranked("Topologies/neupims.yaml", model: "gpt3-7b", batch: 1, policies: Policy.presets)
        let best = try #require(small.first)
        #expect(best.candidate.policy.name.contains("+fc"))
        let presets = small.filter { $0.candidate.policy.matrixOffload.isEmpty }.compactMap(\.report?.tokensPerSecond)
        #expect((best.report?.tokensPerSecond ?? 0) > 1.5 * (presets.max() ?? .infinity))
    }

    /// GPT3-175B on 32 NeuPIMs devices: the chosen split is at least as fast as each of TP32×PP1, TP8×PP4 and
    /// TP16×PP2, and not the bundled TP8×PP4 (TP16×PP2 is faster: less pipeline fill, half the all-reduce size of
    /// TP32).
    @Test func gpt3175bSplitIsSearched() throws {
        let ranked = try Self.ranked(
            "Topologies/neupims-175b.yaml", model: "gpt3-175b", batch: 256, policies: [.neupims])
        let best = try #require(ranked.first?.report)
        for (tensor, pipeline) in [(32, 1), (8, 4), (16, 2)] {
            let other = try #require(
                ranked.first { $0.candidate.tensorParallel == tensor && $0.candidate.pipelineParallel == pipeline }?
                    .report)
            #expect(best.tokensPerSecond >= other.tokensPerSecond)
        }
        #expect(ranked.first?.candidate.tensorParallel != 8)
    }

    /// `auto` chooses the split too when the command line does not pin one: on GPT3-175B's 32 devices its run is at
    /// least as fast (− 1 %) as NeuPIMs at the best of TP32×PP1, TP8×PP4 and TP16×PP2, and its report names the split.
    @Test func autoChoosesTheSplit() throws {
        let ranked = try Self.ranked(
            "Topologies/neupims-175b.yaml", model: "gpt3-175b", batch: 256, policies: [.neupims])
        var best = 0.0
        for prediction in ranked {
            let split = [prediction.candidate.tensorParallel, prediction.candidate.pipelineParallel]
            guard [[32, 1], [8, 4], [16, 2]].contains(split), let report = prediction.report else { continue }
            best = max(best, report.tokensPerSecond)
        }
        let outcome = try TriadProcess.run([
            "compare", "Topologies/neupims-175b.yaml", "--model", "gpt3-175b", "--batch", "256", "--iterations", "40",
            "--policies", "auto", "--format", "json",
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as! [String: Any]
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        let auto = try #require(run["tokens_per_second"] as? Double)
        #expect(auto >= 0.99 * best, "auto \(auto) tokens/s, best fixed split \(best)")
        let split = (run["auto"] as? [String: Any])?["split"] as? String
        #expect(split?.hasPrefix("TP") == true)
    }

    /// The command: a table by default, JSON on request, refusals named, exit 0.
    @Test func theCommandPrintsTheRanking() throws {
        let outcome = try TriadProcess.run([
            "place", "Topologies/hetero.yaml", "--model", "bitnet-b1.58-3b", "--batch", "32", "--iterations", "20",
            "--format", "json",
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as! [String: Any]
        let plans = json["plans"] as! [[String: Any]]
        // Every preset, and the split-attention variants beside neupims and ternary.
        #expect(plans.count >= Policy.presets.count + Policy.splitCandidates.count)
        #expect(plans.contains { ($0["policy"] as? String) == "neupims+npu-attention" })
        #expect(plans.contains { ($0["policy"] as? String) == "ternary" && $0["tokens_per_second"] != nil })
        let bad = try TriadProcess.run(["place", "Topologies/neupims.yaml", "--batch", "0"])
        #expect(bad.status == 2)
    }
}
