import Foundation
import Testing
import TriadTestSupport

/// `triad sweep` as a user runs it: killed with SIGKILL part-way, resumed, and compared byte for byte with an
/// uninterrupted sweep; the resumed sweep recomputes only what the journal lacks.
@Suite(.integrationTier, .tags(.integration, .process, .fault))
struct SweepResumeProcessTests {
    static let spec = SweepFixtures.spec

    static func directory(_ name: String) -> URL { SweepFixtures.directory(name) }

    @Test func killedSweepResumesToTheSameOutputs() throws {
        let root = Self.directory("root")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let specFile = root.appendingPathComponent("spec.yaml")
        try Self.spec.write(to: specFile, atomically: true, encoding: .utf8)
        let whole = root.appendingPathComponent("whole")
        let cut = root.appendingPathComponent("cut")
        let reference = try TriadProcess.run(["sweep", specFile.path, "--out", whole.path, "--quiet"])
        #expect(reference.status == 0, "\(reference.error)")

        // Start again elsewhere and kill it once a part of the runs is in the journal.
        let process = Process()
        process.executableURL = TriadPaths.executable
        process.arguments = ["sweep", specFile.path, "--out", cut.path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let journal = cut.appendingPathComponent("journal.jsonl")
        let deadline = Date().addingTimeInterval(600)
        var lines = 0
        while Date() < deadline && process.isRunning {
            lines = ((try? String(contentsOf: journal, encoding: .utf8)) ?? "").split(separator: "\n").count
            if lines > 40 { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = ((try? String(contentsOf: journal, encoding: .utf8)) ?? "").split(separator: "\n").count - 1
        #expect(kept >= 40 && kept < 144, "the kill came at \(kept) of 144 runs")

        let again = try TriadProcess.run(["sweep", specFile.path, "--out", cut.path, "--quiet"])
        #expect(again.status == 2 && again.error.contains("--resume"), "\(again.error)")
        let resumed = try TriadProcess.run(["sweep", specFile.path, "--out", cut.path, "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.error)")
        // Every run the journal kept came from it (a line cut by the kill is not counted as kept).
        #expect(resumed.output.contains("(\(kept) from the journal, \(144 - kept) simulated"), "\(resumed.output)")
        for name in ["sweep.csv", "sweep.jsonl", "report.html"] {
            let a = try Data(contentsOf: whole.appendingPathComponent(name))
            let b = try Data(contentsOf: cut.appendingPathComponent(name))
            #expect(a == b, "\(name) differs after resume")
        }
        let journalLines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
        #expect(journalLines.count == 145)
        #expect(Set(journalLines.dropFirst()).count == 144)
    }
}
