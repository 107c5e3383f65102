public import TriadScheduling

/// The coordinator daemon's one job, run on its own thread: wait for the workers, run the experiment.
public final class CoordinatorJob {
    public let coordinator: Coordinator
    public let experiment: Experiment
    public let policies: [Policy]
    public let wait: Int
    /// First-group device → the devices mirroring it (multi-group topologies).
    public let mirrors: [String: [String]]
    public var outcome: Result<Experiment.Outcome, any Error>?

    public init(
        coordinator: Coordinator, experiment: Experiment, policies: [Policy], wait: Int, mirrors: [String: [String]]
    ) {
        self.coordinator = coordinator
        self.experiment = experiment
        self.policies = policies
        self.wait = wait
        self.mirrors = mirrors
    }

    public func run() throws {
        try coordinator.start()
        defer { coordinator.shutdown(reason: outcome == nil ? "run abandoned" : "run finished") }
        try coordinator.waitUntilReady(timeoutMilliseconds: Int64(wait) * 1000)
        outcome = Result {
            try ClusterCostService.run(
                coordinator: coordinator, mirrors: mirrors, options: .init(reusesAnswers: experiment.reusesCosts)
            ) { try experiment.run(policies, costs: $0) }.result
        }
    }
}
