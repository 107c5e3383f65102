import TriadSetup
public import Foundation

/// Starts one `triad worker` process per device on loopback, restarts a worker the coordinator declared
/// dead (after killing what is left of it), and stops them all at the end or on a signal.
public final class WorkerSupervisor: @unchecked Sendable {
    /// What the workers are for.
    public enum Mode: Sendable {
        /// One run (`triad up`): each worker exits when the run is over or its parent dies.
        case oneRun
        /// A `triad pool`: daemons that serve run after run (`triad worker --pool`), each logging to
        /// `logs/<device>.log`, started again when one exits on its own.
        case pool(logs: String)
    }

    private let lock = NSLock()
    private let mode: Mode
    /// Set once `stopAll` begins: exits are no longer answered with restarts.
    private var stopping = false
    /// Pool mode: whether a worker that exits is started again at once. Off while a run is attached (the run's
    /// coordinator asks for restarts itself, `restart(device:)`, and two restarts of one death would race).
    private var restartingOnExit = true
    private var processes: [String: Process] = [:]
    private let executable: URL
    private let endpoint: String
    private let logLevel: String
    private let pidDirectory: String?
    /// Devices served by another program than `triad worker` (a topology's `worker:`), with the same arguments.
    private let programs: [String: URL]
    public private(set) var restarts = 0

    public init(
        endpoint: String, logLevel: String, pidDirectory: String?, programs: [String: URL] = [:], mode: Mode = .oneRun
    ) {
        self.mode = mode
        executable =
            Bundle.main.executableURL?.resolvingSymlinksInPath() ?? URL(fileURLWithPath: CommandLine.arguments[0])
        self.programs = programs
        self.endpoint = endpoint
        self.logLevel = logLevel
        self.pidDirectory = pidDirectory
    }

    /// Starts a worker for each of `devices`, spawning from as many threads as there are cores.
    public func start(devices: [String]) throws {
        let failure = NSLock()
        nonisolated(unsafe) var first: (any Error)?
        DispatchQueue.concurrentPerform(iterations: devices.count) { index in
            do {
                try start(device: devices[index])
            } catch {
                failure.lock()
                if first == nil { first = error }
                failure.unlock()
            }
        }
        if let first { throw first }
    }

    public func start(device: String) throws {
        let process = Process()
        process.executableURL = programs[device] ?? executable
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        switch mode {
        case .oneRun:
            process.arguments = [
                "worker", "--connect", endpoint, "--device", device, "--once", "--exit-with-parent", "--log-level",
                logLevel,
            ]
        case .pool(let logs):
            process.arguments = [
                "worker", "--connect", endpoint, "--device", device, "--pool", "--exit-with-parent", "--log-level",
                logLevel,
            ]
            let log = logs + "/\(device).log"
            if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
            if let handle = FileHandle(forWritingAtPath: log) {
                handle.seekToEndOfFile()
                process.standardError = handle
            }
            process.terminationHandler = { [weak self] ended in self?.exited(device, process: ended) }
        }
        do {
            try process.run()
        } catch {
            throw RunFailure(message: "cannot start a worker for \(device): \(error.localizedDescription)")
        }
        lock.lock()
        processes[device] = process
        lock.unlock()
        if let pidDirectory {
            // The pid file follows the output rules (written through, never replacing a link or a special
            // file); it is a testing aid, so a failure to write it is logged, not fatal.
            do {
                try OutputFile(pidDirectory + "/\(device).pid", flag: "--pid-directory").write(
                    "\(process.processIdentifier)\n")
            } catch {
                FileHandle.standardError.write(Data("triad: warning: no pid file for \(device): \(error)\n".utf8))
            }
        }
    }

    /// A pool's worker ended: started again 50 ms later, unless the pool is stopping or the worker was replaced
    /// meanwhile.
    private func exited(_ device: String, process: Process) {
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let still = self.processes[device] === process && !self.stopping && self.restartingOnExit
            if still { self.restarts += 1 }
            self.lock.unlock()
            if still { try? self.start(device: device) }
        }
    }

    /// Pool mode: whether workers that exit are started again (`restartingOnExit`); turning it on starts every
    /// worker found exited meanwhile.
    public func restartOnExit(_ on: Bool) {
        lock.lock()
        restartingOnExit = on
        let exited = on && !stopping ? processes.filter { !$0.value.isRunning }.map(\.key).sorted() : []
        restarts += exited.count
        lock.unlock()
        for device in exited { try? start(device: device) }
    }

    /// Processes running now.
    public var running: Int {
        lock.lock()
        defer { lock.unlock() }
        return processes.values.filter(\.isRunning).count
    }

    /// Kills whatever is left of `device`'s worker (even a stopped one) and starts a new one.
    public func restart(device: String) {
        lock.lock()
        let old = processes[device]
        restarts += 1
        lock.unlock()
        if let old, old.isRunning {
            kill(old.processIdentifier, SIGKILL)
            kill(old.processIdentifier, SIGCONT)
            old.waitUntilExit()
        }
        try? start(device: device)
    }

    /// Asks the workers of `devices` to stop (SIGTERM), without waiting.
    public func terminate(devices: [String]) {
        lock.lock()
        let chosen = devices.compactMap { processes[$0] }
        lock.unlock()
        for process in chosen where process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Asks every worker to stop (SIGTERM), waits up to `grace` seconds, then kills the rest.
    public func stopAll(grace: TimeInterval) {
        lock.lock()
        stopping = true
        let all = Array(processes.values)
        lock.unlock()
        for process in all where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while all.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        for process in all where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits up to `grace` seconds for workers told to disconnect to exit on their own, then stops the rest.
    public func waitForExit(grace: TimeInterval) {
        lock.lock()
        let all = Array(processes.values)
        lock.unlock()
        let deadline = Date().addingTimeInterval(grace)
        while all.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        stopAll(grace: 1)
    }
}
