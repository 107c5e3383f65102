import Foundation
public import Logging
import TriadCore
import TriadDevices
public import TriadTransport
import TriadWire

/// A device worker: connects a DEALER to the coordinator, registers, takes its device configuration, and
/// answers evaluate requests with its cost model. Runs on the calling thread until stopped or told to
/// disconnect; re-registers whenever the coordinator falls silent (it restarted), and reconnects with a
/// fresh socket when the connection is gone for good (an oversized frame, a security mismatch: libzmq does
/// not retry those) or stays silent for two liveness windows. A coordinator that refuses it — an unknown
/// device, another protocol version, its CURVE key not allowed — ends the loop with `WorkerRefusal`.
public final class WorkerLoop {
    public struct Configuration: Sendable {
        public var endpoint: String
        public var deviceID: String
        /// Application heartbeat period, milliseconds.
        public var heartbeatMilliseconds: Int64 = 250
        /// Silence after which the coordinator is presumed gone and the worker registers again.
        public var livenessMilliseconds: Int64 = 2000
        public var curve: CurveClientKeys?
        /// Whether to stop when the coordinator says the run is over (one-shot); otherwise the worker waits
        /// for the next coordinator on the same endpoint, as a daemon.
        public var servesOnce = true

        public init(endpoint: String, deviceID: String, curve: CurveClientKeys? = nil) {
            self.endpoint = endpoint
            self.deviceID = deviceID
            self.curve = curve
        }
    }

    public let configuration: Configuration
    let logger: Logger
    private let stop: StopSignal
    var socket: (any MessageSocket)?
    var monitor: ZMQMonitor?
    /// Makes a fresh connected socket (nil over an injected socket: no reconnecting).
    var reconnectSocket: (() throws -> (any MessageSocket, ZMQMonitor?))?
    /// When the monitor last saw the connection drop with no retry since (ms), if it did.
    var droppedAt: Int64?
    var refusal: WorkerRefusal?
    /// Fresh sockets made after the connection was lost for good.
    public internal(set) var reconnects = 0
    var device: DeviceDescription?
    var rejections = RejectionCounter()
    private var lastHeard: Int64 = 0
    var lastSent: Int64 = 0
    var lastRegistered: Int64 = 0
    var nextRequestID: UInt64 = 1
    /// Requests answered, for logs.
    public internal(set) var answered = 0

    /// Wall-clock milliseconds for heartbeats and the coordinator's liveness (a manual clock in tests).
    let clock: any ClusterClock

    public init(configuration: Configuration, logger: Logger, stop: StopSignal, clock: any ClusterClock = SystemClock()) {
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.stop = stop
    }

    /// Rejected input so far by code.
    public var rejectionSummary: String { rejections.summary }

    /// Serves until `stop` is raised or the coordinator sends Disconnect; throws `WorkerRefusal` when the
    /// coordinator will not take this worker.
    public func run(context: ZMQContext) throws {
        let configuration = self.configuration
        reconnectSocket = {
            let made = try ZMQSocket.monitoredWorkerDealer(
                context: context, connect: configuration.endpoint,
                maximumMessageBytes: WireProtocol.maximumMessageBytes, curve: configuration.curve)
            return (made.socket, made.monitor)
        }
        let (socket, monitor) = try reconnectSocket!()
        self.monitor = monitor
        try serve(on: socket)
    }

    /// Serves over an already-connected socket (a dealer of an in-memory transport in tests).
    public func serve(on socket: any MessageSocket) throws {
        self.socket = socket
        logger.info(
            "worker connecting",
            metadata: ["device": "\(configuration.deviceID)", "endpoint": "\(configuration.endpoint)"])
        register()
        lastHeard = clock.milliseconds()
        let limits = FrameLimits(maximumFrames: 1, maximumBytes: WireProtocol.maximumMessageBytes)
        var disconnected = false
        var silentSince = lastHeard
        while !stop.isRaised && !disconnected && refusal == nil {
            guard let socket = self.socket else { break }
            let received = try socket.receive(
                timeoutMilliseconds: Int(configuration.heartbeatMilliseconds), limits: limits)
            let now = clock.milliseconds()
            if received != nil { silentSince = now }
            watchConnection(now: now)
            if refusal != nil { break }
            if shouldReconnect(now: now, silentSince: silentSince) {
                try reconnect()
                silentSince = clock.milliseconds()
                lastHeard = silentSince
                continue
            }
            switch received {
            case .message(let frames, _)?:
                lastHeard = now
                disconnected = handle(frames[0])
            case .rejected(let violation, _)?:
                lastHeard = now
                let code: WireError.Code = violation == .oversize ? .oversize : .tooManyFrames
                rejections.reject(WireError(code, "message over the frame limits"), peer: "coordinator", logger: logger)
            case nil:
                break
            }
            if disconnected && refusal == nil && !configuration.servesOnce {
                // A daemon serves one coordinator after another: forget the run, and register again at
                // once (queued until the next coordinator binds) and then every liveness window.
                logger.notice(
                    "run over; waiting for the next coordinator", metadata: ["device": "\(configuration.deviceID)"])
                disconnected = false
                device = nil
                register()
                lastHeard = now
                continue
            }
            if now - lastHeard > configuration.livenessMilliseconds {
                logger.notice(
                    "coordinator silent; registering again", metadata: ["device": "\(configuration.deviceID)"])
                device = nil
                register()
                lastHeard = now
            } else if now - lastSent >= configuration.heartbeatMilliseconds {
                send(WireProtocol.envelope(requestID: 0, .heartbeat(Triad_V1_Heartbeat())))
            }
        }
        if !disconnected && refusal == nil {
            var body = Triad_V1_Disconnect()
            body.reason = "worker shutting down"
            send(WireProtocol.envelope(requestID: 0, .disconnect(body)))
        }
        logger.info(
            "worker stopped",
            metadata: [
                "device": "\(configuration.deviceID)", "answered": "\(answered)", "rejected": "\(rejections.summary)",
            ])
        self.socket?.close(lingerMilliseconds: refusal == nil ? 1000 : 0)
        self.socket = nil
        monitor?.close()
        monitor = nil
        if let refusal { throw refusal }
    }

    func send(_ envelope: Triad_V1_Envelope) {
        lastSent = clock.milliseconds()
        _ = try? socket?.send([WireProtocol.encode(envelope)])
    }

    func register() {
        lastRegistered = clock.milliseconds()
        var body = Triad_V1_Register()
        body.deviceID = configuration.deviceID
        body.protocolVersion = WireProtocol.version
        body.capabilities = ["matrix", "vector", "attention", "pim-command-model"]
        body.instance = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        send(WireProtocol.envelope(requestID: nextRequestID, .register(body)))
        nextRequestID += 1
    }
}
