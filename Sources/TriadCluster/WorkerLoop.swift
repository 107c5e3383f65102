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
    private let logger: Logger
    private let stop: StopSignal
    private var socket: (any MessageSocket)?
    private var monitor: ZMQMonitor?
    /// Makes a fresh connected socket (nil over an injected socket: no reconnecting).
    private var reconnectSocket: (() throws -> (any MessageSocket, ZMQMonitor?))?
    /// When the monitor last saw the connection drop with no retry since (ms), if it did.
    private var droppedAt: Int64?
    private var refusal: WorkerRefusal?
    /// Fresh sockets made after the connection was lost for good.
    public private(set) var reconnects = 0
    private var device: DeviceDescription?
    private var rejections = RejectionCounter()
    private var lastHeard: Int64 = 0
    private var lastSent: Int64 = 0
    private var lastRegistered: Int64 = 0
    private var nextRequestID: UInt64 = 1
    /// Requests answered, for logs.
    public private(set) var answered = 0

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

    /// Reads the monitor: a refused key ends the loop; a connection dropped with no retry is remembered.
    private func watchConnection(now: Int64) {
        guard let monitor else { return }
        for event in monitor.drain() {
            switch event {
            case .handshakeFailedAuthentication(let status):
                refusal = WorkerRefusal(
                    "the coordinator at \(configuration.endpoint) refused this worker's CURVE key (ZAP status \(status)); add its public key to the coordinator's --allow list")
            case .handshakeFailedProtocol:
                logger.warning(
                    "security handshake failed (CURVE on one side only?); reconnecting",
                    metadata: ["device": "\(configuration.deviceID)"])
                droppedAt = droppedAt ?? now - 1_000_000
            case .disconnected:
                droppedAt = droppedAt ?? now
            case .connectRetried, .connected, .handshakeSucceeded:
                droppedAt = nil
            case .handshakeFailedNoDetail, .other:
                break
            }
        }
    }

    /// Whether to replace the socket: the connection dropped and libzmq has not retried within 500 ms
    /// (it never will), or the coordinator stayed silent for two liveness windows.
    private func shouldReconnect(now: Int64, silentSince: Int64) -> Bool {
        guard reconnectSocket != nil else { return false }
        if let droppedAt, now - droppedAt > 500 { return true }
        return now - silentSince > 2 * configuration.livenessMilliseconds
    }

    /// Closes the socket and connects a fresh one, then registers again.
    private func reconnect() throws {
        guard let reconnectSocket else { return }
        socket?.close(lingerMilliseconds: 0)
        monitor?.close()
        let (fresh, watcher) = try reconnectSocket()
        socket = fresh
        monitor = watcher
        droppedAt = nil
        device = nil
        reconnects += 1
        logger.notice(
            "connection lost for good; reconnected with a fresh socket",
            metadata: ["device": "\(configuration.deviceID)", "reconnects": "\(reconnects)"])
        register()
    }

    private func send(_ envelope: Triad_V1_Envelope) {
        lastSent = clock.milliseconds()
        _ = try? socket?.send([WireProtocol.encode(envelope)])
    }

    private func register() {
        lastRegistered = clock.milliseconds()
        var body = Triad_V1_Register()
        body.deviceID = configuration.deviceID
        body.protocolVersion = WireProtocol.version
        body.capabilities = ["matrix", "vector", "attention", "pim-command-model"]
        body.instance = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        send(WireProtocol.envelope(requestID: nextRequestID, .register(body)))
        nextRequestID += 1
    }

    /// Handles one message from the coordinator; returns true when told to disconnect.
    private func handle(_ bytes: Data) -> Bool {
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(bytes)
        } catch {
            rejections.reject(error, peer: "coordinator", logger: logger)
            send(WireProtocol.error(requestID: 0, error))
            return false
        }
        switch envelope.body {
        case .registerAck?:
            logger.info("registered", metadata: ["device": "\(configuration.deviceID)"])
        case .configure(let configure)?:
            do {
                let described = try DeviceDescription(wire: configure.device)
                guard described.id == configuration.deviceID else {
                    throw WireError(
                        .unknownDevice, "configured as \(described.id), but this worker is \(configuration.deviceID)")
                }
                device = described
                var ack = Triad_V1_ConfigureAck()
                ack.deviceID = described.id
                send(WireProtocol.envelope(requestID: envelope.requestID, .configureAck(ack)))
                logger.info(
                    "configured",
                    metadata: [
                        "device": "\(described.id)", "kind": "\(described.configuration.kind.rawValue)",
                        "model": "\(configure.modelName)",
                    ])
            } catch let error as WireError {
                reply(error: error, to: envelope.requestID)
            } catch {
                reply(error: WireError(.malformed, "\(error)"), to: envelope.requestID)
            }
        case .evaluate(let batch)?:
            guard let device else {
                reply(error: WireError(.notConfigured, "evaluate before configure"), to: envelope.requestID)
                return false
            }
            do {
                var operations: [TriadCore.Operation] = []
                operations.reserveCapacity(batch.operations.count)
                for operation in batch.operations { operations.append(try TriadCore.Operation(wire: operation)) }
                let costs = try DeviceEvaluator(device: device).costs(of: operations)
                var result = Triad_V1_EvaluateResult()
                result.costs = costs.map(\.wire)
                send(WireProtocol.envelope(requestID: envelope.requestID, .result(result)))
                answered += 1
            } catch let error as WireError {
                reply(error: error, to: envelope.requestID)
            } catch let error as DeviceError {
                let code: WireError.Code = error.code == .notYetImplemented ? .notYetImplemented : .unsupportedOperation
                reply(error: WireError(code, error.message), to: envelope.requestID)
            } catch {
                reply(error: WireError(.unsupportedOperation, "\(error)"), to: envelope.requestID)
            }
        case .heartbeat?:
            break
        case .disconnect(let body)?:
            logger.info("coordinator disconnected", metadata: ["reason": "\(LogSafe.text(body.reason))"])
            return true
        case .error(let body)? where WireError.Code(wire: body.code) == .refused:
            refusal = WorkerRefusal("the coordinator refused this worker: \(LogSafe.text(body.message))")
            return true
        case .error(let body)?:
            let code = WireError.Code(wire: body.code)
            if code == .unknownDevice || code == .duplicateDevice || code == .notConfigured {
                // The coordinator does not know us (it restarted) or another worker holds our device (we are
                // a standby): register again, at most once a second.
                if clock.milliseconds() - lastRegistered >= 1000 {
                    logger.info(
                        "coordinator does not know this worker; registering again",
                        metadata: ["device": "\(configuration.deviceID)"])
                    device = nil
                    register()
                }
            } else {
                logger.warning(
                    "coordinator reported an error",
                    metadata: ["code": "\(body.code)", "message": "\(LogSafe.text(body.message))"])
            }
        default:
            reply(error: WireError(.unknownMessage, "a worker does not accept this message"), to: envelope.requestID)
        }
        return false
    }

    private func reply(error: WireError, to requestID: UInt64) {
        rejections.reject(error, peer: "coordinator", logger: logger)
        send(WireProtocol.error(requestID: requestID, error))
    }
}
