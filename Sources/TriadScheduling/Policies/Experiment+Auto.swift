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
        var candidates: [Simulator] = []
        for policy in Policy.presets {
            if let simulator = try? Simulator(self, policy: policy, costs: costs) { candidates.append(simulator) }
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
        var chosen = layouts[0]
        if layouts.count > 1 {
            var best = -1.0
            for layout in layouts {
                let batch = try RunLoop(stages: [candidates[layout.lead]]).firstBatch()
                var fastest = Picoseconds.max
                for member in layout.members {
                    fastest = min(fastest, try candidates[member].predictIteration(batch, iteration: 0))
                }
                let rate = fastest > 0 ? Double(batch.activeCount) / Double(fastest) : 0
                if rate > best { (best, chosen) = (rate, layout) }
            }
        }
        let members = chosen.members.map { candidates[$0] }
        let lead = chosen.members.firstIndex(of: chosen.lead)!
        var loop = RunLoop(stages: [members[lead]], planner: AutoPlanner(candidates: members, lead: lead))
        let outcome = try loop.run()
        var report = loop.stages[0].report(outcome.states[0], cappedRequests: outcome.cappedRequests)
        let summary = loop.planner!.summary()
        report.policy = Policy.auto.name
        report.attention = "auto: " + summary.label
        report.autoPlan = summary
        return (report, loop.stages[0].timeline)
    }
}

