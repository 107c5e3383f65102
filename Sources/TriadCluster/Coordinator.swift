import Foundation
public import Logging
public import TriadCore
public import TriadDevices
public import TriadTransport
import TriadWire

/// The coordinator's side of the cluster: binds a ROUTER, registers and configures one worker per device,
/// and turns each `evaluate` into one request, re-sent to a replacement if the worker dies. It runs on the
/// thread that drives the simulation; every socket call happens there.
public final class Coordinator {
    public struct Configuration: Sendable {
        public var bind: String
        public var heartbeatMilliseconds: Int64 = 250
        /// Silence after which a worker is declared dead.
        public var livenessMilliseconds: Int64 = 1500
        /// Longest wait for any single reply before the run fails, milliseconds.
        public var requestTimeoutMilliseconds: Int64 = 120_000
        public var curve: CurveServerKeys?

        public init(bind: String, curve: CurveServerKeys? = nil) {
            self.bind = bind
            self.curve = curve
        }
    }

    /// Measurements of the cluster's behaviour (wall-clock, kept out of the simulation report).
    public struct Statistics: Sendable {
        public var messagesSent = 0
        public var messagesReceived = 0
        public var requests = 0
        public var resent = 0
        public var duplicateReplies = 0
        /// Per dead worker: device id and how long it had been silent when declared dead, milliseconds.
        public var deaths: [(device: String, silentMilliseconds: Int64)] = []
        /// Per replacement: device id and milliseconds from death to the replacement's configuration.
        public var recoveries: [(device: String, milliseconds: Int64)] = []
    }

    private struct Peer {
        var routingID: Data
        var lastSeen: Int64
        var lastSent: Int64
        var configured: Bool
    }

    private struct InFlight {
        var deviceID: String
        var payload: Data
        var sentTo: Data?
    }

    public let configuration: Configuration
    public let devices: [DeviceDescription]
    public let modelName: String
    private let logger: Logger
    private let context: ZMQContext
    private var socket: (any MessageSocket)?
    private var peers: [String: Peer] = [:]
    private var inFlight: [UInt64: InFlight] = [:]
    private var replies: [UInt64: Triad_V1_Envelope] = [:]
    private var diedAt: [String: Int64] = [:]
    private var nextRequestID: UInt64 = 1
    private var rejections = RejectionCounter()
    private var zap: ZAPHandler?
    public private(set) var statistics = Statistics()
    /// Raised to abandon the run (graceful shutdown of a coordinator daemon).
    public var stop: StopSignal?
    /// Called (on the coordinator's thread) when a worker is declared dead.
    public var onDeviceDead: (String) -> Void = { _ in }
    /// The endpoint actually bound.
    public private(set) var endpoint = ""

    public init(
        configuration: Configuration, devices: [DeviceDescription], modelName: String, logger: Logger,
        context: ZMQContext
    ) {
        self.configuration = configuration
        self.devices = devices
        self.modelName = modelName
        self.logger = logger
        self.context = context
    }

    /// Rejected input so far by code.
    public var rejectionSummary: String { rejections.summary }
    public var rejectionCount: Int { rejections.total }

    /// Serves over an already-connected socket (the router end of an in-memory transport in tests).
    public func start(socket: any MessageSocket) {
        self.socket = socket
        endpoint = "inmemory"
    }

    /// Binds the ROUTER and returns the endpoint.
    @discardableResult
    public func start() throws -> String {
        if let curve = configuration.curve {
            let logger = self.logger
            zap = try ZAPHandler(context: context, allowedPublicKeys: curve.allowedClientKeys) { key in
                logger.warning("refused a CURVE key not on the allowlist", metadata: ["key": "\(key)"])
            }
        }
        let socket = try ZMQSocket.coordinatorRouter(
            context: context, bind: configuration.bind, maximumMessageBytes: WireProtocol.maximumMessageBytes,
            curve: configuration.curve)
        self.socket = socket
        endpoint = try socket.lastEndpoint()
        logger.info("coordinator bound", metadata: ["endpoint": "\(endpoint)", "devices": "\(devices.count)"])
        return endpoint
    }

    /// Whether every device has a configured worker.
    public var isReady: Bool { devices.allSatisfy { peers[$0.id]?.configured == true } }

    /// Serves registrations until every device has a configured worker.
    public func waitUntilReady(timeoutMilliseconds: Int64) throws {
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        while !isReady {
            guard monotonicMilliseconds() < deadline else {
                let missing = devices.filter { peers[$0.id]?.configured != true }.map(\.id).joined(separator: ", ")
                throw ClusterError("workers did not register in time: \(missing)")
            }
            try pump(timeoutMilliseconds: 50)
        }
    }

    /// Costs `operations` on the worker emulating `deviceID`: one request, re-sent to a replacement worker
    /// if this one dies; only the first reply counts.
    public func evaluate(deviceID: String, iteration: Int, operations: [TriadCore.Operation]) throws -> [OperationCost]
    {
        try evaluate([(deviceID, iteration, operations)])[0]
    }

    /// Sends every request before waiting for any reply (one round trip for the lot), then returns the
    /// costs in request order.
    public func evaluate(_ requests: [(deviceID: String, iteration: Int, operations: [TriadCore.Operation])]) throws
        -> [[OperationCost]]
    {
        let ids = requests.map { submit(deviceID: $0.deviceID, iteration: $0.iteration, operations: $0.operations) }
        return try zip(ids, requests).map { id, request in
            try awaitReply(id, deviceID: request.deviceID, expected: request.operations.count)
        }
    }

    private func submit(deviceID: String, iteration: Int, operations: [TriadCore.Operation]) -> UInt64 {
        var batch = Triad_V1_EvaluateBatch()
        batch.iteration = UInt64(max(0, iteration))
        batch.operations = operations.map(\.wire)
        let requestID = nextRequestID
        nextRequestID += 1
        let payload = WireProtocol.encode(WireProtocol.envelope(requestID: requestID, .evaluate(batch)))
        inFlight[requestID] = InFlight(deviceID: deviceID, payload: payload, sentTo: nil)
        statistics.requests += 1
        dispatch(requestID)
        return requestID
    }

    private func awaitReply(_ requestID: UInt64, deviceID: String, expected: Int) throws -> [OperationCost] {
        let started = monotonicMilliseconds()
        while replies[requestID] == nil {
            try pump(timeoutMilliseconds: Int(configuration.heartbeatMilliseconds))
            if monotonicMilliseconds() - started > configuration.requestTimeoutMilliseconds {
                throw ClusterError("no reply from \(deviceID) within \(configuration.requestTimeoutMilliseconds) ms")
            }
        }
        let reply = replies.removeValue(forKey: requestID)!
        switch reply.body {
        case .result(let result)?:
            guard result.costs.count == expected else {
                throw ClusterError("\(deviceID) answered \(result.costs.count) costs for \(expected) operations")
            }
            return result.costs.map(OperationCost.init(wire:))
        case .error(let error)?:
            let code = WireError.Code(wire: error.code)
            throw DeviceError(
                code == .notYetImplemented ? .notYetImplemented : .unsupportedOperation, "\(deviceID): \(error.message)"
            )
        default:
            throw ClusterError("unexpected reply from \(deviceID)")
        }
    }

    /// Sends an in-flight request to its device's configured worker, if there is one.
    private func dispatch(_ requestID: UInt64) {
        guard var request = inFlight[requestID], let peer = peers[request.deviceID], peer.configured else { return }
        if request.sentTo != nil { statistics.resent += 1 }
        request.sentTo = peer.routingID
        inFlight[requestID] = request
        send(request.payload, to: request.deviceID)
    }

    private func send(_ payload: Data, to deviceID: String) {
        guard let peer = peers[deviceID] else { return }
        switch try? socket?.send([peer.routingID, payload]) {
        case .sent?:
            statistics.messagesSent += 1
            peers[deviceID]?.lastSent = monotonicMilliseconds()
        case .unreachable?:
            // The connection is gone (a killed process drops it at once).
            declareDead(deviceID, silentFor: monotonicMilliseconds() - peer.lastSeen)
        default:
            break
        }
    }

    private func send(_ envelope: Triad_V1_Envelope, toRouting routingID: Data) {
        if case .sent? = try? socket?.send([routingID, WireProtocol.encode(envelope)]) { statistics.messagesSent += 1 }
    }

    /// Receives what has arrived (waiting up to `timeoutMilliseconds` for the first message, then taking
    /// at most 1,000 more without waiting), then sends heartbeats and checks liveness.
    public func pump(timeoutMilliseconds: Int) throws {
        guard let socket else { throw ClusterError("coordinator not started") }
        if stop?.isRaised == true { throw ClusterError("coordinator stopped before the run finished") }
        let limits = FrameLimits(maximumFrames: 2, maximumBytes: WireProtocol.maximumMessageBytes + 256)
        var timeout = timeoutMilliseconds
        for _ in 0..<1000 {
            guard let received = try socket.receive(timeoutMilliseconds: timeout, limits: limits) else { break }
            timeout = 0
            statistics.messagesReceived += 1
            switch received {
            case .message(let frames, let userID):
                if let zap, !zap.isAllowed(routingID: frames[0], userID: userID) {
                    reject(
                        WireError(.unauthorized, "routing id does not match its authenticated key"),
                        routingID: frames[0])
                } else if frames.count == 2 {
                    handle(frames[1], from: frames[0])
                } else {
                    reject(WireError(.tooManyFrames, "expected one payload frame"), routingID: frames.first)
                }
            case .rejected(let violation, let routingID):
                reject(
                    WireError(violation == .oversize ? .oversize : .tooManyFrames, "message over the frame limits"),
                    routingID: routingID)
            }
        }
        housekeeping()
    }

    private func peerName(_ routingID: Data?) -> String {
        guard let routingID else { return "unknown" }
        if let device = peers.first(where: { $0.value.routingID == routingID })?.key { return device }
        return "peer-" + routingID.map { String(format: "%02x", $0) }.joined()
    }

    private func reject(_ error: WireError, routingID: Data?, requestID: UInt64 = 0) {
        rejections.reject(error, peer: peerName(routingID), logger: logger)
        if let routingID { send(WireProtocol.error(requestID: requestID, error), toRouting: routingID) }
    }

    private func handle(_ payload: Data, from routingID: Data) {
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(payload)
        } catch {
            reject(error, routingID: routingID)
            return
        }
        let now = monotonicMilliseconds()
        let device = peers.first { $0.value.routingID == routingID }?.key
        if let device { peers[device]?.lastSeen = now }
        switch envelope.body {
        case .register(let register)?:
            handleRegister(register, routingID: routingID, requestID: envelope.requestID)
        case .configureAck(let ack)?:
            guard let device, device == ack.deviceID else {
                reject(
                    WireError(.unknownRequest, "configure ack from a worker that was not configured"),
                    routingID: routingID)
                return
            }
            peers[device]?.configured = true
            if let died = diedAt.removeValue(forKey: device) {
                statistics.recoveries.append((device, now - died))
                logger.notice(
                    "replacement configured", metadata: ["device": "\(device)", "recovery_ms": "\(now - died)"])
            }
            for (requestID, request) in inFlight.sorted(by: { $0.key < $1.key }) where request.deviceID == device {
                dispatch(requestID)
            }
        case .result?, .error?:
            guard let request = inFlight[envelope.requestID], let device, request.deviceID == device else {
                statistics.duplicateReplies += 1
                rejections.reject(
                    WireError(.unknownRequest, "reply for unknown request \(envelope.requestID)"),
                    peer: peerName(routingID),
                    logger: logger)
                return
            }
            inFlight.removeValue(forKey: envelope.requestID)
            replies[envelope.requestID] = envelope
        case .heartbeat?:
            if device == nil {
                reject(WireError(.unknownDevice, "heartbeat from an unregistered peer"), routingID: routingID)
            }
        case .disconnect?:
            if let device {
                logger.notice("worker disconnected", metadata: ["device": "\(device)"])
                declareDead(device, silentFor: 0)
            }
        default:
            reject(
                WireError(.unknownMessage, "a coordinator does not accept this message"), routingID: routingID,
                requestID: envelope.requestID)
        }
    }

    private func handleRegister(_ register: Triad_V1_Register, routingID: Data, requestID: UInt64) {
        guard let description = devices.first(where: { $0.id == register.deviceID }) else {
            reject(
                WireError(.unknownDevice, "no device '\(register.deviceID)' in the topology"), routingID: routingID,
                requestID: requestID)
            return
        }
        guard register.protocolVersion == WireProtocol.version else {
            reject(
                WireError(.wrongProtocolVersion, "worker speaks version \(register.protocolVersion)"),
                routingID: routingID, requestID: requestID)
            return
        }
        let now = monotonicMilliseconds()
        if let existing = peers[register.deviceID], existing.routingID != routingID {
            if now - existing.lastSeen <= configuration.livenessMilliseconds {
                reject(
                    WireError(.duplicateDevice, "device '\(register.deviceID)' is served by a live worker"),
                    routingID: routingID,
                    requestID: requestID)
                return
            }
            declareDead(register.deviceID, silentFor: now - existing.lastSeen)
        }
        // A worker serving another device under this routing id gives that device up.
        for (other, peer) in peers where peer.routingID == routingID && other != register.deviceID {
            peers.removeValue(forKey: other)
        }
        peers[register.deviceID] = Peer(routingID: routingID, lastSeen: now, lastSent: now, configured: false)
        logger.info(
            "worker registered", metadata: ["device": "\(register.deviceID)", "instance": "\(register.instance)"])
        var ack = Triad_V1_RegisterAck()
        ack.deviceID = register.deviceID
        ack.heartbeatMs = UInt32(configuration.heartbeatMilliseconds)
        ack.livenessMs = UInt32(configuration.livenessMilliseconds)
        send(WireProtocol.envelope(requestID: requestID, .registerAck(ack)), toRouting: routingID)
        var configure = Triad_V1_Configure()
        configure.device = description.wire
        configure.modelName = modelName
        send(WireProtocol.envelope(requestID: nextRequestID, .configure(configure)), toRouting: routingID)
        nextRequestID += 1
    }

    private func declareDead(_ device: String, silentFor silence: Int64) {
        guard peers.removeValue(forKey: device) != nil else { return }
        statistics.deaths.append((device, silence))
        diedAt[device] = monotonicMilliseconds()
        logger.warning("worker declared dead", metadata: ["device": "\(device)", "silent_ms": "\(silence)"])
        onDeviceDead(device)
    }

    private func housekeeping() {
        let now = monotonicMilliseconds()
        for (device, peer) in peers.sorted(by: { $0.key < $1.key }) {
            if now - peer.lastSeen > configuration.livenessMilliseconds {
                declareDead(device, silentFor: now - peer.lastSeen)
            } else if now - peer.lastSent >= configuration.heartbeatMilliseconds {
                send(
                    WireProtocol.encode(WireProtocol.envelope(requestID: 0, .heartbeat(Triad_V1_Heartbeat()))),
                    to: device)
            }
        }
    }

    /// Tells every worker the run is over and closes the socket (bounded linger).
    public func shutdown(reason: String = "run finished") {
        var body = Triad_V1_Disconnect()
        body.reason = reason
        for device in peers.keys.sorted() {
            send(WireProtocol.encode(WireProtocol.envelope(requestID: 0, .disconnect(body))), to: device)
        }
        socket?.close(lingerMilliseconds: 1000)
        socket = nil
        zap?.close()
        zap = nil
        logger.info(
            "coordinator stopped",
            metadata: [
                "sent": "\(statistics.messagesSent)", "received": "\(statistics.messagesReceived)",
                "rejected": "\(rejections.summary)",
            ])
    }
}
