import TriadSetup
import ArgumentParser
import Foundation
import TriadCore
import TriadScheduling
import TriadStudy

/// `triad capacity TOPOLOGY --slo-ttft-ms X --slo-tpot-ms Y`: the highest arrival rate each policy serves within
/// the SLO (docs/MODEL.md §9.2).
struct CapacityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Find the highest arrival rate that meets a latency SLO (bisection over seeded serving runs).")

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated policies (the table's ratios are over the first).")
    var policies: String = "npu-only,neupims"

    @Option(parsing: .unconditional, help: "Percentile both latencies must meet (0 < p ≤ 100).")
    var percentile: Double = 99

    @Option(
        parsing: .unconditional,
        help: "Instead of a percentile: the share of requests (0 < a ≤ 1) that must meet both SLOs.")
    var attainment: Double?

    @Option(parsing: .unconditional, help: "Seeds (1, 2, … N): each gives one capacity; the interval is over them (the curves use the first 3).")
    var seeds: Int = 10

    @Option(parsing: .unconditional, help: "Requests per run (the first 10 % are left out of its figures).")
    var requests: Int = 1_000

    @Option(parsing: .unconditional, help: "Stop a seed's bisection when its bracket is this narrow (relative).")
    var precision: Double = 0.01

    @Option(parsing: .unconditional, help: "Runs simulated at once (default: the cores).")
    var jobs: Int?

    @Option(help: "Write capacity.json, curve.csv and report.html (latency-vs-rate charts) into this directory.")
    var out: String?

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        try OptionRange.check(percentile, 1e-9...100, "--percentile")
        if let attainment { try OptionRange.check(attainment, 1e-9...1, "--attainment") }
        try OptionRange.check(seeds, 1...64, "--seeds")
        try OptionRange.check(requests, 20...10_000_000, "--requests")
        try OptionRange.check(precision, 1e-4...1, "--precision")
        if let jobs { try OptionRange.check(jobs, 1...256, "--jobs") }
    }

    func run() throws {
        guard options.serving.arrivalRate == nil else {
            throw InputError("triad: capacity chooses the arrival rate; drop --arrival-rate")
        }
        guard options.serving.sloTtftMs != nil || options.serving.sloTpotMs != nil else {
            throw InputError("triad: capacity needs an SLO: give --slo-ttft-ms and/or --slo-tpot-ms")
        }
        if case .trace = try Inputs.workload(options.workload) {
            throw InputError("triad: capacity draws Poisson arrivals; give a length distribution (sharegpt, alpaca, fixed:IN:OUT), not a trace")
        }
        let list = try Inputs.policies(policies)
        if let out { try OutputDirectory(path: out).prepare() }
        var (inputs, experiment) = try options.load()
        // Capacity is a serving question: without --prefill, prompts are prefilled whole.
        if experiment.serving.prefill == .none { experiment.serving.prefill = .whole }
        var criterion = CapacityCriterion(
            ttftLimitMilliseconds: options.serving.sloTtftMs, tpotLimitMilliseconds: options.serving.sloTpotMs)
        criterion.percentile = percentile
        criterion.attainment = attainment
        let prefill =
            experiment.prefillPool.map { "prefill on \($0.instances.count) prefill groups" }
            ?? "prefill \(experiment.serving.prefill.name)"
        let subject =
            "\(options.topology) · \(options.model) · \(options.workload) · batch ≤ \(experiment.batch) · \(prefill)"
            + (experiment.replicas > 1 ? " · \(experiment.replicas) replicas (\(experiment.router.rawValue))" : "")
        var outcomes: [CapacitySearch.Outcome] = []
        var heading = ""
        var first: CapacitySearch?
        for policy in list {
            var search = CapacitySearch(experiment: experiment, policy: policy, criterion: criterion)
            search.seeds = (1...seeds).map(UInt64.init)
            search.requests = requests
            search.precision = precision
            search.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
            if first == nil {
                first = search
                heading = CapacityReport.heading(subject, search: search)
                if !quiet { FileHandle.standardError.write(Data("capacity: \(heading)\n".utf8)) }
            }
            let quiet = self.quiet
            let outcome = try RunArtifacts.locatingErrors(in: inputs.topology, path: options.topology) {
                try search.run { line in
                    if !quiet { FileHandle.standardError.write(Data("capacity: \(line)\n".utf8)) }
                }
            }
            outcomes.append(outcome)
        }
        let subjectMembers = [
            JSON.Member("topology", .string(options.topology)), JSON.Member("model", .string(options.model)),
            JSON.Member("workload", .string(options.workload)), JSON.Member("batch", .integer(Int64(experiment.batch))),
            JSON.Member(
                "prefill",
                .string(experiment.prefillPool.map { "\($0.instances.count) prefill groups" } ?? experiment.serving.prefill.name)),
            JSON.Member("replicas", .integer(Int64(experiment.replicas))),
        ]
        let json = CapacityReport.json(outcomes, search: first!, subject: subjectMembers)
        if let out {
            let directory = OutputDirectory(path: out)
            try directory.prepare()
            _ = try directory.write(json, to: "capacity.json")
            _ = try directory.write(CapacityReport.csv(outcomes), to: "curve.csv")
            _ = try directory.write(CapacityReport.html(outcomes, heading: heading), to: "report.html")
        }
        switch options.format {
        case .json: print(json, terminator: "")
        case .table: print("capacity: \(heading)\n\n" + CapacityReport.table(outcomes), terminator: "")
        }
    }
}
