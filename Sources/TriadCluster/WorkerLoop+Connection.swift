import Logging
import TriadTransport

/// The worker's connection: what the socket monitor says, and a fresh socket when libzmq will not reconnect
/// by itself (an oversized frame, a security mismatch) or the coordinator stays silent too long.
extension WorkerLoop {
    /// Reads the monitor: a refused key ends the loop; a connection dropped with no retry is remembered.
    func watchConnection(now: Int64) {
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
    func shouldReconnect(now: Int64, silentSince: Int64) -> Bool {
        guard reconnectSocket != nil else { return false }
        if let droppedAt, now - droppedAt > 500 { return true }
        return now - silentSince > 2 * configuration.livenessMilliseconds
    }

    /// Closes the socket and connects a fresh one, then registers again.
    func reconnect() throws {
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
}
