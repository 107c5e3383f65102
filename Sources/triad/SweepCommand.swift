import TriadSetup
import ArgumentParser
import Foundation
import TriadCore
import TriadStudy

/// `triad sweep SPEC.yaml`: a grid of runs on all cores, journaled as they finish, summarised over seeds
/// (mean and 95 % confidence interval) into CSV, JSON Lines and an HTML report (docs/SWEEP.md).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of simulations from a spec on all cores; resumable after a kill (--resume).")

    @Argument(help: "Sweep spec (YAML, docs/SWEEP.md).")
    var spec: String

    @Option(help: "Directory for the journal and the outputs (default: triad-output/NAME).")
    var out: String?

    @Flag(help: "Continue the sweep in --out from its journal, running only the runs it lacks.")
    var resume = false

    @Flag(help: "Discard the journal in --out and start over.")
    var restart = false

    @Option(parsing: .unconditional, help: "Runs simulated at once (1…256; default: the cores).")
    var jobs: Int?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        if let jobs { try OptionRange.check(jobs, 1...256, "--jobs") }
        if resume && restart { throw InputError("triad: --resume and --restart exclude each other") }
    }

    func run() throws {
        var runner = SweepRunner(specPath: spec)
        runner.outputDirectory = out
        runner.resumes = resume
        runner.restarts = restart
        runner.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        runner.showsProgress = !quiet && isatty(2) == 1
        let summary = try runner.run()
        print(summary.headline)
        for path in summary.written { print("  \(path)") }
        if summary.failedPoints > 0 {
            warn("\(summary.failedPoints) points could not be simulated (their `error` column says why)")
        }
        if summary.shortPoints > 0 {
            warn(
                "\(summary.shortPoints) of \(summary.points) points are too short for a steady state (too_short: the batch turned over fewer than twice, or throughput spread more than ±\(Int(SweepPoint.spreadLimit * 100)) % within a run): raise iterations"
            )
        }
    }

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("triad: warning: \(line)\n".utf8))
    }
}
