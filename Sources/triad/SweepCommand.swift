import ArgumentParser
import Foundation
import TriadCore
import TriadStudy
import TriadTopology

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
        let text = try InputFile.read(spec, what: "sweep spec", location: ":1:1")
        let sweep: SweepSpec
        do {
            sweep = try SweepSpecParser.parse(text, file: spec)
        } catch let error as TopologyError {
            throw InputError(error.description)
        }
        let runs = sweep.runs
        let contexts = try SweepContexts(sweep)
        let directory = out ?? "triad-output/" + sweep.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
        let files = OutputDirectory(path: directory)
        try files.prepare()
        let journalPath = directory + "/journal.jsonl"
        let done = try openJournal(journalPath, header: SweepJournal.header(name: sweep.name, runs: runs), runs: runs)
        let pending = runs.filter { done[$0.key] == nil }
        guard let handle = FileHandle(forWritingAtPath: journalPath) else {
            throw RunFailure(message: "\(journalPath): cannot open the journal for writing")
        }
        try handle.seekToEnd()
        let executor = SweepExecutor(
            runs: pending, contexts: contexts, journal: handle, progress: !quiet && isatty(2) == 1, label: sweep.name,
            alreadyDone: runs.count - pending.count, total: runs.count)
        let start = Date()
        _ = try executor.execute(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        try handle.close()
        let wall = Date().timeIntervalSince(start)
        let contents = try readJournal(journalPath)
        let points = SweepPoint.summarise(runs, results: contents.results, baseline: sweep.baseline)
        var written = [
            try files.write(SweepOutput.csv(points), to: "sweep.csv"),
            try files.write(SweepOutput.jsonLines(points), to: "sweep.jsonl"),
        ]
        written.append(try files.write(SweepReport.html(points, spec: sweep), to: "report.html"))
        let failed = points.filter { $0.error != nil }.count
        let short = points.filter(\.isTooShort).count
        print(
            "\(sweep.name): \(points.count) points × \(sweep.seeds.count) seeds = \(runs.count) runs (\(runs.count - pending.count) from the journal, \(pending.count) simulated in \(String(format: "%.1f", wall)) s on \(jobs ?? ProcessInfo.processInfo.activeProcessorCount) threads)"
        )
        for path in written { print("  \(path)") }
        if failed > 0 {
            warn("\(failed) points could not be simulated (their `error` column says why)")
        }
        if short > 0 {
            warn(
                "\(short) of \(points.count) points are too short for a steady state (too_short: the batch turned over fewer than twice, or throughput spread more than ±\(Int(SweepPoint.spreadLimit * 100)) % within a run): raise iterations")
        }
    }

    /// Opens (or creates) the journal: the runs it already holds, after cutting a partial last line.
    private func openJournal(_ path: String, header: String, runs: [SweepRun]) throws -> [String: RunMetrics] {
        let exists = FileManager.default.fileExists(atPath: path)
        if exists && !resume && !restart {
            let held = (try? readJournal(path).results.count) ?? 0
            throw InputError(
                "triad: \(path) holds \(held) of this sweep's runs: --resume to finish it, or --restart to start over")
        }
        if exists && resume {
            let contents = try readJournal(path)
            guard contents.runsHash == SweepJournal.hash(runs) else {
                throw InputError("triad: \(path) is the journal of another grid (the spec changed): --restart to start over")
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw RunFailure(message: "\(path): cannot open the journal for writing")
            }
            try handle.truncate(atOffset: UInt64(contents.completeBytes))
            try handle.close()
            return contents.results
        }
        try OutputFile(path, flag: "--out").write(header + "\n")
        return [:]
    }

    private func readJournal(_ path: String) throws -> SweepJournal.Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunFailure(message: "\(path): cannot read the journal")
        }
        do {
            return try SweepJournal.read(data)
        } catch let problem as SweepJournal.Problem {
            throw InputError("triad: \(path): \(problem.message)")
        }
    }

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("triad: warning: \(line)\n".utf8))
    }
}
