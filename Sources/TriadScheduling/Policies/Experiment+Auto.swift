import TriadCore

extension Experiment {
    /// The `auto` policy's run: every named plan that can run the model on these devices (and its FC-on-PIM variant)
    /// is a candidate; the tensor × pipeline split (among `autoSplits`, when given) and the KV layout are chosen from
    /// the first batch (below), then `AutoPlanner` chooses the plan before each iteration. A pipeline of different
    /// stages plans each stage (`runStaged`).
    func runAuto(costs: any CostService) throws -> (report: RunReport, events: [TimelineEvent]) {
        // The candidates ask the same shapes of the same devices: through workers, each is asked once for all of them
        // (in this process evaluating again is cheaper than the lookup).
        let costs: any CostService = costs is LocalCostService ? costs : SharedCostCache(costs)
        let bound = tpotBoundMilliseconds.map { Picoseconds(min($0 * 1e9, 4e18)) }
        // Each split's candidates and KV layouts, scored on the first batch as the run would admit it; the best
        // (split, layout) runs. A split that cannot hold the model is skipped.
        let splits = autoSplits.isEmpty ? [nil] : autoSplits.map { Optional($0) }
        var chosen:
            (
                score: (misses: Int, value: Double), split: Int, members: [Simulator], lead: Int,
                firstReview: (batch: RunState, scores: [(misses: Int, value: Double)])
            )?
        var firstError: (any Error)?
        for (index, split) in splits.enumerated() {
            let experiment = split?.experiment ?? self
            do {
                let option = try experiment.autoOption(costs: costs, bound: bound)
                if chosen == nil || option.score < chosen!.score {
                    chosen = (option.score, index, option.members, option.lead, option.firstReview)
                }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard let chosen else {
            throw firstError
                ?? SimulationError(.incompatible, "policy auto found no named plan that can run \(model.name) here")
        }
        let experiment = splits[chosen.split]?.experiment ?? self
        var loop = RunLoop(
            stage: chosen.members[chosen.lead],
            planner: AutoPlanner(
                candidates: chosen.members, lead: chosen.lead, objective: experiment.objective, bound: bound,
                firstReview: chosen.firstReview))
        let outcome = try loop.run()
        let reports = loop.replicas.indices.map { r in
            var report = loop.replicas[r].stages[0].report(outcome.replicas[r][0], cappedRequests: outcome.cappedRequests)
            var summary = loop.replicas[r].planners[0]!.summary()
            if let split = splits[chosen.split] {
                summary.split = "TP\(split.tensorParallel)×PP\(split.pipelineParallel)"
            }
            report.policy = Policy.auto.name
            report.attention = "auto: " + summary.label
            report.autoPlan = summary
            return report
        }
        return (RunReport.replicated(reports, serving: serving, tokenLatency: outcome.tokenLatency), loop.stages[0].timeline)
    }

    /// This experiment's candidates under the layout `auto` would keep, and how the first batch scores under the
    /// best of them.
    private func autoOption(costs: any CostService, bound: Picoseconds?) throws -> (
        score: (misses: Int, value: Double), members: [Simulator], lead: Int,
        firstReview: (batch: RunState, scores: [(misses: Int, value: Double)])
    ) {
        var candidates: [Simulator] = []
        for policy in Policy.presets {
            guard let simulator = try? Simulator(self, policy: policy, costs: costs) else { continue }
            candidates.append(simulator)
            // The same plan with the FC classes that are faster on the PIM at small batches moved there.
            let offload = try simulator.fastestOffload(upTo: batch)
            if !offload.isEmpty, let variant = try? Simulator(self, policy: policy.offloading(offload), costs: costs) {
                candidates.append(variant)
            }
            // The strongest PIM plans also with the NPU taking part of the attention.
            if Policy.splitCandidates.contains(policy),
                let variant = try? Simulator(self, policy: policy.splittingAttention(), costs: costs)
            {
                candidates.append(variant)
            }
        }
        guard !candidates.isEmpty else {
            throw SimulationError(.incompatible, "policy auto found no named plan that can run \(model.name) here")
        }
        // Two KV layouts: as the PIM plans need it (NeuPIMs' greedy rule where a candidate uses it; every candidate
        // can read it), or striped over the whole stack for NPU attention (more room; the NPU plans only). The one
        // whose first batch — admitted as the run admits it — scores better under its best plan is kept.
        var layouts: [(lead: Int, members: [Int])] = []
        if let pim =
            candidates.firstIndex(where: { $0.attentionOnPIM && $0.plan.kvPlacement == .greedyMinLoad })
            ?? candidates.firstIndex(where: { $0.attentionOnPIM })
        {
            layouts.append((pim, Array(candidates.indices)))
        }
        let npu = candidates.indices.filter { !candidates[$0].attentionOnPIM }
        if let first = npu.first { layouts.append((first, npu)) }
        var best: (score: (misses: Int, value: Double), layout: (lead: Int, members: [Int]))?
        var scoresByLayout: [[(misses: Int, value: Double)]] = []
        var batches: [RunState] = []
        for layout in layouts {
            let batch = try RunLoop(stages: [candidates[layout.lead]]).firstBatch()
            batches.append(batch)
            scoresByLayout.append([])
            for member in layout.members {
                // A candidate that costs attention as an earlier one does takes its costs instead of asking again.
                if let earlier = layout.members.prefix(while: { $0 != member }).first(where: {
                    candidates[$0].sharesAttentionCosts(with: candidates[member])
                }) {
                    candidates[member].adoptAttentionCosts(from: candidates[earlier])
                }
                let score = try candidates[member].predictIteration(batch, iteration: 0).score(objective, bound: bound)
                scoresByLayout[scoresByLayout.count - 1].append(score)
                if best == nil || score < best!.score { best = (score, layout) }
            }
        }
        guard let best else {
            throw SimulationError(.incompatible, "policy auto found no named plan that can run \(model.name) here")
        }
        let members = best.layout.members.map { candidates[$0] }
        let chosen = layouts.firstIndex { $0.members == best.layout.members && $0.lead == best.layout.lead }!
        return (
            best.score, members, best.layout.members.firstIndex(of: best.layout.lead)!,
            (batches[chosen], scoresByLayout[chosen])
        )
    }
}
