public import Foundation
public import TriadCore
public import TriadScheduling
public import TriadTopology

/// What a run checks before it starts and leaves behind after it ends, beside its report: lengths that must fit,
/// warnings about what it changed, the Perfetto timeline and the per-request CSV. One place for every command.
public enum RunArtifacts {
    /// Lengths the user gave explicitly must fit `maxSequence`: a fixed workload's IN + OUT, and every trace
    /// prompt (a trace request whose output runs past it is shortened, counted in `capped_requests` and warned
    /// about). Sampled data sets are capped as NeuPIMs caps them, counted, without a warning.
    public static func checkLengths(_ stream: RequestStream, maxSequence: Int) throws {
        switch stream {
        case .fixed(let input, let output) where input + output > maxSequence:
            throw InputError(
                "triad: --workload fixed:\(input):\(output) is \(input + output) tokens, longer than --max-sequence \(maxSequence)"
            )
        case .trace(let name, let requests):
            if let long = requests.first(where: { $0.inputTokens >= maxSequence }) {
                throw InputError(
                    "triad: \(name): request \(long.id + 1) has a \(long.inputTokens)-token prompt; --max-sequence \(maxSequence) leaves no room to decode (raise it)"
                )
            }
        default:
            break
        }
    }

    /// One line per thing a report decoded differently from what was asked: a trace that ran out, a batch the KV
    /// capacity kept small, a run too short for a steady state, trace requests shortened to `maxSequence`.
    public static func warnings(_ reports: [RunReport], experiment: Experiment) -> [String] {
        var lines: [String] = []
        for report in reports {
            if report.iterations < experiment.iterations {
                lines.append(
                    "\(report.policy): the trace ran out after \(report.iterations) of --iterations \(experiment.iterations) (the report counts \(report.iterations))"
                )
            }
            if report.kvLimitedFraction > 0 {
                lines.append(
                    "\(report.policy): the KV cache held the batch below --batch \(report.batch) in \(percent(report.kvLimitedFraction)) of iterations (mean \(String(format: "%.1f", report.meanActiveRequests)) requests; kv_limited_fraction)"
                )
            }
            if report.isTooShort, !experiment.workload.isFinite {
                lines.append(
                    "\(report.policy): \(report.iterations) iterations are short for a steady state (the batch turned over \(String(format: "%.1f", report.turnovers))×; throughput ±\(percent(report.steadyStateSpread)) over the run's twentieths; steady_state): raise --iterations"
                )
            }
            if let serving = report.serving, serving.overloaded {
                lines.append(
                    "\(report.policy): overloaded — the queue grew all run (queueing delay +\(String(format: "%.3f", serving.queueingSlope)) s per s of arrivals; overloaded): requests arrive faster than they are served, so TTFT and E2E grow with the run's length; lower --arrival-rate or see triad capacity"
                )
            }
            if report.cappedRequests > 0, case .trace = experiment.workload {
                lines.append(
                    "\(report.policy): \(report.cappedRequests) requests were longer than --max-sequence \(experiment.maxSequence) and were shortened to it (capped_requests)"
                )
            }
        }
        return lines
    }

    /// Writes every policy's timeline to `path` as Chrome trace JSON (opens in Perfetto).
    public static func writeTimeline(_ outcome: Experiment.Outcome, to path: String) throws {
        try OutputFile(path, flag: "--trace").write(
            TimelineEvent.chromeTrace(outcome.timelines.map { ($0.policy, $0.events) }))
    }

    /// Writes every policy's finished requests to `path`, one CSV row each.
    public static func writeRequests(_ reports: [RunReport], to path: String) throws {
        var text = "policy," + RequestRecord.csvHeader + "\n"
        for report in reports {
            for record in report.requestRecords { text += CSV.line([report.policy]) + "," + record.csvRow + "\n" }
        }
        try OutputFile(path, flag: "--requests-out").write(text)
    }

    /// `body`'s simulation errors as bad input at the topology line they are about (exit 2).
    public static func locatingErrors<T>(in topology: Topology, path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SimulationError {
            throw Inputs.located(error, in: topology, path: path)
        }
    }

    private static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
}
