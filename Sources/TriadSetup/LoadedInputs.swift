public import TriadCore
public import TriadScheduling
public import TriadTopology
public import TriadDevices
public import Foundation

/// Everything a run reads from files and names: the topology and its groups (arranged into pipeline stages for
/// the model), the model with its parallel degrees, the workload, and the links' plan.
public struct LoadedInputs: Sendable {
    public var topology: Topology
    public var devices: DeviceSet
    public var model: ModelSpec
    public var stream: RequestStream
    public var groups: DeviceGroups
    public var communication: CommunicationPlan?
    /// The groups marked `role: prefill`, when any (the rest of the topology decodes).
    public var prefillPool: PrefillPool?

    /// Every device a cluster needs a worker for: the decoding topology's and the prefill groups'.
    public var workerDevices: [DeviceDescription] { topology.devices + (prefillPool?.devices ?? []) }

    /// The workers of a run of `replicas` copies of the topology, each copy's devices workers of their own (named as
    /// `ReplicaCostService.deviceID` says; a prefill pool serves every replica); refused when a copy's id would be
    /// too long.
    public func workerDevices(replicas: Int) throws -> [DeviceDescription] {
        try Self.workerDevices(decoding: topology.devices, prefill: prefillPool?.devices ?? [], replicas: replicas)
    }

    /// The workers of a cluster for `topology` (named `path` in errors) run as `replicas` copies, without loading a
    /// model: what a `triad pool` starts.
    public static func workerDevices(of topology: Topology, path: String, replicas: Int) throws -> [DeviceDescription]
    {
        let (decoding, prefill) = try splittingPrefill(topology, path: path)
        return try workerDevices(decoding: decoding.devices, prefill: prefill?.devices ?? [], replicas: replicas)
    }

    private static func workerDevices(decoding: [DeviceDescription], prefill: [DeviceDescription], replicas: Int)
        throws -> [DeviceDescription]
    {
        var devices = decoding + prefill
        for replica in 1..<max(replicas, 1) {
            for device in decoding {
                let id = ReplicaCostService.deviceID(device.id, replica: replica)
                guard id.utf8.count <= DeviceID.maximumLength else {
                    throw InputError(
                        "triad: device '\(device.id)' of replica \(replica) would be the worker '\(id)', longer than \(DeviceID.maximumLength) characters: shorten its id"
                    )
                }
                devices.append(DeviceDescription(id: id, configuration: device.configuration))
            }
        }
        return devices
    }

    /// `groups.mirrorMap` for every replica's workers.
    public func mirrorMap(replicas: Int) -> [String: [String]] {
        var map = groups.mirrorMap
        for replica in 1..<max(replicas, 1) {
            for (device, mirrored) in groups.mirrorMap {
                map[ReplicaCostService.deviceID(device, replica: replica)] = mirrored.map {
                    ReplicaCostService.deviceID($0, replica: replica)
                }
            }
        }
        return map
    }

    /// Worker programs (`Inputs.workerPrograms`) for every replica's copy of a device.
    public static func replicated(programs: [String: URL], replicas: Int) -> [String: URL] {
        var all = programs
        for replica in 1..<max(replicas, 1) {
            for (device, program) in programs { all[ReplicaCostService.deviceID(device, replica: replica)] = program }
        }
        return all
    }

    /// Loads a parsed `topology` (named `path` in errors) with the model `model` (a preset or a config.json) at
    /// the given degrees (nil: the topology's `parallelism`, else the preset's).
    public init(
        topology: Topology, path: String, model name: String, tensorParallel: Int?, pipelineParallel: Int?,
        stream: RequestStream
    ) throws {
        let (topology, prefillPool) = try Self.splittingPrefill(topology, path: path)
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
        self.prefillPool = prefillPool
    }

    /// `topology` without its `role: prefill` groups (what decodes), and those groups as a prefill pool whose KV
    /// crosses the link between the first prefill group and the first decode group.
    static func splittingPrefill(_ topology: Topology, path: String) throws -> (Topology, PrefillPool?) {
        let prefill = topology.groups.filter(\.prefillsOnly)
        guard let first = prefill.first else { return (topology, nil) }
        let decode = topology.groups.filter { !$0.prefillsOnly }
        guard let decoder = decode.first else {
            throw InputError(
                "\(path):\(first.location.line):\(first.location.column): every group has role prefill; at least one must decode"
            )
        }
        guard let link = topology.link(between: first.id, and: decoder.id) else {
            throw InputError(
                "\(path):\(first.location.line):\(first.location.column): no link between prefill group '\(first.id)' and decode group '\(decoder.id)' for the KV caches (add one, or an interconnect)"
            )
        }
        let prefillDevices = Set(prefill.flatMap(\.deviceIDs))
        var decoding = topology
        decoding.groups = decode
        decoding.devices = topology.devices.filter { !prefillDevices.contains($0.id) }
        decoding.links = topology.links.filter { !prefillDevices.contains($0.0) && !prefillDevices.contains($0.1) }
        let prefillGroups = Set(prefill.map(\.id))
        decoding.groupLinks = topology.groupLinks.filter { !prefillGroups.contains($0.from) && !prefillGroups.contains($0.to) }
        let pool: DeviceGroups
        do {
            pool = try DeviceGroups(
                groups: prefill.map { ($0.id, $0.deviceIDs) },
                devices: topology.devices.filter { prefillDevices.contains($0.id) }, attachments: topology.links,
                declared: true)
        } catch let error as SimulationError {
            throw Inputs.located(error, in: topology, path: path)
        }
        for (group, devices) in zip(prefill, pool.sets) where devices.npu == nil {
            throw InputError(
                "\(path):\(group.location.line):\(group.location.column): prefill group '\(group.id)' has no npu to prefill on"
            )
        }
        return (decoding, PrefillPool(instances: pool.sets, groupIDs: prefill.map(\.id), link: link))
    }

    /// The experiment of these inputs with the library's defaults for batch, iterations and seed.
    public func experiment() -> Experiment {
        var experiment = Experiment(devices: devices, model: model, workload: stream, topologyName: topology.name)
        if groups.sets.count > 1 || groups.isStaged {
            experiment.communication = communication
            experiment.mirrors = groups.mirrors
        }
        experiment.stages = Inputs.stages(groups, tensorRanks: model.tensorParallel)
        experiment.prefillPool = prefillPool
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
