import Dispatch
import Foundation
import Synchronization
import TriadCore
import TriadSetup

/// Runs a sweep's pending runs on `jobs` threads: each takes the next run, simulates it, and appends its line
/// to the journal the moment it finishes (one write per line, under a lock), so a kill loses only the runs in
/// flight. A progress line with an ETA goes to stderr when it is a terminal.
final class SweepExecutor: Sendable {
    private struct Shared {
        var next = 0
        var finished = 0
        var failed = 0
        var writeError: String?
    }

    private let runs: [SweepRun]
    private let contexts: SweepContexts
    private let journal: FileHandle
    private let shared = Mutex(Shared())
    private let progress: Bool
    private let label: String
    private let alreadyDone: Int
    private let total: Int

    init(
        runs: [SweepRun], contexts: SweepContexts, journal: FileHandle, progress: Bool, label: String, alreadyDone: Int,
        total: Int
    ) {
        self.runs = runs
        self.contexts = contexts
        self.journal = journal
        self.progress = progress
        self.label = label
        self.alreadyDone = alreadyDone
        self.total = total
    }

    /// Runs everything on `jobs` threads; returns how many runs failed to simulate.
    func execute(jobs: Int) throws -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, runs.count))) { _ in
            while let run = take() {
                let metrics = contexts.simulate(run)
                finish(metrics, start: start)
            }
        }
        if progress { FileHandle.standardError.write(Data("\n".utf8)) }
        return try shared.withLock { state in
            if let error = state.writeError { throw RunFailure(message: error) }
            return state.failed
        }
    }

    private func take() -> SweepRun? {
        shared.withLock { state in
            guard state.writeError == nil, state.next < runs.count else { return nil }
            defer { state.next += 1 }
            return runs[state.next]
        }
    }

    private func finish(_ metrics: RunMetrics, start: UInt64) {
        shared.withLock { state in
            do {
                try journal.write(contentsOf: Data((metrics.journalLine + "\n").utf8))
            } catch {
                state.writeError = "the sweep journal could not be written (\(error.localizedDescription.prefix(120)))"
                return
            }
            state.finished += 1
            if metrics.error != nil { state.failed += 1 }
            guard progress else { return }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let remaining = runs.count - state.finished
            let eta = elapsed / Double(state.finished) * Double(remaining)
            let done = alreadyDone + state.finished
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let failures = state.failed > 0 ? " · \(state.failed) failed" : ""
            let line =
                "\r\u{1B}[K\(label) \(bar) \(done)/\(total) runs · \(String(format: "%.1f", elapsed)) s · ETA \(String(format: "%.0f", eta)) s\(failures)"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
