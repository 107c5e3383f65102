public import Foundation
import TriadTransport

/// The process behind a `triad pool`: it owns the pool's listening socket (where the workers wait between runs),
/// its workers (`WorkerSupervisor` in pool mode: started in parallel, started again when one exits) and a control
/// socket on which `triad pool status|stop` and `triad up --pool` talk to it. A run attaches by taking a copy of the
/// listening socket (at most one run at a time); the keeper restarts a worker the run declares dead; the run is over
/// when its control connection closes, whichever way its process ends. No ZeroMQ here: the keeper never accepts a
/// worker itself.
public final class PoolKeeper: @unchecked Sendable {
    public let directory: PoolDirectory
    public private(set) var description: PoolDescription
    private let listener: TCPListener
    private let supervisor: WorkerSupervisor
    private let control: ControlListener
    private let lock = NSLock()
    /// The pid of the attached run's process (0: none attached).
    private var attachedRun: Int32?
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the listening and control sockets in `directory` (prepared) and records what the pool serves; nothing
    /// is started yet.
    public init(
        directory: PoolDirectory, topology: String, topologyName: String, replicas: Int, devices: [String],
        logLevel: String
    ) throws {
        self.directory = directory
        listener = try TCPListener()
        control = try ControlListener(path: directory.controlPath)
        description = PoolDescription(
            endpoint: listener.endpoint, topology: topology, topologyName: topologyName, replicas: replicas,
            devices: devices, keeperPID: getpid())
        supervisor = WorkerSupervisor(
            endpoint: listener.endpoint, logLevel: logLevel, pidDirectory: directory.workersPath,
            mode: .pool(logs: directory.logsPath))
        try Data((description.line + "\n").utf8).write(to: URL(fileURLWithPath: directory.descriptionPath))
        try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: directory.keeperPIDPath))
    }

    /// Starts every worker (in parallel); they connect to the listening socket and wait there.
    public func startWorkers() throws {
        try supervisor.start(devices: description.devices)
    }

    /// Serves the control socket until the pool is stopped (`stop` on it, or `stop()`), then stops the workers and
    /// clears the state directory.
    public func serve() {
        let thread = Thread { [self] in
            while let connection = control.accept() {
                Thread { self.handle(connection) }.start()
            }
        }
        thread.name = "pool control"
        thread.start()
        finished.wait()
    }

    /// Stops the workers (SIGTERM, then SIGKILL after a grace second), closes the sockets, clears the state
    /// directory and lets `serve` return. Idempotent.
    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        supervisor.stopAll(grace: 2)
        control.close()
        listener.close()
        directory.clear()
        finished.signal()
    }

    // MARK: Control

    /// One control connection: `info`, `attach` (then `restart DEVICE` lines until it closes) or `stop`.
    private func handle(_ connection: ControlSocket) {
        defer { connection.close() }
        guard let (request, _) = (try? connection.receiveLine()) ?? nil else { return }
        let words = request.split(separator: " ").map(String.init)
        switch words.first {
        case "info":
            try? connection.send(current.line)
        case "attach":
            attach(connection, pid: words.count > 1 ? Int32(words[1]) ?? 0 : 0)
        case "stop":
            stop()
            try? connection.send("stopped")
        default:
            try? connection.send("error unknown request")
        }
    }

    /// What the pool serves, with the workers running now and whether a run is attached.
    private var current: PoolDescription {
        var now = description
        now.running = supervisor.running
        now.restarts = supervisor.restarts
        lock.lock()
        now.attached = attachedRun != nil
        lock.unlock()
        return now
    }

    private func attach(_ connection: ControlSocket, pid: Int32) {
        lock.lock()
        if let run = attachedRun {
            lock.unlock()
            try? connection.send("busy \(run)")
            return
        }
        attachedRun = pid
        lock.unlock()
        // While a run is attached its coordinator judges deaths and asks for restarts.
        supervisor.restartOnExit(false)
        defer {
            lock.lock()
            attachedRun = nil
            lock.unlock()
            supervisor.restartOnExit(true)
        }
        do {
            let copy = try listener.duplicate()
            defer { close(copy) }
            try connection.send("ok " + current.line, handing: copy)
        } catch {
            return
        }
        // Until the run closes the connection: workers it declares dead are started again.
        while let (line, _) = (try? connection.receiveLine()) ?? nil {
            let words = line.split(separator: " ").map(String.init)
            if words.count == 2, words[0] == "restart", description.devices.contains(words[1]) {
                supervisor.restart(device: words[1])
            }
        }
    }
}
