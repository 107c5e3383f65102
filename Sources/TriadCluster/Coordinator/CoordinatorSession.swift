import Foundation
import Logging
import TriadCore
import TriadDevices
import TriadWire

/// The coordinator's side of the protocol as a pure state machine (in the style of swift-nio's): the socket loop
/// feeds it what arrives, failed sends and the time, and carries out the actions it returns. It registers and
/// configures one worker per device, dispatches requests to configured workers, re-sends a dead or faulty
/// worker's requests to its replacement (only the first reply counts), configures again a worker that lost its
/// configuration, and declares silent workers dead. No socket, clock or logger here.
struct CoordinatorSession {
    enum Action {
        /// Send `payload` to the worker under `routingID`; a failed send is reported with `unreachable`.
        case send(routingID: Data, payload: Data)
        case log(Logger.Level, String, Logger.Metadata)
        /// A worker was declared dead (a local cluster restarts it).
        case deviceDead(String)
    }

    let devices: [DeviceDescription]
    let modelName: String
    let timings: SessionTimings
    var peers = PeerTable()
    var inFlight = InFlightRequests()
    /// When each device whose worker died lost it (until a replacement is configured).
    var diedAt: [String: Int64] = [:]
    /// Routing ids of workers found faulty (invalid replies): refused from then on.
    var faultyRoutes: Set<Data> = []
    /// Workers waiting to take over a device (they registered while a live worker held it), by device: routing
    /// id and when last heard.
    var standbys: [String: [Data: Int64]] = [:]
    /// Devices the run does not use whose workers' registrations are left unanswered (`Configuration.unusedDevices`).
    var unusedDevices: Set<String> = []
    /// Configure messages in flight, by request id: the device each configures.
    var configuring: [UInt64: String] = [:]
    /// Set when a worker refused its device configuration: the run cannot go on.
    private(set) var refusedConfiguration: String?
    var rejections = RejectionCounter()
    var statistics = Coordinator.Statistics()

    init(devices: [DeviceDescription], modelName: String, timings: SessionTimings) {
        self.devices = devices
        self.modelName = modelName
        self.timings = timings
    }

    /// Whether every device has a configured worker.
    var isReady: Bool { devices.allSatisfy { peers[$0.id]?.configured == true } }

    /// Devices without a configured worker, in topology order.
    var missingDevices: [String] { devices.filter { peers[$0.id]?.configured != true }.map(\.id) }

    // MARK: Inputs

    /// A message from the peer under `routingID`.
    mutating func received(_ payload: Data, from routingID: Data, now: Int64) -> [Action] {
        // A result for a request that keeps its reply as bytes (a mirrored worker's) is not decoded: it is checked
        // byte for byte against the answer expected, and decoded only if it differs.
        if let scan = EnvelopeScan(payload), scan.bodyField == EnvelopeScan.resultField,
            scan.protocolVersion == UInt64(WireProtocol.version), inFlight.keepsBytes(scan.requestID),
            let device = peers.device(routing: routingID)
        {
            peers[device]?.lastSeen = now
            if inFlight.complete(
                scan.requestID, resultBytes: payload.subdata(in: scan.body), from: device, routing: routingID)
            {
                return []
            }
        }
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(payload)
        } catch {
            return reject(error, routingID: routingID)
        }
        let device = peers.device(routing: routingID)
        if let device { peers[device]?.lastSeen = now }
        switch envelope.body {
        case .register(let register)?:
            return registration(register, routingID: routingID, requestID: envelope.requestID, now: now)
        case .configureAck(let ack)?:
            guard let device, device == ack.deviceID else {
                return reject(
                    WireError(.unknownRequest, "configure ack from a worker that was not configured"),
                    routingID: routingID)
            }
            return configured(device, now: now)
        case .error(let body)? where configuring[envelope.requestID] != nil:
            let device = configuring.removeValue(forKey: envelope.requestID)!
            refusedConfiguration = "the worker for \(device) refused its configuration: \(LogSafe.text(body.message))"
            return [
                .log(
                    .error, "configuration refused", ["device": "\(device)", "reason": "\(LogSafe.text(body.message))"])
            ]
        case .error(let body)? where WireError.Code(wire: body.code) == .notConfigured && device != nil:
            // The worker lost its configuration (it restarted, or registered again while this coordinator was too
            // busy to answer): configure it again; what waits on it is re-sent once it acknowledges.
            return reconfigure(device!, routing: routingID)
        case .result?, .error?:
            guard inFlight.complete(with: envelope, from: device, routing: routingID) else {
                statistics.duplicateReplies += 1
                return count(
                    WireError(.unknownRequest, "reply for unknown request \(envelope.requestID)"), routingID: routingID)
            }
            return []
        case .heartbeat?:
            guard device == nil else { return [] }
            return reject(WireError(.unknownDevice, "heartbeat from an unregistered peer"), routingID: routingID)
        case .disconnect?:
            guard let device else { return [] }
            return [.log(.notice, "worker disconnected", ["device": "\(device)"])]
                + declareDead(device, silentFor: 0, now: now)
        default:
            return reject(
                WireError(.unknownMessage, "a coordinator does not accept this message"), routingID: routingID,
                requestID: envelope.requestID)
        }
    }

    /// Input the transport refused or could not authenticate: counted, logged once, answered with an error.
    mutating func refused(_ error: WireError, routingID: Data?) -> [Action] {
        reject(error, routingID: routingID)
    }

    /// A send to `routingID` found no connected peer (a killed process drops its connection at once).
    mutating func unreachable(_ routingID: Data, now: Int64) -> [Action] {
        guard let device = peers.device(routing: routingID), let peer = peers[device] else { return [] }
        return declareDead(device, silentFor: now - peer.lastSeen, now: now)
    }

    /// Heartbeats to workers not written to for a heartbeat period; with `judgingLiveness` (everything queued has
    /// been read), a worker silent past the liveness window is declared dead.
    mutating func housekeeping(now: Int64, judgingLiveness: Bool) -> [Action] {
        var actions: [Action] = []
        for (device, peer) in peers.sorted {
            if judgingLiveness && now - peer.lastSeen > timings.coordinatorLivenessMilliseconds {
                actions += declareDead(device, silentFor: now - peer.lastSeen, now: now)
            } else if now - peer.lastSent >= timings.heartbeatMilliseconds {
                actions += send(
                    WireProtocol.envelope(requestID: 0, .heartbeat(Triad_V1_Heartbeat())), to: device, now: now)
            }
        }
        return actions
    }

    /// A new request: `operations` to cost on `deviceID`'s worker, sent now if it is configured.
    mutating func submit(deviceID: String, iteration: Int, operations: [TriadCore.Operation], now: Int64)
        -> (id: UInt64, actions: [Action])
    {
        let sent = submit(to: [deviceID], iteration: iteration, operations: operations, keepingBytes: false, now: now)
        return (sent.ids[0], sent.actions)
    }

    /// The same request to each of `deviceIDs`, the operations encoded once: each payload is that encoding with
    /// its own request id appended (a later field of a protobuf message is read as if it came first). With
    /// `keepingBytes`, results are kept undecoded (`InFlightRequests.Answer.resultBytes`).
    mutating func submit(
        to deviceIDs: [String], iteration: Int, operations: [TriadCore.Operation], keepingBytes: Bool, now: Int64
    ) -> (ids: [UInt64], actions: [Action]) {
        var batch = Triad_V1_EvaluateBatch()
        batch.iteration = UInt64(max(0, iteration))
        batch.operations = operations.map(\.wire)
        let shared = WireProtocol.encode(WireProtocol.envelope(requestID: 0, .evaluate(batch)))
        var ids: [UInt64] = []
        var actions: [Action] = []
        for deviceID in deviceIDs {
            let requestID = inFlight.newID()
            var payload = shared
            payload.append(EnvelopeScan.varintField(2, requestID))
            inFlight[requestID] = InFlightRequests.Request(
                deviceID: deviceID, payload: payload, sentTo: nil, keepsBytes: keepingBytes)
            statistics.requests += 1
            ids.append(requestID)
            actions += dispatch(requestID, now: now)
        }
        return (ids, actions)
    }

    /// Tells every worker and standby the run is over.
    mutating func shutdown(reason: String, now: Int64) -> [Action] {
        var body = Triad_V1_Disconnect()
        body.reason = reason
        let envelope = WireProtocol.envelope(requestID: 0, .disconnect(body))
        var actions: [Action] = []
        for (device, _) in peers.sorted { actions += send(envelope, to: device, now: now) }
        for device in standbys.keys.sorted() {
            for routing in (standbys[device] ?? [:]).keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                actions.append(sendAction(envelope, to: routing))
            }
        }
        return actions
    }

    // MARK: Steps

    /// Sends an in-flight request to its device's configured worker, if there is one.
    mutating func dispatch(_ requestID: UInt64, now: Int64) -> [Action] {
        guard var request = inFlight[requestID], let peer = peers[request.deviceID], peer.configured else { return [] }
        if request.sentTo != nil { statistics.resent += 1 }
        request.sentTo = peer.routingID
        inFlight[requestID] = request
        peers[request.deviceID]?.lastSent = now
        return [.send(routingID: peer.routingID, payload: request.payload)]
    }

    mutating func send(_ envelope: Triad_V1_Envelope, to device: String, now: Int64) -> [Action] {
        guard let peer = peers[device] else { return [] }
        peers[device]?.lastSent = now
        return [sendAction(envelope, to: peer.routingID)]
    }

    func sendAction(_ envelope: Triad_V1_Envelope, to routingID: Data) -> Action {
        .send(routingID: routingID, payload: WireProtocol.encode(envelope))
    }

    func peerName(_ routingID: Data?) -> String {
        guard let routingID else { return "unknown" }
        if let device = peers.device(routing: routingID) { return device }
        return "peer-" + routingID.map { String(format: "%02x", $0) }.joined()
    }

    /// Counts `error` (logging the first of its kind per peer) and answers it with an Error.
    mutating func reject(_ error: WireError, routingID: Data?, requestID: UInt64 = 0) -> [Action] {
        let logged = count(error, routingID: routingID)
        guard let routingID else { return logged }
        return logged + [sendAction(WireProtocol.error(requestID: requestID, error), to: routingID)]
    }

    /// Counts `error`, logging the first of its kind per peer.
    mutating func count(_ error: WireError, routingID: Data?) -> [Action] {
        let peer = peerName(routingID)
        guard rejections.count(error, peer: peer) else { return [] }
        return [.log(.warning, "rejected input", RejectionCounter.metadata(error, peer: peer))]
    }

    mutating func declareDead(_ device: String, silentFor silence: Int64, now: Int64) -> [Action] {
        guard peers.remove(device) != nil else { return [] }
        statistics.deaths.append((device, silence))
        diedAt[device] = now
        return [
            .log(.warning, "worker declared dead", ["device": "\(device)", "silent_ms": "\(silence)"]),
            .deviceDead(device),
        ]
    }
}
