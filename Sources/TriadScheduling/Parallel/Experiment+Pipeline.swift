import TriadCore

/// Staged pipelines: stages of different hardware (or pinned policies) are simulated each on its own devices,
/// with the layers split by the stages' measured costs (docs/MODEL.md §8.4).
extension Experiment {
    /// Iterations each balance probe simulates.
    static let probeIterations = 16

    /// One policy's run over `stages`: the layers balanced, every stage simulated on its devices in lockstep
    /// (`RunLoop`), their figures merged into one report; the timeline has a track per stage and device.
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
        for index in stages.indices {
            simulators.append(
                try stageSimulator(
                    policy, stages: stages, stage: index, layers: layers[index], costs: costs, probe: false))
        }
        var loop = RunLoop(stages: simulators)
        let outcome = try loop.run()
        let reports = loop.stages.indices.map {
            loop.stages[$0].report(outcome.states[$0], cappedRequests: outcome.cappedRequests)
        }
        var report = RunReport.merging(
            reports, order: mirrors?.map(\.device) ?? stages.flatMap { $0.devices.devices.map(\.id) })
        report.policy = policy.name
        report.stages = stages.indices.map { index in
            StageFigure(
                groups: stages[index].groupIDs, layers: layers[index], policy: (stages[index].policy ?? policy).name,
                fixedMilliseconds: fixed[index] * 1e-9, perLayerMilliseconds: perLayer[index] * 1e-9)
        }
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
    /// run of the same workload.
    private func probe(_ policy: Policy, stages: [PipelineStage], stage: Int, layers: Int, costs: any CostService)
        throws -> Double
    {
        var simulator = try stageSimulator(
            policy, stages: stages, stage: stage, layers: layers, costs: costs, probe: true)
        return try simulator.run().tpotMeanMilliseconds * 1e9
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
