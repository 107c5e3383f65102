@preconcurrency import CZeroMQ
import Foundation

/// The connection events of one socket, read without blocking from libzmq's socket monitor (an inproc PAIR).
/// A worker uses them to tell "refused by the coordinator's key check" (terminal: stop) and "connection torn
/// down and not retried" (an oversized frame, a security mismatch: reconnect) from "coordinator not there yet"
/// (libzmq keeps retrying by itself).
public final class ZMQMonitor {
    public typealias Event = ConnectionEvent

    private var pair: UnsafeMutableRawPointer?

    /// Starts monitoring `socket` (call before it connects, to see every event).
    public init(socket: ZMQSocket, context: ZMQContext) throws {
        let endpoint = "inproc://triad-monitor-\(UInt64.random(in: 0...UInt64.max))"
        let events =
            ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED
            | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
        guard zmq_socket_monitor(try socket.rawHandle(), endpoint, events) == 0 else {
            throw TransportError.zmq("zmq_socket_monitor", errno: zmq_errno())
        }
        guard let pair = zmq_socket(context.handle, ZMQ_PAIR) else {
            throw TransportError.zmq("zmq_socket(PAIR)", errno: zmq_errno())
        }
        guard zmq_connect(pair, endpoint) == 0 else {
            let code = zmq_errno()
            zmq_close(pair)
            throw TransportError.zmq("zmq_connect(\(endpoint))", errno: code)
        }
        self.pair = pair
    }

    deinit { close() }

    /// The libzmq handle of the monitor's reading end, to wait on with the monitored socket (same module only).
    var pollHandle: UnsafeMutableRawPointer? { pair }

    /// Every event that has arrived, oldest first, without waiting.
    public func drain() -> [Event] {
        guard let pair else { return [] }
        var events: [Event] = []
        while events.count < 10_000 {
            var first = zmq_msg_t()
            zmq_msg_init(&first)
            defer { zmq_msg_close(&first) }
            guard zmq_msg_recv(&first, pair, ZMQ_DONTWAIT) >= 0 else { break }
            var event: UInt16 = 0
            var value: UInt32 = 0
            if zmq_msg_size(&first) >= 6 {
                let bytes = zmq_msg_data(&first)!
                memcpy(&event, bytes, 2)
                memcpy(&value, bytes + 2, 4)
            }
            // The second frame names the endpoint; read it to keep the frames paired.
            while zmq_msg_more(&first) != 0 {
                var rest = zmq_msg_t()
                zmq_msg_init(&rest)
                let received = zmq_msg_recv(&rest, pair, ZMQ_DONTWAIT)
                let more = zmq_msg_more(&rest)
                zmq_msg_close(&rest)
                if received < 0 || more == 0 { break }
            }
            events.append(Self.event(Int32(event), value: value))
        }
        return events
    }

    private static func event(_ code: Int32, value: UInt32) -> Event {
        switch code {
        case ZMQ_EVENT_CONNECTED: return .connected
        case ZMQ_EVENT_CONNECT_RETRIED: return .connectRetried
        case ZMQ_EVENT_DISCONNECTED: return .disconnected
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return .handshakeSucceeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return .handshakeFailedAuthentication(status: value)
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return .handshakeFailedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return .handshakeFailedNoDetail
        default: return .other
        }
    }

    /// Stops reading events (the monitored socket stops its monitor when it closes).
    public func close() {
        guard let pair else { return }
        var linger: Int32 = 0
        _ = zmq_setsockopt(pair, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        zmq_close(pair)
        self.pair = nil
    }
}
