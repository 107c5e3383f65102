import Foundation
import TriadCore
import TriadWire

/// Faulty workers and standbys: a worker whose reply cannot be right is dropped and refused from then on, and its
/// work goes to a standby (a worker that registered for the same device while it was held).
extension CoordinatorSession {
    /// Marks the worker under `routingID` faulty (telling it so) and hands its device to a live standby;
    /// `replaced` is false when there is none (the run cannot go on).
    mutating func markFaulty(_ device: String, routing routingID: Data, reason: String, now: Int64)
        -> (actions: [Action], replaced: Bool)
    {
        faultyRoutes.insert(routingID)
        statistics.faults.append((device, reason))
        var actions: [Action] = [
            .log(
                .warning, "worker faulty; its replies are discarded",
                ["device": "\(device)", "reason": "\(LogSafe.text(reason))"])
        ]
        inFlight.requeueAll(answeredBy: routingID)
        actions.append(
            sendAction(
                WireProtocol.error(requestID: 0, WireError(.refused, "faulty replies: \(reason)")), to: routingID))
        if peers[device]?.routingID == routingID {
            peers.remove(device)
            diedAt[device] = now
        }
        guard let promoted = promoteStandby(for: device, now: now) else { return (actions, false) }
        return (actions + promoted, true)
    }

    /// Gives `device` to its most recently heard live standby; nil if there is none.
    mutating func promoteStandby(for device: String, now: Int64) -> [Action]? {
        let live = (standbys[device] ?? [:]).filter {
            !faultyRoutes.contains($0.key) && now - $0.value <= timings.coordinatorLivenessMilliseconds
                && peers.device(routing: $0.key) == nil
        }
        let ordered = live.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key)
        }
        guard let chosen = ordered.first else { return nil }
        standbys[device]?.removeValue(forKey: chosen.key)
        return [.log(.notice, "standby takes over", ["device": "\(device)"])]
            + admit(device, routing: chosen.key, requestID: 0, now: now)
    }
}
