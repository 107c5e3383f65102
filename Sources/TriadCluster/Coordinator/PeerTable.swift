import Foundation

/// The coordinator's view of its workers: which ZeroMQ routing id serves which device, when each was last
/// heard from and written to, and whether it has taken its configuration.
struct PeerTable {
    struct Peer {
        var routingID: Data
        var lastSeen: Int64
        var lastSent: Int64
        var configured: Bool
    }

    private var byDevice: [String: Peer] = [:]

    subscript(device: String) -> Peer? {
        get { byDevice[device] }
        set { byDevice[device] = newValue }
    }

    /// The device served under `routingID`, if any.
    func device(routing routingID: Data) -> String? {
        byDevice.first { $0.value.routingID == routingID }?.key
    }

    /// Forgets `device`; the peer it had, if any.
    @discardableResult
    mutating func remove(_ device: String) -> Peer? { byDevice.removeValue(forKey: device) }

    /// Devices and their peers in device-id order (deterministic).
    var sorted: [(device: String, peer: Peer)] {
        byDevice.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A worker now serving `device` under `routingID` gives up any other device it served under it.
    mutating func release(routing routingID: Data, keeping device: String) {
        for (other, peer) in byDevice where peer.routingID == routingID && other != device {
            byDevice.removeValue(forKey: other)
        }
    }
}
