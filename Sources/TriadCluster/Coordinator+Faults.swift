import TriadCore
import Foundation
import Logging
import TriadWire

/// Faulty workers and standbys: a worker whose reply cannot be right is dropped and refused from then on,
/// and its work goes to a standby (a worker that registered for the same device while it was held).
extension Coordinator {
    /// Marks the worker under `routingID` faulty and hands its device to a live standby, or fails the run.
    func markFaulty(_ device: String, routing routingID: Data, reason: String) throws {
        faultyRoutes.insert(routingID)
        statistics.faults.append((device, reason))
        logger.warning(
            "worker faulty; its replies are discarded",
            metadata: ["device": "\(device)", "reason": "\(LogSafe.text(reason))"])
        inFlight.requeueAll(answeredBy: routingID)
        send(WireProtocol.error(requestID: 0, WireError(.refused, "faulty replies: \(reason)")), toRouting: routingID)
        if peers[device]?.routingID == routingID {
            peers.remove(device)
            diedAt[device] = clock.milliseconds()
        }
        guard promoteStandby(for: device) else {
            throw ClusterError("\(device)'s worker \(reason); no standby worker to redo its work")
        }
    }

    /// Remembers a worker that asked for `device` while another held it.
    func recordStandby(_ device: String, routing routingID: Data) {
        standbys[device, default: [:]][routingID] = clock.milliseconds()
    }

    /// Gives `device` to its most recently heard live standby; false if there is none.
    func promoteStandby(for device: String) -> Bool {
        let now = clock.milliseconds()
        let live = (standbys[device] ?? [:]).filter {
            !faultyRoutes.contains($0.key) && now - $0.value <= configuration.livenessMilliseconds
                && peers.device(routing: $0.key) == nil
        }
        let ordered = live.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key)
        }
        guard let chosen = ordered.first else { return false }
        standbys[device]?.removeValue(forKey: chosen.key)
        logger.notice("standby takes over", metadata: ["device": "\(device)"])
        admit(device, routing: chosen.key, requestID: 0)
        return true
    }
}
