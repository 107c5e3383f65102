import TriadTestSupport
import Foundation

/// Runs the real `triad` binary on generated bad input, several processes at a time, each under a memory
/// and CPU limit and a wall-clock deadline, and judges what a user would see.
struct HostileInputRunner {
    /// One generated invocation: the arguments, and files (relative name → contents) it reads.
    struct Case: Sendable {
        var surface: String
        var label: String
        var arguments: [String]
        var files: [String: String] = [:]
        /// Whether a successful run prints JSON (checked to be a report).
        var expectsJSON = true
    }

    /// What went wrong with one case, if anything.
    struct Finding: Sendable, CustomStringConvertible {
        var surface: String
        var label: String
        var problem: String
        var description: String { "[\(surface)] \(label): \(problem)" }
    }

    /// Virtual memory limit per process, KiB (4 GB), CPU seconds and wall seconds.
    static let memoryKiB = 4_000_000
    static let cpuSeconds = 120
    static let wallSeconds = 90.0

    /// Runs `cases` (at most `parallel` at once) in a fresh directory; returns the findings and the count
    /// of cases per surface.
    static func run(_ cases: [Case], parallel: Int = 4) throws -> (findings: [Finding], counts: [String: Int]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "triad-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let results = Locked<[Finding]>([])
        let next = Locked(0)
        let group = DispatchGroup()
        for worker in 0..<parallel {
            group.enter()
            Thread {
                defer { group.leave() }
                while true {
                    let index: Int = next.update { value in
                        defer { value += 1 }
                        return value
                    }
                    guard index < cases.count else { return }
                    let folder = directory.appendingPathComponent("w\(worker)-\(index)")
                    if let finding = judge(cases[index], in: folder) { results.update { $0.append(finding) } }
                    try? FileManager.default.removeItem(at: folder)
                }
            }.start()
        }
        group.wait()
        var counts: [String: Int] = [:]
        for item in cases { counts[item.surface, default: 0] += 1 }
        return (results.value, counts)
    }

    static func judge(_ item: Case, in folder: URL) -> Finding? {
        func finding(_ problem: String) -> Finding {
            Finding(surface: item.surface, label: item.label, problem: problem)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, contents) in item.files {
                try contents.replacingOccurrences(of: "@ROOT@", with: TriadPaths.packageRoot.path)
                    .write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
            }
        } catch {
            return finding("could not write its files: \(error)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments =
            ["-c", "ulimit -v \(memoryKiB); ulimit -t \(cpuSeconds); exec \"$0\" \"$@\"", TriadPaths.executable.path]
            + item.arguments.map { $0.replacingOccurrences(of: "@ROOT@", with: TriadPaths.packageRoot.path) }
        process.currentDirectoryURL = folder
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let outputData = Locked(Data())
        let errorData = Locked(Data())
        let reading = DispatchGroup()
        do { try process.run() } catch { return finding("could not start: \(error)") }
        for (pipe, store) in [(output, outputData), (error, errorData)] {
            reading.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                store.update { $0 = data }
                reading.leave()
            }
        }
        let deadline = Date().addingTimeInterval(wallSeconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            reading.wait()
            return finding("still running after \(Int(wallSeconds)) s")
        }
        process.waitUntilExit()
        reading.wait()
        let stderr = String(decoding: errorData.value, as: UTF8.self)
        let stdout = String(decoding: outputData.value, as: UTF8.self)
        if process.terminationReason == .uncaughtSignal {
            return finding("killed by signal \(process.terminationStatus): \(stderr.prefix(300))")
        }
        let status = process.terminationStatus
        for marker in ["Fatal error", "NSCocoaErrorDomain", "Swift runtime failure", "DecodingError", "Error Domain="]
        where stderr.contains(marker) {
            return finding("stderr shows '\(marker)': \(stderr.prefix(300))")
        }
        switch status {
        case 0:
            guard item.expectsJSON else { return nil }
            guard let data = stdout.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["triad_version"] != nil
            else { return finding("exit 0 without a JSON report: \(stdout.prefix(200))") }
            return nil
        case 1, 2:
            let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
            guard stderr.hasSuffix("\n"), lines.count == 2, !lines[0].isEmpty else {
                return finding("exit \(status) with \(lines.count - 1) stderr lines: \(stderr.prefix(300))")
            }
            guard lines[0].count <= 1000 else { return finding("a \(lines[0].count)-character error line") }
            return nil
        default:
            return finding("exit \(status): \(stderr.prefix(300))")
        }
    }
}

/// A value shared between threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
