@preconcurrency import CZeroMQ
import Foundation

/// A TCP socket bound to a loopback port and listening, owned by a `triad pool`: its workers connect to it and wait
/// in its queue, and each run's coordinator takes a copy of it (`ZMQTransport.listen(adopting:)`) and accepts them
/// at once — registration is an event, not a reconnect timer. Nobody accepts while no run is attached.
public final class TCPListener: @unchecked Sendable {
    /// The listening descriptor (closed by `close()`).
    public private(set) var descriptor: Int32
    /// `tcp://127.0.0.1:PORT`.
    public let endpoint: String

    /// Listens on 127.0.0.1:`port` (0: the OS chooses) with room for `backlog` waiting connections.
    public init(port: UInt16 = 0, backlog: Int32 = 4096) throws {
        var bound: UInt16 = 0
        let fd = triad_tcp_listen(port, backlog, &bound)
        guard fd >= 0 else { throw TransportError.zmq("listen on 127.0.0.1:\(port)", errno: errno) }
        descriptor = fd
        endpoint = "tcp://127.0.0.1:\(bound)"
    }

    /// A new descriptor for the same listening socket (for a coordinator to adopt; it closes its copy).
    public func duplicate() throws -> Int32 {
        let copy = triad_duplicate(descriptor)
        guard copy >= 0 else { throw TransportError.zmq("dup", errno: errno) }
        return copy
    }

    public func close() {
        guard descriptor >= 0 else { return }
        triad_close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
