public import Foundation

/// Where the package and the `triad` binary under test are.
public enum TriadPaths {
    /// The package's root folder (tests run the binary from there, so `Topologies/…` resolves).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `triad` binary built beside the test bundle.
    public static var executable: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("triad"),
            packageRoot.appendingPathComponent(".build/debug/triad"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }

    /// A fresh, empty temporary folder named after `name` (the caller removes it).
    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "triad-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// What a finished process left: its exit status and everything it printed.
public struct ProcessOutcome: Sendable {
    public var status: Int32
    public var output: String
    public var error: String

    public init(status: Int32, output: String, error: String) {
        self.status = status
        self.output = output
        self.error = error
    }
}

/// A started process (by default `triad`) whose standard output is collected in the background and whose
/// standard error can be watched line by line: tests wait for what a process says (an endpoint bound, a worker
/// configured, a worker declared dead) with a deadline, never for a fixed time.
public final class TriadProcess: @unchecked Sendable {
    public let process = Process()
    private let outputPipe = Pipe()
    private let errorPipe = Pipe()
    private let condition = NSCondition()
    private var outputData = Data()
    private var errorData = Data()
    private var errorClosed = false
    private let readers = DispatchGroup()

    /// Starts `program` (the `triad` binary unless given) with `arguments` in the package root.
    public init(_ arguments: [String], program: URL = TriadPaths.executable) throws {
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = TriadPaths.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        readers.enter()
        Thread { [self] in
            let data = outputPipe.fileHandleForReading.readDataToEndOfFile()
            condition.lock()
            outputData = data
            condition.unlock()
            readers.leave()
        }.start()
        readers.enter()
        Thread { [self] in
            let handle = errorPipe.fileHandleForReading
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { errorClosed = true } else { errorData.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { break }
            }
            readers.leave()
        }.start()
    }

    public var pid: pid_t { process.processIdentifier }

    /// Standard error so far.
    public var errorText: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: errorData, as: UTF8.self)
    }

    /// Waits until a complete line of standard error satisfies `matches`, the process closes standard error, or
    /// `seconds` pass; returns the first such line, if any. Lines already printed count.
    @discardableResult
    public func waitForLine(within seconds: Double = 120, where matches: (Substring) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: errorData, as: UTF8.self)
            let complete = text.hasSuffix("\n") ? text[...] : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
            if let line = complete.split(separator: "\n").first(where: matches) { return String(line) }
            if errorClosed { return nil }
            guard condition.wait(until: deadline) else { return nil }
        }
    }

    /// Waits until standard error has a line containing `text` (see `waitForLine(within:where:)`).
    @discardableResult
    public func waitForLine(containing text: String, within seconds: Double = 120) -> String? {
        waitForLine(within: seconds) { $0.contains(text) }
    }

    /// Waits at most `seconds` for the process to end, then kills it (a hung process fails its test instead of
    /// hanging the suite).
    public func wait(killingAfter seconds: Double) -> ProcessOutcome {
        let exited = DispatchSemaphore(value: 0)
        let process = self.process
        Thread {
            process.waitUntilExit()
            exited.signal()
        }.start()
        if exited.wait(timeout: .now() + seconds) == .timedOut { kill(process.processIdentifier, SIGKILL) }
        return wait()
    }

    /// Waits for the process to end and returns what it left.
    public func wait() -> ProcessOutcome {
        process.waitUntilExit()
        readers.wait()
        condition.lock()
        defer { condition.unlock() }
        return ProcessOutcome(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    /// Runs `triad` (or `program`) with `arguments` to the end.
    public static func run(_ arguments: [String], program: URL = TriadPaths.executable) throws -> ProcessOutcome {
        try TriadProcess(arguments, program: program).wait()
    }
}

extension TriadProcess {
    /// The endpoint a coordinator logged when it bound (it must run with `--log-level info` or lower), waiting
    /// for it at most `seconds`: tests bind port 0 and let the OS choose.
    public func boundEndpoint(within seconds: Double = 120) -> String? {
        guard let line = waitForLine(containing: "coordinator bound", within: seconds) else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("endpoint=") }.map { String($0.dropFirst(9)) }
    }

    /// Waits until a coordinator (this process, or `triad up`'s) logged that `device`'s worker took its
    /// configuration (at `--log-level info`).
    @discardableResult
    public func waitForConfigured(_ device: String, within seconds: Double = 120) -> Bool {
        waitForLine(within: seconds) { $0.contains("worker configured") && $0.contains("device=\(device)") } != nil
    }
}
