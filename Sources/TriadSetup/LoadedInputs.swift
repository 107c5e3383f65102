public import TriadCore
public import TriadScheduling
public import TriadTopology

/// Everything a run reads from files and names: the topology and its groups (arranged into pipeline stages for
/// the model), the model with its parallel degrees, the workload, and the links' plan.
public struct LoadedInputs: Sendable {
    public var topology: Topology
    public var devices: DeviceSet
    public var model: ModelSpec
    public var stream: RequestStream
    public var groups: DeviceGroups
    public var communication: CommunicationPlan?

    /// Loads a parsed `topology` (named `path` in errors) with the model `model` (a preset or a config.json) at
    /// the given degrees (nil: the topology's `parallelism`, else the preset's).
    public init(
        topology: Topology, path: String, model name: String, tensorParallel: Int?, pipelineParallel: Int?,
        stream: RequestStream
    ) throws {
        var groups = try Inputs.deviceGroups(topology, path: path)
        let model = try Inputs.model(
            name, tensorParallel: tensorParallel ?? topology.parallelism?.tensor,
            pipelineParallel: pipelineParallel ?? topology.parallelism?.pipeline)
        let communication = try GroupLayout.communication(topology, model: model, path: path)
        try Inputs.arrange(&groups, model: model, topology: topology, path: path)
        self.topology = topology
        self.devices = groups.sets[0]
        self.model = model
        self.stream = stream
        self.groups = groups
        self.communication = communication
    }

    /// The experiment of these inputs with the library's defaults for batch, iterations and seed.
    public func experiment() -> Experiment {
        var experiment = Experiment(devices: devices, model: model, workload: stream, topologyName: topology.name)
        if groups.sets.count > 1 || groups.isStaged {
            experiment.communication = communication
            experiment.mirrors = groups.mirrors
        }
        experiment.stages = Inputs.stages(groups, tensorRanks: model.tensorParallel)
        return experiment
    }
}

extension LoadedInputs {
    /// The splits the `auto` policy may choose among for `experiment` (these inputs' run): on a topology of several
    /// identical groups, every tensor × pipeline factorisation of the group count the model allows
    /// (`PlanSearch.splits`), each the same run at that split; none on one group or a staged pipeline.
    public func autoSplits(for experiment: Experiment, path: String, modelName: String) -> [Experiment.AutoSplit] {
        guard groups.sets.count > 1, !groups.isStaged else { return [] }
        return PlanSearch.splits(groups: groups.sets.count, model: model).compactMap { split in
            guard
                let inputs = try? LoadedInputs(
                    topology: topology, path: path, model: modelName, tensorParallel: split.tensor,
                    pipelineParallel: split.pipeline, stream: stream)
            else { return nil }
            let built = inputs.experiment()
            var alternative = experiment
            alternative.devices = built.devices
            alternative.model = built.model
            alternative.communication = built.communication
            alternative.mirrors = built.mirrors
            alternative.stages = built.stages
            alternative.autoSplits = []
            return Experiment.AutoSplit(
                tensorParallel: split.tensor, pipelineParallel: split.pipeline, experiment: alternative)
        }
    }
}
