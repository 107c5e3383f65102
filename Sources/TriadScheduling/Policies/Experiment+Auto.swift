import TriadCore

extension Experiment {
    /// The `auto` policy's run: every named plan that can run the model on these devices is a candidate; the KV
    /// layout is chosen from the first batch (below), then `AutoPlanner` chooses the plan before each iteration.
    /// Staged pipelines are not yet supported.
    func runAuto(costs: any CostService) throws -> (report: RunReport, events: [TimelineEvent]) {
        guard stages == nil else {
            throw SimulationError(
                .incompatible, "policy auto on a pipeline of different stages is not yet supported; name a policy per run")
        }
        // The candidates ask the same shapes of the same devices: through workers, each is asked once for all of them
        // (in this process evaluating again is cheaper than the lookup).
        let costs: any CostService = costs is LocalCostService ? costs : SharedCostCache(costs)
        var candidates: [Simulator] = []
        for policy in Policy.presets {
            guard let simulator = try? Simulator(self, policy: policy, costs: costs) else { continue }
            candidates.append(simulator)
            // The same plan with the FC classes that are faster on the PIM at small batches moved there.
            let offload = try simulator.fastestOffload(upTo: batch)
            if !offload.isEmpty, let variant = try? Simulator(self, policy: policy.offloading(offload), costs: costs) {
                candidates.append(variant)
            }
        }
        guard !candidates.isEmpty else {
            throw SimulationError(.incompatible, "policy auto found no named plan that can run \(model.name) here")
        }
        // Two KV layouts: as the PIM plans need it (NeuPIMs' greedy rule where a candidate uses it; every candidate
        // can read it), or striped over the whole stack for NPU attention (more room; the NPU plans only). The one
        // whose first batch — admitted as the run admits it — decodes more tokens per second under its best plan
        // is kept.
        var layouts: [(lead: Int, members: [Int])] = []
        if let pim =
            candidates.firstIndex(where: { $0.attentionOnPIM && $0.plan.kvPlacement == .greedyMinLoad })
            ?? candidates.firstIndex(where: { $0.attentionOnPIM })
        {
            layouts.append((pim, Array(candidates.indices)))
        }
        let npu = candidates.indices.filter { !candidates[$0].attentionOnPIM }
        if let first = npu.first { layouts.append((first, npu)) }
        let bound = tpotBoundMilliseconds.map { Picoseconds(min($0 * 1e9, 4e18)) }
        var chosen = layouts[0]
        if layouts.count > 1 {
            var best: (misses: Int, value: Double)?
            for layout in layouts {
                let batch = try RunLoop(stages: [candidates[layout.lead]]).firstBatch()
                var layoutBest: (misses: Int, value: Double)?
                for member in layout.members {
                    let score = try candidates[member].predictIteration(batch, iteration: 0).score(
                        objective, bound: bound)
                    if layoutBest == nil || score < layoutBest! { layoutBest = score }
                }
                if let layoutBest, best == nil || layoutBest < best! { (best, chosen) = (layoutBest, layout) }
            }
        }
        let members = chosen.members.map { candidates[$0] }
        let lead = chosen.members.firstIndex(of: chosen.lead)!
        var loop = RunLoop(
            stages: [members[lead]],
            planner: AutoPlanner(candidates: members, lead: lead, objective: objective, bound: bound))
        let outcome = try loop.run()
        var report = loop.stages[0].report(outcome.states[0], cappedRequests: outcome.cappedRequests)
        let summary = loop.planner!.summary()
        report.policy = Policy.auto.name
        report.attention = "auto: " + summary.label
        report.autoPlan = summary
        return (report, loop.stages[0].timeline)
    }
}

