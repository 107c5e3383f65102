import Foundation
public import Logging
public import TriadCore
public import TriadDevices
public import TriadTransport
public import TriadWire

/// The coordinator: listens through a `Transport` and drives a `CoordinatorSession` with what arrives, failed
/// sends and the time, carrying out the actions it returns. It registers and configures one worker per device and
/// turns each `evaluate` into one request, re-sent to a replacement if the worker dies; only the first reply
/// counts. It runs on the thread that drives the simulation; every socket call happens there.
public final class Coordinator {
    public struct Configuration: Sendable {
        public var bind: String
        /// Heartbeat period and liveness windows, announced to every worker in `RegisterAck`.
        public var timings = SessionTimings.defaults
        /// Longest wait for any single reply before the run fails, milliseconds.
        public var requestTimeoutMilliseconds: Int64 = 120_000
        public var curve: CurveServerKeys?
        /// A TCP socket already bound to `bind` and listening (a pool's, `TCPListener.duplicate()`) to accept on
        /// instead of binding; the coordinator closes it. ZeroMQ only.
        public var adoptedDescriptor: Int32?
        /// Devices whose workers may register though the run does not use them (a pool's mirrors under
        /// `--first-group-only`): their registrations go unanswered, so those workers go on waiting untouched.
        public var unusedDevices: Set<String> = []

        public init(bind: String, curve: CurveServerKeys? = nil) {
            self.bind = bind
            self.curve = curve
        }
    }

    /// Measurements of the cluster's behaviour (wall-clock, kept out of the simulation report).
    public struct Statistics: Sendable {
        public var messagesSent = 0
        public var messagesReceived = 0
        /// Payload bytes of the messages sent and received (envelopes, without ZeroMQ's framing).
        public var bytesSent = 0
        public var bytesReceived = 0
        public var requests = 0
        public var resent = 0
        public var duplicateReplies = 0
        /// Workers configured again after answering that they had no configuration.
        public var reconfigurations = 0
        /// Per dead worker: device id and how long it had been silent when declared dead, milliseconds.
        public var deaths: [(device: String, silentMilliseconds: Int64)] = []
        /// Per replacement: device id and milliseconds from death to the replacement's configuration.
        public var recoveries: [(device: String, milliseconds: Int64)] = []
        /// Per faulty worker: device id and why its reply was refused.
        public var faults: [(device: String, reason: String)] = []
    }

    public let configuration: Configuration
    public var devices: [DeviceDescription] { session.devices }
    public var modelName: String { session.modelName }
    let logger: Logger
    private let transport: any Transport
    /// Wall-clock milliseconds for heartbeats and liveness (a manual clock in tests).
    let clock: any ClusterClock
    var session: CoordinatorSession
    var socket: (any ListeningSocket)?
    /// Raised to abandon the run (graceful shutdown of a coordinator daemon).
    public var stop: StopSignal?
    /// Called (on the coordinator's thread) when a worker is declared dead; it must not block.
    public var onDeviceDead: (String) -> Void = { _ in }
    /// The endpoint actually bound.
    public private(set) var endpoint = ""
    /// When every worker must have registered (`waitUntilReady`), on `clock`.
    var registrationDeadline: Int64?

    public init(
        configuration: Configuration, devices: [DeviceDescription], modelName: String, logger: Logger,
        transport: any Transport, clock: any ClusterClock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.transport = transport
        session = CoordinatorSession(devices: devices, modelName: modelName, timings: configuration.timings)
        session.unusedDevices = configuration.unusedDevices
    }

    public var statistics: Statistics { session.statistics }
    /// Rejected input so far by code.
    public var rejectionSummary: String { session.rejections.summary }
    package var rejectionCount: Int { session.rejections.total }
    /// Standby workers heard for `device` (tests).
    package func standbyCount(for device: String) -> Int { session.standbys[device]?.count ?? 0 }

    /// Listens at the configured endpoint and returns the endpoint bound.
    @discardableResult
    public func start() throws -> String {
        guard configuration.timings.isValid else {
            throw ClusterError(
                "coordinator timings out of range: heartbeat \(SessionTimings.heartbeatRange) ms, each liveness window longer than it and at most \(SessionTimings.livenessLimit) ms"
            )
        }
        let logger = self.logger
        let socket: any ListeningSocket
        if let descriptor = configuration.adoptedDescriptor {
            guard let zmq = transport as? ZMQTransport, configuration.curve == nil else {
                throw ClusterError("a coordinator adopts a listening socket over plain ZeroMQ only")
            }
            socket = try zmq.listen(
                adopting: descriptor, endpoint: configuration.bind, maximumMessageBytes: WireProtocol.maximumMessageBytes)
        } else {
            socket = try transport.listen(
                at: configuration.bind, maximumMessageBytes: WireProtocol.maximumMessageBytes,
                security: configuration.curve
            ) { key in
                logger.warning("refused a CURVE key not on the allowlist", metadata: ["key": "\(key)"])
            }
        }
        self.socket = socket
        endpoint = socket.endpoint
        logger.info("coordinator bound", metadata: ["endpoint": "\(endpoint)", "devices": "\(devices.count)"])
        return endpoint
    }

    /// Whether every device has a configured worker.
    public var isReady: Bool { session.isReady }

    /// Devices without a configured worker, in topology order.
    public var missingDevices: [String] { session.missingDevices }

    /// Serves registrations until every device — or every device of `devices`, when given — has a configured
    /// worker. The others go on registering while the run starts; a request waiting for one of them past the same
    /// deadline fails the run with the same message (`checkWaited`).
    public func waitUntilReady(timeoutMilliseconds: Int64, for devices: Set<String>? = nil) throws {
        let deadline = clock.milliseconds() + timeoutMilliseconds
        registrationDeadline = deadline
        func missing() -> [String] { session.missingDevices.filter { devices?.contains($0) ?? true } }
        while !missing().isEmpty {
            if let refused = session.refusedConfiguration { throw ClusterError(refused) }
            guard clock.milliseconds() < deadline else {
                throw ClusterError("workers did not register in time: \(missing().joined(separator: ", "))")
            }
            try pump(timeoutMilliseconds: 50)
        }
    }

    /// Receives what has arrived (waiting up to `timeoutMilliseconds` for the first message, then taking the rest
    /// without waiting), then sends heartbeats and checks liveness. A coordinator that was itself too busy to
    /// listen judges liveness only once it has read everything that queued meanwhile (a worker's heartbeats sit
    /// in the queue, and reading only some of them would declare a live worker dead).
    public func pump(timeoutMilliseconds: Int) throws {
        guard let socket else { throw ClusterError("coordinator not started") }
        if stop?.isRaised == true { throw ClusterError("coordinator stopped before the run finished") }
        let limits = FrameLimits(maximumFrames: 2, maximumBytes: WireProtocol.maximumMessageBytes + 256)
        var timeout = timeoutMilliseconds
        var drained = false
        for _ in 0..<100_000 {
            guard let received = try socket.receive(timeoutMilliseconds: timeout, limits: limits) else {
                drained = true
                break
            }
            timeout = 0
            session.statistics.messagesReceived += 1
            let now = clock.milliseconds()
            switch received {
            case .message(let frames, let userID):
                session.statistics.bytesReceived += frames.last?.count ?? 0
                if !socket.isAllowed(routingID: frames[0], userID: userID) {
                    perform(
                        session.refused(
                            WireError(.unauthorized, "routing id does not match its authenticated key"),
                            routingID: frames[0]))
                } else if frames.count == 2 {
                    perform(session.received(frames[1], from: frames[0], now: now))
                } else {
                    perform(
                        session.refused(
                            WireError(.tooManyFrames, "expected one payload frame"), routingID: frames.first))
                }
            case .rejected(let violation, let routingID):
                perform(
                    session.refused(
                        WireError(violation == .oversize ? .oversize : .tooManyFrames, "message over the frame limits"),
                        routingID: routingID))
            }
        }
        perform(session.housekeeping(now: clock.milliseconds(), judgingLiveness: drained))
    }

    /// Carries out the session's actions: sends (a send that finds no peer is reported back), logs, deaths.
    func perform(_ actions: [CoordinatorSession.Action]) {
        for action in actions {
            switch action {
            case .send(let routingID, let payload):
                switch try? socket?.send([routingID, payload]) {
                case .sent?:
                    session.statistics.messagesSent += 1
                    session.statistics.bytesSent += payload.count
                case .unreachable?:
                    perform(session.unreachable(routingID, now: clock.milliseconds()))
                default:
                    break
                }
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            case .deviceDead(let device):
                onDeviceDead(device)
            }
        }
    }

    /// Tells every worker the run is over and closes the socket (bounded linger).
    public func shutdown(reason: String = "run finished") {
        perform(session.shutdown(reason: reason, now: clock.milliseconds()))
        socket?.close(lingerMilliseconds: 1000)
        socket = nil
        logger.info(
            "coordinator stopped",
            metadata: [
                "sent": "\(statistics.messagesSent)", "received": "\(statistics.messagesReceived)",
                "rejected": "\(session.rejections.summary)",
            ])
    }
}
