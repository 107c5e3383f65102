import Foundation
import TriadCore
import TriadSetup
import TriadTopology

/// Runs a sweep from its spec file: loads and checks everything first, journals each run as it finishes (a
/// killed sweep resumes from the journal and loses only the runs in flight), then writes sweep.csv,
/// sweep.jsonl and report.html. What `triad sweep` does, as a library call.
public struct SweepRunner {
    public var specPath: String
    /// Directory for the journal and the outputs (nil: triad-output/NAME).
    public var outputDirectory: String?
    /// Continue from the journal in the output directory.
    public var resumes = false
    /// Discard the journal and start over.
    public var restarts = false
    /// Runs simulated at once.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// A progress line with an ETA on stderr.
    public var showsProgress = false

    public init(specPath: String) { self.specPath = specPath }

    /// What a finished sweep did.
    public struct Summary: Sendable {
        public var name: String
        public var points: Int
        public var seeds: Int
        public var runs: Int
        public var fromJournal: Int
        public var simulated: Int
        public var wallSeconds: Double
        public var threads: Int
        /// Paths of the files written.
        public var written: [String]
        /// Points that could not be simulated, and points too short for a steady state.
        public var failedPoints: Int
        public var shortPoints: Int

        /// The line a user reads first.
        public var headline: String {
            "\(name): \(points) points × \(seeds) seeds = \(runs) runs (\(fromJournal) from the journal, \(simulated) simulated in \(String(format: "%.1f", wallSeconds)) s on \(threads) threads)"
        }
    }

    public func run() throws -> Summary {
        let text = try InputFile.read(specPath, what: "sweep spec", location: ":1:1")
        let sweep: SweepSpec
        do {
            sweep = try SweepSpecParser.parse(text, file: specPath)
        } catch {
            throw InputError(error.description)
        }
        let runs = sweep.runs
        let contexts = try SweepContexts(sweep)
        let directory =
            outputDirectory
            ?? "triad-output/" + sweep.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
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
            runs: pending, contexts: contexts, journal: handle, progress: showsProgress, label: sweep.name,
            alreadyDone: runs.count - pending.count, total: runs.count)
        let start = Date()
        _ = try executor.execute(jobs: jobs)
        try handle.close()
        let wall = Date().timeIntervalSince(start)
        let contents = try readJournal(journalPath)
        let points = SweepPoint.summarise(runs, results: contents.results, baseline: sweep.baseline)
        let written = [
            try files.write(SweepOutput.csv(points), to: "sweep.csv"),
            try files.write(SweepOutput.jsonLines(points), to: "sweep.jsonl"),
            try files.write(SweepReport.html(points, spec: sweep), to: "report.html"),
        ]
        return Summary(
            name: sweep.name, points: points.count, seeds: sweep.seeds.count, runs: runs.count,
            fromJournal: runs.count - pending.count, simulated: pending.count, wallSeconds: wall, threads: jobs,
            written: written, failedPoints: points.filter { $0.error != nil }.count,
            shortPoints: points.filter(\.isTooShort).count)
    }

    /// Opens (or creates) the journal: the runs it already holds, after cutting a partial last line.
    private func openJournal(_ path: String, header: String, runs: [SweepRun]) throws -> [String: RunMetrics] {
        let exists = FileManager.default.fileExists(atPath: path)
        if exists && !resumes && !restarts {
            let held = (try? readJournal(path).results.count) ?? 0
            throw InputError(
                "triad: \(path) holds \(held) of this sweep's runs: --resume to finish it, or --restart to start over")
        }
        if exists && resumes {
            let contents = try readJournal(path)
            guard contents.runsHash == SweepJournal.hash(runs) else {
                throw InputError(
                    "triad: \(path) is the journal of another grid (the spec changed): --restart to start over")
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
}
