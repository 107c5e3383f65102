import Foundation
import Testing
import TriadTestSupport

@testable import triad

/// `auto` on a pipeline of different stages (docs/MODEL.md §11): every stage without a pinned policy plans itself;
/// the run is at least as fast (− 1 %) as every fixed policy the pipeline can run, and the report says each stage's
/// plan.
struct AutoPipelineTests {
    @Test(arguments: [4, 64])
    func autoPlansEveryUnpinnedStage(batch: Int) throws {
        let outcome = try TriadProcess.run([
            "compare", "Topologies/hetero-pipeline.yaml", "--model", "bitnet-b1.58-3b", "--batch", "\(batch)",
            "--iterations", "60", "--policies", "npu-only,npu+pim,neupims,auto", "--format", "json",
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as! [String: Any]
        let runs = try #require(json["runs"] as? [[String: Any]])
        let fixed = runs.dropLast().compactMap { $0["tokens_per_second"] as? Double }
        let auto = try #require(runs.last)
        let rate = try #require(auto["tokens_per_second"] as? Double)
        #expect(rate >= 0.99 * (fixed.max() ?? .infinity), "auto \(rate), fixed \(fixed)")
        let stages = try #require(auto["pipeline_stages"] as? [[String: Any]])
        let policies = stages.compactMap { $0["policy"] as? String }
        // Two NeuPIMs stages planned by auto; the FPGA stage pinned to ternary.
        #expect(policies.filter { $0.hasPrefix("auto: ") }.count == 2 && policies.last == "ternary", "\(policies)")
    }
}
