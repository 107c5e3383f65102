public import Foundation
public import TriadCore
public import TriadDatasets
public import TriadDevices
public import TriadScheduling
public import TriadTopology

/// Loads the files and names a command refers to, turning every problem into an `InputError`.
public enum Inputs {
    public static func topology(at path: String) throws -> Topology {
        try topology(text: try InputFile.read(path, what: "topology file", location: ":1:1"), path: path)
    }

    /// The topology in `text`, read from `path`.
    public static func topology(text: String, path: String) throws -> Topology {
        do {
            return try TopologyParser.parse(text, file: path)
        } catch let error as TopologyError {
            throw InputError(error.description)
        }
    }

    /// The programs a topology's `worker:` keys name, each an executable file (relative paths from the current
    /// directory), by device id.
    public static func workerPrograms(_ topology: Topology, path: String) throws -> [String: URL] {
        var programs: [String: URL] = [:]
        for (device, entry) in topology.workers {
            guard FileManager.default.isExecutableFile(atPath: entry.program) else {
                throw InputError(
                    "\(path):\(entry.location.line):\(entry.location.column): worker program '\(LogSafe.text(entry.program, limit: 120))' of device '\(device)' is not an executable file (relative paths start at the current directory; build the C SDK with bash scripts/build-sdk)"
                )
            }
            programs[device] = URL(fileURLWithPath: entry.program)
        }
        return programs
    }

    /// The first group's devices (the one a run simulates).
    public static func deviceSet(_ topology: Topology, path: String) throws -> DeviceSet {
        try deviceGroups(topology, path: path).sets[0]
    }

    /// Every group, each checked to be the same hardware as the first.
    public static func deviceGroups(_ topology: Topology, path: String) throws -> DeviceGroups {
        for group in topology.groups {
            if let name = group.policy, Policy(name: name) == nil {
                let at = group.policyLocation ?? group.location
                let names = Policy.presets.map(\.name)
                let hint = NearestName.suggestion(for: name, among: names).map { "did you mean '\($0)'? " } ?? ""
                throw InputError(
                    "\(path):\(at.line):\(at.column): group '\(group.id)' names unknown policy '\(LogSafe.text(name, limit: 40))' (\(hint)policies: \(names.joined(separator: ", ")), or npu+pim+MECHANISMS)"
                )
            }
        }
        do {
            return try DeviceGroups(
                groups: topology.effectiveGroups.map { ($0.id, $0.deviceIDs) }, devices: topology.devices,
                attachments: topology.links, declared: !topology.groups.isEmpty,
                policies: topology.groups.map(\.policy), layerPins: topology.groups.map(\.layers))
        } catch let error as SimulationError {
            throw located(error, in: topology, path: path)
        }
    }

    /// `groups` split into the pipeline stages `model` asks for: stages that differ (hardware or a pinned
    /// policy) become a staged pipeline; their tensor-parallel peers must be alike.
    public static func arrange(_ groups: inout DeviceGroups, model: ModelSpec, topology: Topology, path: String) throws
    {
        do {
            try groups.arrange(tensorRanks: model.tensorParallel)
        } catch let error as SimulationError {
            throw located(error, in: topology, path: path)
        }
    }

    /// The stages of a staged pipeline, each its first group's devices and its pinned policy.
    public static func stages(_ groups: DeviceGroups, tensorRanks: Int) -> [PipelineStage]? {
        guard groups.isStaged else { return nil }
        return groups.leaders.map { leader in
            PipelineStage(
                groupIDs: Array(groups.ids[leader..<(leader + tensorRanks)]), devices: groups.sets[leader],
                policy: groups.policies[leader].flatMap { Policy(name: $0) }, layers: groups.layerPins[leader])
        }
    }

    /// A simulation error as bad input at the topology line it is about: the device it names, else the
    /// `devices:` list.
    public static func located(_ error: SimulationError, in topology: Topology, path: String) -> InputError {
        let location = topology.location(of: error.device)
        return InputError("\(path):\(location.line):\(location.column): \(error.message)")
    }

    public static func model(_ name: String, tensorParallel: Int?, pipelineParallel: Int?) throws -> ModelSpec {
        var model: ModelSpec
        if let preset = ModelPresets.named(name) {
            model = preset
        } else if name.hasSuffix(".json") || name.contains("/") || FileManager.default.fileExists(atPath: name) {
            let data = Data(try InputFile.read(name, what: "model config").utf8)
            do {
                let label = LogSafe.text(
                    URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent, limit: 80)
                model = try HuggingFaceConfig.model(from: data, name: label)
            } catch let error as HuggingFaceConfig.Problem {
                throw InputError("\(name): \(error.message)")
            }
        } else {
            let known = ModelPresets.all.map(\.name).joined(separator: ", ")
            throw InputError(
                "triad: unknown model '\(name.prefix(80))' (presets: \(known); or a path to a config.json)")
        }
        if let tensorParallel {
            guard tensorParallel >= 1 else { throw InputError("triad: --tensor-parallel must be at least 1") }
            model.tensorParallel = tensorParallel
        }
        if let pipelineParallel {
            guard pipelineParallel >= 1 else { throw InputError("triad: --pipeline-parallel must be at least 1") }
            model.pipelineParallel = pipelineParallel
        }
        guard model.pipelineParallel <= model.layers else {
            throw InputError(
                "triad: pipeline-parallel \(model.pipelineParallel) exceeds \(model.name)'s \(model.layers) layers")
        }
        if model.hasAttention {
            let tp = model.tensorParallel
            guard model.attentionHeads % tp == 0 else {
                throw InputError(
                    "triad: tensor-parallel \(tp) does not divide \(model.name)'s \(model.attentionHeads) attention heads"
                )
            }
            guard model.keyValueHeads % tp == 0 || tp % model.keyValueHeads == 0 else {
                throw InputError(
                    "triad: tensor-parallel \(tp) neither divides nor is a multiple of \(model.name)'s \(model.keyValueHeads) KV heads"
                )
            }
        }
        return model
    }

    public static func workload(_ spec: String) throws -> RequestStream {
        if spec.hasPrefix("fixed:") {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let input = Int(parts[1]), let output = Int(parts[2]),
                (0...Experiment.Limits.maxSequence.upperBound).contains(input),
                (1...Experiment.Limits.maxSequence.upperBound).contains(output)
            else {
                throw InputError(
                    "triad: --workload fixed:IN:OUT needs 0 ≤ IN and 1 ≤ OUT tokens, each at most \(Experiment.Limits.maxSequence.upperBound) (got '\(spec.prefix(80))')"
                )
            }
            return .fixed(input: input, output: output)
        }
        do {
            if let distribution = try BundledDatasets.distribution(named: spec.lowercased()) {
                return .sampled(distribution)
            }
        } catch let error as DatasetError {
            throw RunFailure(message: error.message)
        }
        let looksLikeAPath = spec.contains("/") || spec.hasSuffix(".csv") || spec.hasSuffix(".jsonl")
        guard looksLikeAPath || FileManager.default.fileExists(atPath: spec) else {
            throw InputError(
                "triad: unknown workload '\(spec.prefix(80))' (sharegpt, alpaca, fixed:IN:OUT, or a vidur CSV / LLMServingSim JSONL trace file)"
            )
        }
        let text = try InputFile.read(spec, what: "trace", limit: InputFile.traceLimit)
        do {
            let name = LogSafe.text(URL(fileURLWithPath: spec).lastPathComponent, limit: 80)
            return .trace(name: name, requests: try TraceReader.parse(text, file: spec))
        } catch let error as DatasetError {
            throw InputError(error.message)
        }
    }

    public static func policy(_ name: String) throws -> Policy {
        guard let policy = Policy(name: name) else {
            let known = Policy.presets.map(\.name).joined(separator: ", ") + ", npu+pim+drb+gmlbp…, auto"
            throw InputError("triad: unknown policy '\(name.prefix(80))' (known: \(known))")
        }
        return policy
    }

    /// A comma-separated policy list: at least one, each known, none twice (after canonical naming, so
    /// `npu+pim+sbi+drb` and `npu+pim+drb+sbi` are the same policy).
    public static func policies(_ text: String) throws -> [Policy] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !names.contains(where: \.isEmpty) else {
            throw InputError("triad: --policies has an empty entry (got '\(text.prefix(80))')")
        }
        let list = try names.map { try policy(String($0)) }
        guard !list.isEmpty else { throw InputError("triad: --policies lists no policy") }
        var seen: Set<String> = []
        for policy in list where !seen.insert(policy.name).inserted {
            throw InputError("triad: --policies lists \(policy.name) twice")
        }
        return list
    }
}
