import Foundation
public import Logging
import TriadCore
import TriadDevices
public import TriadTransport
public import TriadWire

/// A device worker: connects to the coordinator through a `Transport` and drives a `WorkerSession` with what
/// arrives, what happens to the connection and the time, carrying out the actions it returns (sends, logs, a
/// fresh socket). Runs on the calling thread until stopped, told to disconnect (one-shot) or refused (then
/// `run()` throws `WorkerRefusal`).
public final class WorkerLoop {
    public struct Configuration: Sendable {
        public var endpoint: String
        public var deviceID: String
        /// The timings before a coordinator announces its own (then the worker follows those).
        public var timings = SessionTimings.defaults
        public var curve: CurveClientKeys?
        /// Whether to stop when the coordinator says the run is over (one-shot); otherwise the worker waits
        /// for the next coordinator on the same endpoint, as a daemon.
        public var servesOnce = true
        /// A `triad pool`'s worker: waits between runs in the pool's listening queue, quietly (`WorkerSession.pooled`).
        public var pooled = false

        public init(endpoint: String, deviceID: String, curve: CurveClientKeys? = nil) {
            self.endpoint = endpoint
            self.deviceID = deviceID
            self.curve = curve
        }
    }

    public let configuration: Configuration
    let logger: Logger
    private let stop: StopSignal
    private let transport: any Transport
    /// Wall-clock milliseconds for heartbeats and the coordinator's liveness (a manual clock in tests).
    let clock: any ClusterClock
    private var session: WorkerSession
    private var socket: (any ConnectedSocket)?
    private var rejections = RejectionCounter()
    private var refusal: WorkerRefusal?

    public init(
        configuration: Configuration, logger: Logger, stop: StopSignal, transport: any Transport,
        clock: any ClusterClock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.stop = stop
        self.transport = transport
        session = WorkerSession(
            deviceID: configuration.deviceID, endpoint: configuration.endpoint,
            instance: "\(ProcessInfo.processInfo.hostName):\(getpid())", servesOnce: configuration.servesOnce,
            timings: configuration.timings, pooled: configuration.pooled)
    }

    /// Rejected input so far by code.
    public var rejectionSummary: String { rejections.summary }
    /// Fresh sockets made after the connection was lost for good.
    public var reconnects: Int { session.reconnects }
    /// Requests answered.
    public var answered: Int { session.answered }
    /// The timings in force (the coordinator's once registered).
    public var timings: SessionTimings { session.timings }

    /// Serves until `stop` is raised or the session ends; throws `WorkerRefusal` when the coordinator will not
    /// take this worker.
    public func run() throws {
        socket = try connect()
        perform(session.start(now: clock.milliseconds()))
        let limits = FrameLimits(maximumFrames: 1, maximumBytes: WireProtocol.maximumMessageBytes)
        while !stop.isRaised && !session.isFinished {
            guard let socket else { break }
            // A pool's worker serving a run reads the end of its connection at once (then it queues its registration
            // for the next run); waiting, it wakes for messages only.
            let received = try socket.receive(
                timeoutMilliseconds: Int(session.timings.heartbeatMilliseconds), limits: limits,
                wakingOnEvents: configuration.pooled && !session.isWaiting)
            let now = clock.milliseconds()
            perform(session.connection(socket.connectionEvents(), now: now))
            switch received {
            case .message(let frames, _)?:
                perform(session.received(frames[0], now: now))
            case .rejected(let violation, _)?:
                perform(session.receivedOversize(violation == .oversize ? .oversize : .tooManyFrames, now: now))
            case nil:
                break
            }
            try performTick(session.tick(now: clock.milliseconds()))
        }
        perform(session.shutdown(now: clock.milliseconds()))
        logger.info(
            "worker stopped",
            metadata: [
                "device": "\(configuration.deviceID)", "answered": "\(session.answered)",
                "rejected": "\(rejections.summary)",
            ])
        socket?.close(lingerMilliseconds: refusal == nil ? 1000 : 0)
        socket = nil
        if let refusal { throw refusal }
    }

    private func connect() throws -> any ConnectedSocket {
        try transport.connect(
            to: configuration.endpoint, maximumMessageBytes: WireProtocol.maximumMessageBytes,
            security: configuration.curve, patient: configuration.pooled)
    }

    /// Carries out a tick's actions; a reconnect replaces the socket and lets the session register on it.
    private func performTick(_ actions: [WorkerSession.Action]) throws {
        for action in actions {
            if case .reconnect = action {
                socket?.close(lingerMilliseconds: 0)
                socket = try connect()
                perform(session.reconnected(now: clock.milliseconds()))
            } else {
                perform([action])
            }
        }
    }

    private func perform(_ actions: [WorkerSession.Action]) {
        for action in actions {
            switch action {
            case .send(let envelope):
                _ = try? socket?.send([WireProtocol.encode(envelope)])
            case .reject(let error):
                rejections.reject(error, peer: "coordinator", logger: logger)
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            case .finish(let refused):
                refusal = refused
            case .reconnect:
                // Only ticks ask for a fresh socket (performTick).
                break
            }
        }
    }
}
