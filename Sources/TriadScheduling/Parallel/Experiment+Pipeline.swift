import TriadCore

/// Staged pipelines: stages of different hardware (or pinned policies) are simulated each on its own devices,
/// with the layers split by the stages' measured costs (docs/MODEL.md §8.4).
extension Experiment {
    /// Iterations each balance probe simulates.
    static let probeIterations = 16

    /// One policy's run over `stages`: the layers balanced, every stage simulated on its devices in lockstep
    /// (`RunLoop`), their figures merged into one report; the timeline has a track per stage and device. Under `auto`
    /// every stage without a pinned policy plans itself (docs/MODEL.md §11): its candidates are the named plans that
    /// can run on its devices (and their FC-on-PIM variants), the layers are balanced by each stage's fastest
    /// candidate, and an `AutoPlanner` per stage chooses before each iteration.
    func runStaged(_ policy: Policy, stages: [PipelineStage], costs: any CostService) throws
        -> (report: RunReport, events: [TimelineEvent])
    {
        let count = stages.count
        guard model.layers >= count else {
            throw SimulationError(
                .incompatible, "\(model.name) has \(model.layers) layers, fewer than the \(count) pipeline stages")
        }
        var fixed: [Double] = []
        var perLayer: [Double] = []
        for index in stages.indices {
            let one = try probe(policy, stages: stages, stage: index, layers: 1, costs: costs)
            let two = try probe(policy, stages: stages, stage: index, layers: 2, costs: costs)
            perLayer.append(max(two - one, 1))
            fixed.append(max(one - perLayer[index], 0))
        }
        let layers = try stageLayers(stages, total: model.layers, fixed: fixed, perLayer: perLayer)
        var simulators: [Simulator] = []
        var planners: [AutoPlanner?] = []
        let bound = tpotBoundMilliseconds.map { Picoseconds(min($0 * 1e9, 4e18)) }
        for index in stages.indices {
            let candidates = try stageCandidates(
                policy, stages: stages, stage: index, layers: layers[index], costs: costs, probe: false)
            guard candidates.count > 1 else {
                simulators.append(candidates[0])
                planners.append(nil)
                continue
            }
            // The KV layout the PIM plans need when any candidate has PIM attention (every candidate reads it).
            let lead =
                candidates.firstIndex(where: { $0.attentionOnPIM && $0.plan.kvPlacement == .greedyMinLoad })
                ?? candidates.firstIndex(where: { $0.attentionOnPIM }) ?? 0
            simulators.append(candidates[lead])
            planners.append(AutoPlanner(candidates: candidates, lead: lead, objective: objective, bound: bound))
        }
        var loop = RunLoop(stages: simulators, planners: planners)
        let outcome = try loop.run()
        let replicaReports = loop.replicas.indices.map { r in
            let replica = loop.replicas[r]
            var reports = replica.stages.indices.map {
                replica.stages[$0].report(outcome.replicas[r][$0], cappedRequests: outcome.cappedRequests)
            }
            let summaries = replica.planners.map { $0?.summary() }
            for index in reports.indices {
                if let summary = summaries[index] { reports[index].attention = "auto: " + summary.label }
            }
            var report = RunReport.merging(
                reports, order: mirrors?.map(\.device) ?? stages.flatMap { $0.devices.devices.map(\.id) })
            report.policy = policy.name
            if policy.isAuto { report.autoPlan = summaries.compactMap { $0 }.first }
            report.stages = stages.indices.map { index in
                StageFigure(
                    groups: stages[index].groupIDs, layers: layers[index],
                    policy: summaries[index].map { "auto: " + $0.label } ?? (stages[index].policy ?? policy).name,
                    fixedMilliseconds: fixed[index] * 1e-9, perLayerMilliseconds: perLayer[index] * 1e-9)
            }
            return report
        }
        let report = RunReport.replicated(replicaReports, serving: serving, tokenLatency: outcome.tokenLatency)
        let events = loop.stages.enumerated().flatMap { index, simulator in
            simulator.timeline.map { event in
                var event = event
                event.track = "stage \(index) \(event.track)"
                return event
            }
        }
        return (report, events.sorted { ($0.start, $0.track) < ($1.start, $1.track) })
    }

    /// Mean iteration time (picoseconds, token-weighted) of stage `stage` holding `layers` layers, over a short
    /// run of the same workload (under `auto`, its fastest candidate's).
    private func probe(_ policy: Policy, stages: [PipelineStage], stage: Int, layers: Int, costs: any CostService)
        throws -> Double
    {
        var fastest = Double.infinity
        for var simulator in try stageCandidates(
            policy, stages: stages, stage: stage, layers: layers, costs: costs, probe: true)
        {
            fastest = min(fastest, try simulator.run().interTokenLatencyMeanMilliseconds * 1e9)
        }
        return fastest
    }

    /// The simulators stage `stage` may run: its pinned policy's, or `policy`'s, or under `auto` every named plan
    /// that can run on its devices and each one's FC-on-PIM variant (in the presets' order).
    private func stageCandidates(
        _ policy: Policy, stages: [PipelineStage], stage: Int, layers: Int, costs: any CostService, probe: Bool
    ) throws -> [Simulator] {
        guard policy.isAuto, stages[stage].policy == nil else {
            return [try stageSimulator(policy, stages: stages, stage: stage, layers: layers, costs: costs, probe: probe)]
        }
        var candidates: [Simulator] = []
        for preset in Policy.presets {
            guard
                let simulator = try? stageSimulator(
                    preset, stages: stages, stage: stage, layers: layers, costs: costs, probe: probe)
            else { continue }
            candidates.append(simulator)
            let offload = try simulator.fastestOffload(upTo: batch)
            if !offload.isEmpty,
                let variant = try? stageSimulator(
                    preset.offloading(offload), stages: stages, stage: stage, layers: layers, costs: costs,
                    probe: probe)
            {
                candidates.append(variant)
            }
            if Policy.splitCandidates.contains(preset),
                let variant = try? stageSimulator(
                    preset.splittingAttention(), stages: stages, stage: stage, layers: layers, costs: costs,
                    probe: probe)
            {
                candidates.append(variant)
            }
        }
        guard !candidates.isEmpty else {
            throw SimulationError(
                .incompatible, "policy auto found no named plan that can run pipeline stage \(stage)",
                device: stages[stage].groupIDs[0])
        }
        return candidates
    }

    private func stageSimulator(
        _ policy: Policy, stages: [PipelineStage], stage: Int, layers: Int, costs: any CostService, probe: Bool
    ) throws -> Simulator {
        let stagePolicy = stages[stage].policy ?? policy
        var share = self
        share.communication = communication?.forStage(stage)
        // Every stage is simulated: without a topology's full device list, the stages' own devices are reported.
        share.mirrors =
            mirrors ?? stages.flatMap { $0.devices.devices.map { (device: $0.id, mirrors: Optional($0.id)) } }
        if probe {
            share.iterations = min(iterations, Self.probeIterations)
            share.warmupIterations = 0
            share.timelineIterations = 0
        }
        do {
            return try Simulator(
                share, policy: stagePolicy, devices: stages[stage].devices, costs: costs, stageLayers: layers,
                runsHead: stage == stages.count - 1)
        } catch let error as SimulationError {
            throw SimulationError(
                error.code,
                "pipeline stage \(stage) (\(stages[stage].groupIDs[0]), policy \(stagePolicy.name)): \(error.message)",
                device: error.device ?? stages[stage].groupIDs[0])
        }
    }

    /// The layers of every stage: pinned ones as given, the rest balanced over the remaining layers.
    private func stageLayers(_ stages: [PipelineStage], total: Int, fixed: [Double], perLayer: [Double]) throws -> [Int]
    {
        let pinned = stages.compactMap(\.layers).reduce(0, +)
        let free = stages.indices.filter { stages[$0].layers == nil }
        let problem: String? =
            free.isEmpty
            ? (pinned == total ? nil : "the stages' layers add up to \(pinned), not \(model.name)'s \(total)")
            : (total - pinned >= free.count
                ? nil
                : "the pinned layers (\(pinned)) leave fewer than one of \(model.name)'s \(total) for each other stage")
        if let problem {
            let stage = stages.first { $0.layers != nil } ?? stages[0]
            throw SimulationError(.incompatible, problem, device: stage.groupIDs[0])
        }
        let balanced = Self.balancedLayers(
            total - pinned, fixed: free.map { fixed[$0] }, perLayer: free.map { perLayer[$0] })
        var layers = stages.map { $0.layers ?? 0 }
        for (position, index) in free.enumerated() { layers[index] = balanced[position] }
        return layers
    }

    /// Layers per stage, each at least one, summing to `total`, that minimise the slowest stage's
    /// `fixed + layers × perLayer`: one layer at a time to the stage it slows least (ties to the earlier).
    public static func balancedLayers(_ total: Int, fixed: [Double], perLayer: [Double]) -> [Int] {
        var layers = Array(repeating: 1, count: fixed.count)
        for _ in 0..<max(0, total - fixed.count) {
            var best = 0
            for index in layers.indices
            where fixed[index] + Double(layers[index] + 1) * perLayer[index]
                < fixed[best] + Double(layers[best] + 1) * perLayer[best]
            {
                best = index
            }
            layers[best] += 1
        }
        return layers
    }
}
