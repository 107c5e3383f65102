extension Simulator {
    /// Simulates the whole run and reports it (one pipeline stage's run loop: `RunLoop`).
    public mutating func run() throws -> RunReport {
        var loop = RunLoop(stages: [self])
        defer { self = loop.stages[0] }
        let outcome = try loop.run()
        return loop.stages[0].report(outcome.states[0], cappedRequests: outcome.cappedRequests)
    }
}
