import Foundation
import Logging
import TriadCore
import TriadDevices
import TriadTransport
import TriadWire

/// What the coordinator does with each message it receives: registrations, configuration acks, replies,
/// heartbeats and disconnects; anything else is rejected, counted and answered with a typed error.
extension Coordinator {
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

    func peerName(_ routingID: Data?) -> String {
        guard let routingID else { return "unknown" }
        if let device = peers.device(routing: routingID) { return device }
        return "peer-" + routingID.map { String(format: "%02x", $0) }.joined()
    }

    func reject(_ error: WireError, routingID: Data?, requestID: UInt64 = 0) {
        rejections.reject(error, peer: peerName(routingID), logger: logger)
        if let routingID { send(WireProtocol.error(requestID: requestID, error), toRouting: routingID) }
    }

    func handle(_ payload: Data, from routingID: Data) {
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(payload)
        } catch {
            reject(error, routingID: routingID)
            return
        }
        let now = clock.milliseconds()
        let device = peers.device(routing: routingID)
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
            configuring = configuring.filter { $0.value != device }
            if let died = diedAt.removeValue(forKey: device) {
                statistics.recoveries.append((device, now - died))
                logger.notice(
                    "replacement configured", metadata: ["device": "\(device)", "recovery_ms": "\(now - died)"])
            }
            for requestID in inFlight.waiting(on: device) { dispatch(requestID) }
        case .error(let body)? where configuring[envelope.requestID] != nil:
            let configured = configuring.removeValue(forKey: envelope.requestID)!
            refusedConfiguration =
                "the worker for \(configured) refused its configuration: \(LogSafe.text(body.message))"
            logger.error("configuration refused", metadata: ["device": "\(configured)", "reason": "\(LogSafe.text(body.message))"])
        case .result?, .error?:
            guard inFlight.complete(with: envelope, from: device, routing: routingID) else {
                statistics.duplicateReplies += 1
                rejections.reject(
                    WireError(.unknownRequest, "reply for unknown request \(envelope.requestID)"),
                    peer: peerName(routingID),
                    logger: logger)
                return
            }
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

    func handleRegister(_ register: Triad_V1_Register, routingID: Data, requestID: UInt64) {
        guard !faultyRoutes.contains(routingID) else {
            reject(WireError(.refused, "this worker's replies were found faulty"), routingID: routingID, requestID: requestID)
            return
        }
        guard devices.contains(where: { $0.id == register.deviceID }) else {
            reject(
                WireError(.refused, "no device '\(LogSafe.text(register.deviceID, limit: 64))' in the topology"),
                routingID: routingID, requestID: requestID)
            return
        }
        guard register.protocolVersion == WireProtocol.version else {
            reject(
                WireError(
                    .refused,
                    "worker speaks protocol version \(register.protocolVersion), the coordinator \(WireProtocol.version)"),
                routingID: routingID, requestID: requestID)
            return
        }
        let now = clock.milliseconds()
        if let existing = peers[register.deviceID], existing.routingID != routingID {
            if now - existing.lastSeen <= configuration.livenessMilliseconds {
                recordStandby(register.deviceID, routing: routingID)
                reject(
                    WireError(.duplicateDevice, "device '\(register.deviceID)' is served by a live worker"),
                    routingID: routingID,
                    requestID: requestID)
                return
            }
            declareDead(register.deviceID, silentFor: now - existing.lastSeen)
        }
        standbys[register.deviceID]?.removeValue(forKey: routingID)
        logger.info(
            "worker registered",
            metadata: ["device": "\(register.deviceID)", "instance": "\(LogSafe.text(register.instance, limit: 80))"])
        admit(register.deviceID, routing: routingID, requestID: requestID)
    }

    /// Makes the worker under `routingID` the one serving `device`: acknowledges it and sends the device's
    /// configuration (the device's requests are dispatched once it acknowledges).
    func admit(_ device: String, routing routingID: Data, requestID: UInt64) {
        guard let description = devices.first(where: { $0.id == device }) else { return }
        let now = clock.milliseconds()
        // A worker serving another device under this routing id gives that device up.
        peers.release(routing: routingID, keeping: device)
        peers[device] = PeerTable.Peer(routingID: routingID, lastSeen: now, lastSent: now, configured: false)
        var ack = Triad_V1_RegisterAck()
        ack.deviceID = device
        ack.heartbeatMs = UInt32(configuration.heartbeatMilliseconds)
        ack.livenessMs = UInt32(configuration.livenessMilliseconds)
        send(WireProtocol.envelope(requestID: requestID, .registerAck(ack)), toRouting: routingID)
        var configure = Triad_V1_Configure()
        configure.device = description.wire
        configure.modelName = modelName
        let configureID = inFlight.newID()
        configuring[configureID] = device
        send(WireProtocol.envelope(requestID: configureID, .configure(configure)), toRouting: routingID)
    }
}
