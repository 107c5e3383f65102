import TriadSetup
public import Foundation

/// Starts one `triad worker` process per device on loopback, restarts a worker the coordinator declared
/// dead (after killing what is left of it), and stops them all at the end or on a signal.
public final class WorkerSupervisor: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [String: Process] = [:]
    private let executable: URL
    private let endpoint: String
    private let logLevel: String
    private let pidDirectory: String?
    /// Devices served by another program than `triad worker` (a topology's `worker:`), with the same arguments.
    private let programs: [String: URL]
    public private(set) var restarts = 0

    public init(endpoint: String, logLevel: String, pidDirectory: String?, programs: [String: URL] = [:]) {
        executable =
            Bundle.main.executableURL?.resolvingSymlinksInPath() ?? URL(fileURLWithPath: CommandLine.arguments[0])
        self.programs = programs
        self.endpoint = endpoint
        self.logLevel = logLevel
        self.pidDirectory = pidDirectory
    }

    public func start(device: String) throws {
        let process = Process()
        process.executableURL = programs[device] ?? executable
        process.arguments = [
            "worker", "--connect", endpoint, "--device", device, "--once", "--exit-with-parent", "--log-level",
            logLevel,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
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

    /// Asks every worker to stop (SIGTERM), waits up to `grace` seconds, then kills the rest.
    public func stopAll(grace: TimeInterval) {
        lock.lock()
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
