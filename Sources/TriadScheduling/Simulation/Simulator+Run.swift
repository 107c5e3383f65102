extension Simulator {
    /// Simulates the whole run and reports it (one pipeline stage's run loop: `RunLoop`).
    public mutating func run() throws -> RunReport {
        var loop = RunLoop(stages: [self])
        defer { self = loop.stages[0] }
        let outcome = try loop.run()
        return RunReport.replicated(
            loop.replicas.indices.map {
                loop.replicas[$0].stages[0].report(outcome.replicas[$0][0], cappedRequests: outcome.cappedRequests)
            }, serving: experiment.serving, tokenLatency: outcome.tokenLatency)
    }
}
