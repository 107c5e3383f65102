import Foundation
import Logging
import TriadCore
import TriadDevices
import TriadTransport
import TriadWire

/// A worker's side of the protocol as a pure state machine (in the style of swift-nio's): the socket loop feeds it
/// what arrives, what happened to the connection and the time, and carries out the actions it returns. No socket,
/// clock or logger here, so every path — the races a loaded machine exposes included — is tested by driving it.
///
/// The worker registers, takes its device configuration and answers evaluate requests with its cost models. It
/// keeps its configuration through a silent coordinator (it registers again; a coordinator that restarted
/// configures it anew before sending work), follows the timings the coordinator announces, connects a fresh socket
/// when the connection is gone for good, and stops when told to disconnect (one-shot) or refused.
struct WorkerSession {
    enum Action {
        case send(Triad_V1_Envelope)
        /// Count and log a rejected input (any reply is a separate `send`).
        case reject(WireError)
        case log(Logger.Level, String, Logger.Metadata)
        /// Close the socket, connect a fresh one, then call `reconnected(now:)`.
        case reconnect
        /// Stop serving; with a refusal, the loop ends with it.
        case finish(WorkerRefusal?)
    }

    let deviceID: String
    let endpoint: String
    /// Host and process, for the coordinator's logs.
    let instance: String
    /// Whether to stop when the coordinator says the run is over; otherwise wait for the next coordinator.
    let servesOnce: Bool
    /// A pool's worker (`triad pool`): between runs it waits quietly in the pool's listening queue — one
    /// registration queued, no heartbeats, no timers — and the next coordinator to accept it gets that
    /// registration at once.
    let pooled: Bool
    /// A pooled worker between runs: no coordinator has answered since the last one left.
    private(set) var isWaiting = false
    /// The timings in force: the defaults until a coordinator announces its own.
    private(set) var timings: SessionTimings
    /// The configuration taken from the coordinator, kept until a new one replaces it or the run is over.
    private(set) var device: DeviceDescription?
    private(set) var answered = 0
    private(set) var reconnects = 0
    private(set) var isFinished = false
    private var lastHeard: Int64 = 0
    private var lastSent: Int64 = 0
    private var lastRegistered: Int64 = 0
    private var silentSince: Int64 = 0
    /// When the connection dropped with no retry since, if it did.
    private var droppedAt: Int64?
    private var nextRequestID: UInt64 = 1

    init(
        deviceID: String, endpoint: String, instance: String, servesOnce: Bool, timings: SessionTimings,
        pooled: Bool = false
    ) {
        self.deviceID = deviceID
        self.endpoint = endpoint
        self.instance = instance
        self.servesOnce = servesOnce
        self.timings = timings
        self.pooled = pooled
    }

    /// The first registration.
    mutating func start(now: Int64) -> [Action] {
        lastHeard = now
        silentSince = now
        isWaiting = pooled
        return [.log(.info, "worker connecting", ["device": "\(deviceID)", "endpoint": "\(endpoint)"])] + register(now)
    }

    /// A message from the coordinator.
    mutating func received(_ payload: Data, now: Int64) -> [Action] {
        heard(now)
        isWaiting = false
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(payload)
        } catch {
            return reply(error, to: 0, now: now)
        }
        switch envelope.body {
        case .registerAck(let ack)?:
            var actions: [Action] = [.log(.info, "registered", ["device": "\(deviceID)"])]
            if let announced = SessionTimings(announcedIn: ack) {
                timings = announced
            } else {
                actions.append(.reject(WireError(.malformed, "register ack with timings out of range; keeping ours")))
            }
            return actions
        case .configure(let configure)?:
            return take(configure, requestID: envelope.requestID, now: now)
        case .evaluate(let batch)?:
            return evaluate(batch, requestID: envelope.requestID, now: now)
        case .heartbeat?:
            return []
        case .disconnect(let body)?:
            let logged = Action.log(.info, "coordinator disconnected", ["reason": "\(LogSafe.text(body.reason))"])
            if servesOnce {
                isFinished = true
                return [logged, .finish(nil)]
            }
            // A daemon serves one coordinator after another: forget the run and register again at once (queued
            // until the next coordinator binds), then every liveness window. A pooled worker registers once the
            // connection is gone (`connection`: the coordinator closes it next), so that its registration waits
            // for the next coordinator.
            device = nil
            let waiting = Action.log(.notice, "run over; waiting for the next coordinator", ["device": "\(deviceID)"])
            return pooled ? [logged, waiting] : [logged, waiting] + register(now)
        case .error(let body)? where WireError.Code(wire: body.code) == .refused:
            isFinished = true
            return [.finish(WorkerRefusal("the coordinator refused this worker: \(LogSafe.text(body.message))"))]
        case .error(let body)?:
            let code = WireError.Code(wire: body.code)
            guard code == .unknownDevice || code == .duplicateDevice || code == .notConfigured else {
                return [
                    .log(
                        .warning, "coordinator reported an error",
                        ["code": "\(body.code)", "message": "\(LogSafe.text(body.message))"])
                ]
            }
            // The coordinator does not know us (it restarted) or another worker holds our device (we are a
            // standby): register again, at most once per register interval.
            guard now - lastRegistered >= SessionTimings.registerIntervalMilliseconds else { return [] }
            return [.log(.info, "coordinator does not know this worker; registering again", ["device": "\(deviceID)"])]
                + register(now)
        default:
            return reply(
                WireError(.unknownMessage, "a worker does not accept this message"), to: envelope.requestID,
                now: now)
        }
    }

    /// A message the transport refused (over the frame limits): counted, and the coordinator is still alive.
    mutating func receivedOversize(_ code: WireError.Code, now: Int64) -> [Action] {
        heard(now)
        return [.reject(WireError(code, "message over the frame limits"))]
    }

    /// What happened to the connection: a refused key ends the session; a connection dropped with no retry is
    /// remembered (and replaced after the grace period, in `tick`).
    mutating func connection(_ events: [ConnectionEvent], now: Int64) -> [Action] {
        var actions: [Action] = []
        for event in events {
            switch event {
            case .handshakeFailedAuthentication(let status):
                isFinished = true
                return actions + [
                    .finish(
                        WorkerRefusal(
                            "the coordinator at \(endpoint) refused this worker's CURVE key (ZAP status \(status)); add its public key to the coordinator's --allow list"
                        ))
                ]
            case .handshakeFailedProtocol:
                actions.append(
                    .log(
                        .warning, "security handshake failed (CURVE on one side only?); reconnecting",
                        ["device": "\(deviceID)"]))
                droppedAt = droppedAt ?? now - 1_000_000
            case .disconnected where pooled:
                // The coordinator left (libzmq connects again to the pool's listener by itself): wait quietly,
                // with one registration queued for whoever accepts next.
                isWaiting = true
                actions += register(now)
            case .disconnected:
                droppedAt = droppedAt ?? now
            case .connectRetried, .connected, .handshakeSucceeded:
                droppedAt = nil
            case .handshakeFailedNoDetail, .other:
                break
            }
        }
        return actions
    }

    /// The clock moved on: replace a connection gone for good, register again after a silent liveness window,
    /// else keep the coordinator hearing from us.
    mutating func tick(now: Int64) -> [Action] {
        guard !isFinished, !isWaiting else { return [] }
        if pooled && now - lastHeard > timings.workerLivenessMilliseconds {
            // A coordinator silent this long is gone: wait for the next with one registration queued.
            isWaiting = true
            return [.log(.notice, "coordinator silent; waiting for the next one", ["device": "\(deviceID)"])]
                + register(now)
        }
        if let droppedAt, now - droppedAt > SessionTimings.droppedConnectionGraceMilliseconds {
            return [.reconnect]
        }
        if now - silentSince > 2 * timings.workerLivenessMilliseconds { return [.reconnect] }
        if now - lastHeard > timings.workerLivenessMilliseconds {
            lastHeard = now
            return [.log(.notice, "coordinator silent; registering again", ["device": "\(deviceID)"])] + register(now)
        }
        if now - lastSent >= timings.heartbeatMilliseconds {
            return [send(.heartbeat(Triad_V1_Heartbeat()), now: now)]
        }
        return []
    }

    /// A fresh socket replaced the old one: register on it.
    mutating func reconnected(now: Int64) -> [Action] {
        droppedAt = nil
        reconnects += 1
        lastHeard = now
        silentSince = now
        return [
            .log(
                .notice, "connection lost for good; reconnected with a fresh socket",
                ["device": "\(deviceID)", "reconnects": "\(reconnects)"])
        ] + register(now)
    }

    /// The worker is stopping on its own: tell the coordinator, unless the session already ended.
    mutating func shutdown(now: Int64) -> [Action] {
        guard !isFinished else { return [] }
        isFinished = true
        var body = Triad_V1_Disconnect()
        body.reason = "worker shutting down"
        return [send(.disconnect(body), now: now)]
    }

    // MARK: Steps

    private mutating func heard(_ now: Int64) {
        lastHeard = now
        silentSince = now
    }

    private mutating func send(_ body: Triad_V1_Envelope.OneOf_Body, requestID: UInt64 = 0, now: Int64) -> Action {
        lastSent = now
        return .send(WireProtocol.envelope(requestID: requestID, body))
    }

    private mutating func register(_ now: Int64) -> [Action] {
        lastRegistered = now
        var body = Triad_V1_Register()
        body.deviceID = deviceID
        body.protocolVersion = WireProtocol.version
        body.capabilities = ["matrix", "vector", "attention", "pim-command-model"]
        body.instance = instance
        defer { nextRequestID += 1 }
        return [send(.register(body), requestID: nextRequestID, now: now)]
    }

    private mutating func reply(_ error: WireError, to requestID: UInt64, now: Int64) -> [Action] {
        [.reject(error), send(.error(WireProtocol.errorBody(error)), requestID: requestID, now: now)]
    }

    private mutating func take(_ configure: Triad_V1_Configure, requestID: UInt64, now: Int64) -> [Action] {
        do {
            let described = try DeviceDescription(wire: configure.device)
            guard described.id == deviceID else {
                throw WireError(.unknownDevice, "configured as \(described.id), but this worker is \(deviceID)")
            }
            device = described
            var ack = Triad_V1_ConfigureAck()
            ack.deviceID = described.id
            return [
                send(.configureAck(ack), requestID: requestID, now: now),
                .log(
                    .info, "configured",
                    [
                        "device": "\(described.id)", "kind": "\(described.configuration.kind.rawValue)",
                        "model": "\(LogSafe.text(configure.modelName, limit: 80))",
                    ]),
            ]
        } catch let error as WireError {
            return reply(error, to: requestID, now: now)
        } catch {
            return reply(WireError(.malformed, "\(error)"), to: requestID, now: now)
        }
    }

    private mutating func evaluate(_ batch: Triad_V1_EvaluateBatch, requestID: UInt64, now: Int64) -> [Action] {
        guard let device else {
            return reply(WireError(.notConfigured, "evaluate before configure"), to: requestID, now: now)
        }
        do {
            var operations: [TriadCore.Operation] = []
            operations.reserveCapacity(batch.operations.count)
            for operation in batch.operations { operations.append(try TriadCore.Operation(wire: operation)) }
            let costs = try DeviceEvaluator(device: device).costs(of: operations)
            var result = Triad_V1_EvaluateResult()
            result.costs = costs.map(\.wire)
            answered += 1
            return [send(.result(result), requestID: requestID, now: now)]
        } catch let error as WireError {
            return reply(error, to: requestID, now: now)
        } catch let error as DeviceError {
            let code: WireError.Code = error.code == .notYetImplemented ? .notYetImplemented : .unsupportedOperation
            return reply(WireError(code, error.message), to: requestID, now: now)
        } catch {
            return reply(WireError(.unsupportedOperation, "\(error)"), to: requestID, now: now)
        }
    }
}
