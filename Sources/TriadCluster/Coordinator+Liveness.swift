import Foundation
import Logging
import TriadWire

/// Liveness: heartbeats to quiet workers, and a worker silent past the liveness window declared dead (its
/// in-flight requests wait for a replacement).
extension Coordinator {
    func declareDead(_ device: String, silentFor silence: Int64) {
        guard peers.remove(device) != nil else { return }
        statistics.deaths.append((device, silence))
        diedAt[device] = clock.milliseconds()
        logger.warning("worker declared dead", metadata: ["device": "\(device)", "silent_ms": "\(silence)"])
        onDeviceDead(device)
    }

    func housekeeping() {
        let now = clock.milliseconds()
        for (device, peer) in peers.sorted {
            if now - peer.lastSeen > configuration.livenessMilliseconds {
                declareDead(device, silentFor: now - peer.lastSeen)
            } else if now - peer.lastSent >= configuration.heartbeatMilliseconds {
                send(
                    WireProtocol.encode(WireProtocol.envelope(requestID: 0, .heartbeat(Triad_V1_Heartbeat()))),
                    to: device)
            }
        }
    }
}
