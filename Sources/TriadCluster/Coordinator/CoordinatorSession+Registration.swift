import Foundation
import TriadCore
import TriadDevices
import TriadWire

/// Registration and configuration: who serves each device, standbys, and configuring (again).
extension CoordinatorSession {
    mutating func registration(_ register: Triad_V1_Register, routingID: Data, requestID: UInt64, now: Int64)
        -> [Action]
    {
        guard !faultyRoutes.contains(routingID) else {
            return reject(
                WireError(.refused, "this worker's replies were found faulty"), routingID: routingID,
                requestID: requestID)
        }
        if unusedDevices.contains(register.deviceID) { return [] }
        guard devices.contains(where: { $0.id == register.deviceID }) else {
            return reject(
                WireError(.refused, "no device '\(LogSafe.text(register.deviceID, limit: 64))' in the topology"),
                routingID: routingID, requestID: requestID)
        }
        guard register.protocolVersion == WireProtocol.version else {
            return reject(
                WireError(
                    .refused,
                    "worker speaks protocol version \(register.protocolVersion), the coordinator \(WireProtocol.version)"
                ),
                routingID: routingID, requestID: requestID)
        }
        var actions: [Action] = []
        if let existing = peers[register.deviceID], existing.routingID != routingID {
            if now - existing.lastSeen <= timings.coordinatorLivenessMilliseconds {
                standbys[register.deviceID, default: [:]][routingID] = now
                return reject(
                    WireError(.duplicateDevice, "device '\(register.deviceID)' is served by a live worker"),
                    routingID: routingID, requestID: requestID)
            }
            actions += declareDead(register.deviceID, silentFor: now - existing.lastSeen, now: now)
        }
        standbys[register.deviceID]?.removeValue(forKey: routingID)
        actions.append(
            .log(
                .info, "worker registered",
                ["device": "\(register.deviceID)", "instance": "\(LogSafe.text(register.instance, limit: 80))"]))
        return actions + admit(register.deviceID, routing: routingID, requestID: requestID, now: now)
    }

    /// Makes the worker under `routingID` the one serving `device`: acknowledges it (announcing the timings) and
    /// sends the device's configuration (the device's requests are dispatched once it acknowledges).
    mutating func admit(_ device: String, routing routingID: Data, requestID: UInt64, now: Int64) -> [Action] {
        guard devices.contains(where: { $0.id == device }) else { return [] }
        // A worker serving another device under this routing id gives that device up.
        peers.release(routing: routingID, keeping: device)
        peers[device] = PeerTable.Peer(routingID: routingID, lastSeen: now, lastSent: now, configured: false)
        configuring = configuring.filter { $0.value != device }
        var ack = Triad_V1_RegisterAck()
        ack.deviceID = device
        timings.announce(in: &ack)
        return [sendAction(WireProtocol.envelope(requestID: requestID, .registerAck(ack)), to: routingID)]
            + configure(device, routing: routingID)
    }

    /// `device`'s worker acknowledged its configuration: what waits on the device goes to it.
    mutating func configured(_ device: String, now: Int64) -> [Action] {
        peers[device]?.configured = true
        configuring = configuring.filter { $0.value != device }
        var actions: [Action]
        if let died = diedAt.removeValue(forKey: device) {
            statistics.recoveries.append((device, now - died))
            actions = [
                .log(.notice, "replacement configured", ["device": "\(device)", "recovery_ms": "\(now - died)"])
            ]
        } else {
            actions = [.log(.info, "worker configured", ["device": "\(device)"])]
        }
        for requestID in inFlight.waiting(on: device) { actions += dispatch(requestID, now: now) }
        return actions
    }

    /// Configures `device`'s worker again (it answered that it has no configuration), unless a configuration is
    /// already on its way; the device's requests wait until it acknowledges.
    mutating func reconfigure(_ device: String, routing routingID: Data) -> [Action] {
        guard peers[device]?.routingID == routingID else { return [] }
        peers[device]?.configured = false
        guard !configuring.values.contains(device) else { return [] }
        statistics.reconfigurations += 1
        return [.log(.notice, "worker lost its configuration; configuring it again", ["device": "\(device)"])]
            + configure(device, routing: routingID)
    }

    private mutating func configure(_ device: String, routing routingID: Data) -> [Action] {
        guard let description = devices.first(where: { $0.id == device }) else { return [] }
        var configure = Triad_V1_Configure()
        configure.device = description.wire
        configure.modelName = modelName
        let configureID = inFlight.newID()
        configuring[configureID] = device
        return [sendAction(WireProtocol.envelope(requestID: configureID, .configure(configure)), to: routingID)]
    }
}
