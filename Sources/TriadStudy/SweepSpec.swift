public import TriadTopology
public import TriadScheduling

/// What a sweep varies and holds fixed: every list is an axis of the grid, and the runs are every combination
/// (`runs`). Strings are as the spec wrote them (topology paths relative to the spec's directory, `path(ofTopology:)`);
/// the CLI checks each value when it loads the run.
public struct SweepSpec: Sendable {
    /// Where each axis value is written in the spec, by `SweepSpec.locationKey(axis, value)` (for errors about it).
    public var locations: [String: SourceLocation] = [:]
    /// The spec file (for errors) and its directory, where relative topology paths start.
    public var file = "sweep"
    public var directory = "."

    /// Where `topology` (as the spec writes it) is on disk.
    public func path(ofTopology topology: String) -> String {
        topology.hasPrefix("/") ? topology : directory + "/" + topology
    }

    public static func locationKey(_ axis: String, _ value: String) -> String { axis + "\u{0}" + value }

    /// `file:line:col: ` of `value` on `axis` (the file's first line when unknown).
    public func location(_ axis: String, _ value: String) -> String {
        let at = locations[Self.locationKey(axis, value)] ?? SourceLocation(line: 1, column: 1)
        return "\(file):\(at.line):\(at.column): "
    }

    /// One topology value varied by its key path (`pim.channels: [16, 32]`).
    /// One axis of topology values: a key path and its values, or (`zip:`) several paths whose values vary together,
    /// one row of values per point.
    public struct Parameter: Sendable, Hashable {
        public var paths: [String]
        public var rows: [[String]]

        public init(path: String, values: [String]) {
            paths = [path]
            rows = values.map { [$0] }
        }

        public init(zipping paths: [String], rows: [[String]]) {
            self.paths = paths
            self.rows = rows
        }

        /// Points along this axis.
        public var count: Int { rows.count }
    }

    /// Tensor × pipeline degrees, or nil for the topology's (or the model preset's).
    public struct Parallelism: Sendable, Hashable {
        public var tensor: Int
        public var pipeline: Int

        public init(tensor: Int, pipeline: Int) {
            self.tensor = tensor
            self.pipeline = pipeline
        }
    }

    public var name: String
    public var topologies: [String]
    public var parameters: [Parameter] = []
    public var models: [String]
    public var workloads: [String]
    public var batches: [Int]
    public var policies: [String]
    public var parallelism: [Parallelism?] = [nil]
    public var seeds: [UInt64] = [1]
    /// Poisson arrival rates, requests per second (nil: closed loop); an axis.
    public var arrivalRates: [Double?] = [nil]
    /// Serving options every run shares: `prefill` (none, whole, chunked:N) and SLOs in milliseconds.
    public var prefill = ServingOptions.Prefill.none
    public var sloTtftMilliseconds: Double?
    public var sloTpotMilliseconds: Double?
    public var iterations = 1_000
    public var warmup = 0
    public var maxSequence = 2048
    /// Capacity sweeps (`capacity:`): each run is one seed's bisection for the highest arrival rate that meets the
    /// criterion (`triad capacity`), with this many requests per probe; nil: each run is a simulation.
    public var capacity: CapacityCriterion?
    public var capacityRequests = 1_000
    /// The policy speed-ups are measured against (default: the first).
    public var baseline: String

    public init(
        name: String, topologies: [String], models: [String], workloads: [String], batches: [Int], policies: [String]
    ) {
        self.name = name
        self.topologies = topologies
        self.models = models
        self.workloads = workloads
        self.batches = batches
        self.policies = policies
        baseline = policies.first ?? ""
    }

    /// Every combination of the parameters' values, the first parameter slowest (one empty setting without any).
    public var settings: [[(path: String, value: String)]] {
        var settings: [[(path: String, value: String)]] = [[]]
        for parameter in parameters {
            settings = settings.flatMap { prefix in
                parameter.rows.map { row in prefix + zip(parameter.paths, row).map { (path: $0, value: $1) } }
            }
        }
        return settings
    }

    /// Every run of the grid, in a fixed order: topology, parameter values (the first parameter slowest),
    /// model, workload, parallelism, arrival rate, batch, policy, seed.
    public var runs: [SweepRun] {
        var runs: [SweepRun] = []
        for topology in topologies {
            for setting in settings {
                for model in models {
                    for workload in workloads {
                        for degrees in parallelism {
                            for rate in arrivalRates {
                                for batch in batches {
                                    for policy in policies {
                                        for seed in seeds {
                                            var run = SweepRun(
                                                topology: topology, parameters: setting, model: model,
                                                workload: workload, parallelism: degrees, batch: batch, policy: policy,
                                                seed: seed)
                                            run.arrivalRate = rate
                                            runs.append(run)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return runs
    }
}
