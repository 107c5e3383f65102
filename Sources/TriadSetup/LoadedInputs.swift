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
