import TriadCluster

/// The line `triad up` prints on standard error after its report: where the workers came from, each phase's wall
/// time (spawning, registration, the run), and what crossed the wire per simulated iteration.
struct UpSummary {
    /// Wall time of each phase.
    struct Phases {
        /// Starting the worker processes (zero for a pool's or attached workers).
        var spawn: Duration
        /// From the end of spawning until every worker had registered and taken its configuration.
        var registration: Duration
        /// The simulation of every policy, mirror checks included.
        var run: Duration
    }

    var workers: Int
    /// Workers the run waited for before it started (the others — mirrors — registered meanwhile).
    var waitedFor: Int
    /// "started for the run", "the pool's in DIR", "attached at ENDPOINT".
    var origin: String
    var phases: Phases
    var coordinator: Coordinator.Statistics
    var service: ClusterCostService.Statistics
    /// Simulated iterations over every policy.
    var iterations: Int
    var restarts: Int

    var line: String {
        let messages = coordinator.messagesSent + coordinator.messagesReceived
        let bytes = coordinator.bytesSent + coordinator.bytesReceived
        let perIteration = iterations > 0 ? Double(messages) / Double(iterations) : 0
        let perMessage = messages > 0 ? bytes / messages : 0
        var line =
            "triad up: \(workers) workers ready in \(Self.milliseconds(phases.spawn + phases.registration)) ms (\(origin)\(waitedFor < workers ? "; the run waited for \(waitedFor), the \(workers - waitedFor) mirroring them registered meanwhile" : ""): spawn \(Self.milliseconds(phases.spawn)) ms, registration \(Self.milliseconds(phases.registration)) ms); run \(Self.milliseconds(phases.run)) ms; \(iterations) simulated iterations, \(messages) messages (\(Self.fixed(perIteration)) per iteration, \(perMessage) bytes per message), \(service.waitingCalls) of \(service.calls) cost calls waited for a worker, \(service.mirrorRequests) mirror requests; \(coordinator.requests) requests, \(coordinator.messagesSent) sent, \(coordinator.messagesReceived) received, \(coordinator.resent) re-sent, \(coordinator.duplicateReplies) duplicate replies discarded, \(restarts) restarts"
        for death in coordinator.deaths {
            line += "; \(death.device) declared dead after \(death.silentMilliseconds) ms silent"
        }
        for recovery in coordinator.recoveries {
            line += "; \(recovery.device) replaced in \(recovery.milliseconds) ms"
        }
        return line
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + (attoseconds + 500_000_000_000_000) / 1_000_000_000_000_000
    }

    static func fixed(_ value: Double) -> String {
        let hundredths = Int64((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
