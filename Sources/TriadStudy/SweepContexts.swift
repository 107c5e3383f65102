import Foundation
import TriadCore
import TriadScheduling
import TriadSetup
import TriadTopology

/// Everything a sweep's runs read, loaded and checked before the first run: each topology with each parameter
/// setting, each model at each parallelism, each workload and policy. A problem is bad input at the spec's
/// line and column of the value that causes it (exit 2); a run that then fails to simulate (a policy that needs
/// hardware the topology lacks) is recorded as that point's error, and the sweep goes on.
struct SweepContexts: Sendable {
    let spec: SweepSpec
    private var inputs: [String: LoadedInputs] = [:]
    private var policies: [String: Policy] = [:]

    init(_ spec: SweepSpec) throws {
        self.spec = spec
        var streams: [String: RequestStream] = [:]
        for workload in spec.workloads {
            let stream = try located("workloads", workload) { try Inputs.workload(workload) }
            if spec.arrivalRates.contains(where: { $0 != nil }), case .trace = stream {
                throw InputError(
                    "\(spec.location("workloads", workload))arrival_rates replace arrival times; a trace has its own")
            }
            if case .fixed(let input, let output) = stream, input + output > spec.maxSequence {
                throw InputError(
                    "\(spec.location("workloads", workload))fixed:\(input):\(output) is longer than max_sequence \(spec.maxSequence)"
                )
            }
            streams[workload] = stream
        }
        for name in spec.policies {
            policies[name] = try located("policies", name) { try Inputs.policy(name) }
        }
        let settings = spec.settings
        for topology in spec.topologies {
            let path = spec.path(ofTopology: topology)
            let text = try located("topologies", topology) {
                try InputFile.read(path, what: "topology file", location: ":1:1")
            }
            for setting in settings {
                let parsed = try parse(text, path: path, topology: topology, setting: setting)
                for model in spec.models {
                    for degrees in spec.parallelism {
                        for workload in spec.workloads {
                            let loaded = try located(
                                "models", model,
                                context:
                                    "\(topology) \(Self.describe(setting)) \(degrees.map { "parallelism \($0.tensor)x\($0.pipeline)" } ?? ""): "
                            ) {
                                try LoadedInputs(
                                    topology: parsed, path: path, model: model, tensorParallel: degrees?.tensor,
                                    pipelineParallel: degrees?.pipeline, stream: streams[workload]!)
                            }
                            inputs[Self.contextKey(topology, setting, model, degrees, workload)] = loaded
                        }
                    }
                }
            }
        }
    }

    /// The topology `text` with `setting` applied, parsed; a problem is reported at the parameter's value.
    private func parse(_ text: String, path: String, topology: String, setting: [(path: String, value: String)])
        throws -> Topology
    {
        guard let last = setting.last else {
            return try located("topologies", topology) { try Inputs.topology(text: text, path: path) }
        }
        let changed: String
        do {
            changed = try TopologyOverride.apply(setting, to: text)
        } catch let problem as TopologyOverride.Problem {
            throw InputError("\(spec.location(last.path, last.value))\(topology): \(problem.message)")
        }
        do {
            return try TopologyParser.parse(changed, file: "\(topology) with \(Self.describe(setting))")
        } catch let error as TopologyError {
            throw InputError(
                "\(spec.location(last.path, last.value))\(error.message) (\(topology) with \(Self.describe(setting)))")
        }
    }

    private static func describe(_ setting: [(path: String, value: String)]) -> String {
        setting.map { "\($0.path)=\($0.value)" }.joined(separator: " ")
    }

    private static func contextKey(
        _ topology: String, _ setting: [(path: String, value: String)], _ model: String,
        _ degrees: SweepSpec.Parallelism?, _ workload: String
    ) -> String {
        "\(topology)\u{0}\(describe(setting))\u{0}\(model)\u{0}\(degrees.map { "\($0.tensor)x\($0.pipeline)" } ?? "")\u{0}\(workload)"
    }

    /// `body`'s bad input, prefixed with where `value` of `axis` is in the spec.
    private func located<T>(_ axis: String, _ value: String, context: String = "", _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as InputError {
            let message =
                error.description.hasPrefix("triad: ") ? String(error.description.dropFirst(7)) : error.description
            throw InputError("\(spec.location(axis, value))\(context)\(message)")
        }
    }

    /// Simulates `run`: its figures, or why it could not run.
    func simulate(_ run: SweepRun) -> RunMetrics {
        let key = Self.contextKey(run.topology, run.parameters, run.model, run.parallelism, run.workload)
        guard let loaded = inputs[key], let policy = policies[run.policy] else {
            return RunMetrics(key: run.key, error: "internal: no inputs for this run")
        }
        var experiment = loaded.experiment()
        experiment.batch = run.batch
        experiment.iterations = spec.iterations
        experiment.seed = run.seed
        experiment.maxSequence = spec.maxSequence
        experiment.warmupIterations = spec.warmup
        var serving = ServingOptions()
        serving.prefill = spec.prefill
        serving.arrivalRate = run.arrivalRate
        serving.ttftLimitMilliseconds = spec.sloTtftMilliseconds
        serving.tpotLimitMilliseconds = spec.sloTpotMilliseconds
        experiment.serving = serving
        do {
            if let criterion = spec.capacity {
                // One seed's bisection for the highest rate that meets the criterion (`triad capacity`).
                var search = CapacitySearch(experiment: experiment, policy: policy, criterion: criterion)
                search.requests = spec.capacityRequests
                var metrics = RunMetrics(key: run.key)
                metrics["capacity_requests_per_second"] = try search.threshold(seed: run.seed).capacity
                return metrics
            }
            return RunMetrics(key: run.key, report: try experiment.run([policy]).reports[0])
        } catch let error as SimulationError {
            return RunMetrics(key: run.key, error: LogSafe.text(error.message, limit: 300))
        } catch {
            return RunMetrics(key: run.key, error: LogSafe.text("\(error)", limit: 300))
        }
    }
}
