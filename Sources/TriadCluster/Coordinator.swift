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
        /// Per faulty worker: device id and why its reply was refused.
        public var faults: [(device: String, reason: String)] = []
    }

    public let configuration: Configuration
    public let devices: [DeviceDescription]
    public let modelName: String
    let logger: Logger
    private let context: ZMQContext
    /// Wall-clock milliseconds for heartbeats and liveness (a manual clock in tests).
    let clock: any ClusterClock
    var socket: (any MessageSocket)?
    var peers = PeerTable()
    var inFlight = InFlightRequests()
    var diedAt: [String: Int64] = [:]
    /// Routing ids of workers found faulty (invalid replies): refused from then on.
    var faultyRoutes: Set<Data> = []
    /// Workers waiting to take over a device (they registered while a live worker held it), by device:
    /// routing id and when last heard.
    var standbys: [String: [Data: Int64]] = [:]
    /// Configure messages in flight, by request id: the device each configures.
    var configuring: [UInt64: String] = [:]
    /// A worker that refused its device configuration: the run cannot go on.
    var refusedConfiguration: String?
    var rejections = RejectionCounter()
    var zap: ZAPHandler?
    public internal(set) var statistics = Statistics()
    /// Raised to abandon the run (graceful shutdown of a coordinator daemon).
    public var stop: StopSignal?
    /// Called (on the coordinator's thread) when a worker is declared dead.
    public var onDeviceDead: (String) -> Void = { _ in }
    /// The endpoint actually bound.
    public private(set) var endpoint = ""

    public init(
        configuration: Configuration, devices: [DeviceDescription], modelName: String, logger: Logger,
        context: ZMQContext, clock: any ClusterClock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.devices = devices
        self.modelName = modelName
        self.logger = logger
        self.context = context
    }

    /// Rejected input so far by code.
    public var rejectionSummary: String { rejections.summary }
    package var rejectionCount: Int { rejections.total }
    /// Standby workers heard for `device` (tests).
    package func standbyCount(for device: String) -> Int { standbys[device]?.count ?? 0 }

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
        let deadline = clock.milliseconds() + timeoutMilliseconds
        while !isReady {
            if let refusedConfiguration { throw ClusterError(refusedConfiguration) }
            guard clock.milliseconds() < deadline else {
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
            try awaitReply(id, deviceID: request.deviceID, operations: request.operations)
        }
    }

    func submit(deviceID: String, iteration: Int, operations: [TriadCore.Operation]) -> UInt64 {
        var batch = Triad_V1_EvaluateBatch()
        batch.iteration = UInt64(max(0, iteration))
        batch.operations = operations.map(\.wire)
        let requestID = inFlight.newID()
        let payload = WireProtocol.encode(WireProtocol.envelope(requestID: requestID, .evaluate(batch)))
        inFlight[requestID] = InFlightRequests.Request(deviceID: deviceID, payload: payload, sentTo: nil)
        statistics.requests += 1
        dispatch(requestID)
        return requestID
    }

    /// Sends an in-flight request to its device's configured worker, if there is one.
    func dispatch(_ requestID: UInt64) {
        guard var request = inFlight[requestID], let peer = peers[request.deviceID], peer.configured else { return }
        if request.sentTo != nil { statistics.resent += 1 }
        request.sentTo = peer.routingID
        inFlight[requestID] = request
        send(request.payload, to: request.deviceID)
    }

    func send(_ payload: Data, to deviceID: String) {
        guard let peer = peers[deviceID] else { return }
        switch try? socket?.send([peer.routingID, payload]) {
        case .sent?:
            statistics.messagesSent += 1
            peers[deviceID]?.lastSent = clock.milliseconds()
        case .unreachable?:
            // The connection is gone (a killed process drops it at once).
            declareDead(deviceID, silentFor: clock.milliseconds() - peer.lastSeen)
        default:
            break
        }
    }

    func send(_ envelope: Triad_V1_Envelope, toRouting routingID: Data) {
        if case .sent? = try? socket?.send([routingID, WireProtocol.encode(envelope)]) { statistics.messagesSent += 1 }
    }

    /// Tells every worker the run is over and closes the socket (bounded linger).
    public func shutdown(reason: String = "run finished") {
        var body = Triad_V1_Disconnect()
        body.reason = reason
        for (device, _) in peers.sorted {
            send(WireProtocol.encode(WireProtocol.envelope(requestID: 0, .disconnect(body))), to: device)
        }
        // Standbys too: nothing is left for them to take over.
        for device in standbys.keys.sorted() {
            for routing in (standbys[device] ?? [:]).keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                send(WireProtocol.envelope(requestID: 0, .disconnect(body)), toRouting: routing)
            }
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
