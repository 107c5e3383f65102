@preconcurrency import CZeroMQ
public import Foundation

/// One ZeroMQ socket. Not `Sendable`: create it, use it and close it on one thread.
public final class ZMQSocket {
    public enum Kind {
        case router
        case dealer

        var zmqType: Int32 {
            switch self {
            case .router: return ZMQ_ROUTER
            case .dealer: return ZMQ_DEALER
            }
        }
    }

    private var handle: UnsafeMutableRawPointer?
    public let kind: Kind

    public init(context: ZMQContext, kind: Kind) throws {
        guard let socket = zmq_socket(context.handle, kind.zmqType) else {
            throw TransportError.zmq("zmq_socket", errno: zmq_errno())
        }
        handle = socket
        self.kind = kind
    }

    deinit {
        if let handle { _ = zmq_close(handle) }
    }

    /// The libzmq handle, for the monitor (same module only).
    func rawHandle() throws -> UnsafeMutableRawPointer { try socket() }

    private func socket() throws -> UnsafeMutableRawPointer {
        guard let handle else { throw TransportError.closed }
        return handle
    }

    public func set(_ option: Int32, _ value: Int32) throws {
        var copy = value
        guard zmq_setsockopt(try socket(), option, &copy, MemoryLayout<Int32>.size) == 0 else {
            throw TransportError.zmq("zmq_setsockopt(\(option))", errno: zmq_errno())
        }
    }

    public func set(_ option: Int32, _ value: Int64) throws {
        var copy = value
        guard zmq_setsockopt(try socket(), option, &copy, MemoryLayout<Int64>.size) == 0 else {
            throw TransportError.zmq("zmq_setsockopt(\(option))", errno: zmq_errno())
        }
    }

    public func set(_ option: Int32, bytes: [UInt8]) throws {
        let result = bytes.withUnsafeBufferPointer { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw TransportError.zmq("zmq_setsockopt(\(option))", errno: zmq_errno()) }
    }

    public func set(_ option: Int32, text: String) throws {
        try set(option, bytes: Array(text.utf8))
    }

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(try socket(), endpoint) == 0 else {
            throw TransportError.zmq("zmq_bind(\(endpoint))", errno: zmq_errno())
        }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(try socket(), endpoint) == 0 else {
            throw TransportError.zmq("zmq_connect(\(endpoint))", errno: zmq_errno())
        }
    }

    /// The endpoint actually bound (resolves `tcp://127.0.0.1:*`).
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(try socket(), ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw TransportError.zmq("zmq_getsockopt(LAST_ENDPOINT)", errno: zmq_errno())
        }
        return cText(buffer)
    }

    /// Sends a multipart message without blocking.
    @discardableResult
    public func send(_ frames: [Data]) throws -> SendOutcome {
        let socket = try socket()
        for (index, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (index < frames.count - 1 ? ZMQ_SNDMORE : 0)
            let result = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, flags) }
            if result < 0 {
                let code = zmq_errno()
                if code == EAGAIN { return .wouldBlock }
                if code == EHOSTUNREACH { return .unreachable }
                throw TransportError.zmq("zmq_send", errno: code)
            }
        }
        return .sent
    }

    /// Waits up to `timeoutMilliseconds` for a message (0: don't wait) and reads it whole, enforcing
    /// `limits` before anything parses it: an over-limit message is drained and reported as `.rejected`.
    public func receive(timeoutMilliseconds: Int, limits: FrameLimits) throws -> Received? {
        try receive(timeoutMilliseconds: timeoutMilliseconds, limits: limits, waking: nil)
    }

    /// `receive(timeoutMilliseconds:limits:)`; with `waking`, another socket (a monitor) that has something to read also ends the wait, with nil.
    public func receive(timeoutMilliseconds: Int, limits: FrameLimits, waking: UnsafeMutableRawPointer?) throws
        -> Received?
    {
        let socket = try socket()
        var items = [zmq_pollitem_t(socket: socket, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)]
        if let waking { items.append(zmq_pollitem_t(socket: waking, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)) }
        let ready = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
        if ready < 0 {
            let code = zmq_errno()
            if code == EINTR { return nil }
            throw TransportError.zmq("zmq_poll", errno: code)
        }
        guard ready > 0, items[0].revents & Int16(ZMQ_POLLIN) != 0 else { return nil }
        var frames: [Data] = []
        var userID: String?
        var total = 0
        var violation: FrameLimits.Violation?
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let size = zmq_msg_recv(&message, socket, ZMQ_DONTWAIT)
            if size < 0 {
                let code = zmq_errno()
                if code == EAGAIN && frames.isEmpty { return nil }
                throw TransportError.zmq("zmq_msg_recv", errno: code)
            }
            total += Int(size)
            if userID == nil, let property = zmq_msg_gets(&message, "User-Id") {
                userID = String(cString: property)
            }
            if violation == nil {
                if frames.count >= limits.maximumFrames {
                    violation = .tooManyFrames
                } else if total > limits.maximumBytes {
                    violation = .oversize
                } else {
                    frames.append(Data(bytes: zmq_msg_data(&message), count: Int(size)))
                }
            }
            if zmq_msg_more(&message) == 0 { break }
        }
        if let violation { return .rejected(violation, firstFrame: frames.first) }
        return .message(frames, userID: userID)
    }

    /// Closes the socket after at most `lingerMilliseconds` for queued messages to go.
    public func close(lingerMilliseconds: Int32) {
        guard let handle else { return }
        var linger = lingerMilliseconds
        _ = zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        _ = zmq_close(handle)
        self.handle = nil
    }
}

/// Caps checked on every received message before it is parsed.
public struct FrameLimits: Sendable {
    public enum Violation: String, Sendable {
        case tooManyFrames
        case oversize
    }

    public var maximumFrames: Int
    public var maximumBytes: Int

    public init(maximumFrames: Int, maximumBytes: Int) {
        self.maximumFrames = maximumFrames
        self.maximumBytes = maximumBytes
    }
}

/// What `receive` got.
public enum Received: Sendable {
    /// The frames, and the CURVE key that authenticated the sender (ZAP `User-Id`), if any.
    case message([Data], userID: String?)
    /// A message over the limits, drained; its first frame (a ROUTER's peer id) if one was kept.
    case rejected(FrameLimits.Violation, firstFrame: Data?)
}

extension ZMQSocket {
    /// ZMQ_ZAP_ENFORCE_DOMAIN: behind libzmq's draft guard in the headers, its value is stable (93).
    static let zapEnforceDomain: Int32 = 93

    /// The coordinator's ROUTER: unroutable sends fail instead of vanishing, ZMTP heartbeats every 500 ms
    /// (1.5 s timeout), libzmq drops peers sending frames over twice `maximumMessageBytes` (a memory net;
    /// the receive limits count the rest), CURVE server keys if given; bound to `endpoint`.
    public static func coordinatorRouter(
        context: ZMQContext, bind endpoint: String, maximumMessageBytes: Int, curve: CurveServerKeys?,
        adopting descriptor: Int32? = nil
    ) throws -> ZMQSocket {
        let socket = try clusterSocket(context: context, kind: .router, maximumMessageBytes: maximumMessageBytes)
        try socket.set(ZMQ_ROUTER_MANDATORY, Int32(1))
        if let curve { try curve.apply(to: socket) }
        // A socket already bound and listening (a pool's): libzmq accepts on it, and closes it with the ROUTER.
        if let descriptor { try socket.set(ZMQ_USE_FD, descriptor) }
        try socket.bind(endpoint)
        return socket
    }

    /// A worker's DEALER: ZMTP heartbeats, reconnect every 100 ms, the same frame-size net, CURVE client
    /// keys if given; connected to `endpoint`.
    public static func workerDealer(
        context: ZMQContext, connect endpoint: String, maximumMessageBytes: Int, curve: CurveClientKeys?
    ) throws -> ZMQSocket {
        try monitoredWorkerDealer(
            context: context, connect: endpoint, maximumMessageBytes: maximumMessageBytes, curve: curve, monitor: false
        ).socket
    }

    /// A worker's DEALER with a monitor attached before it connects (so no event is missed). A `patient` one (a
    /// pool's worker) waits in the pool's listening queue for as long as it takes (no handshake timeout) and
    /// reconnects within 5 ms (the pool's listener is always there), backing off to 1 s while refused.
    public static func monitoredWorkerDealer(
        context: ZMQContext, connect endpoint: String, maximumMessageBytes: Int, curve: CurveClientKeys?,
        monitor: Bool = true, patient: Bool = false
    ) throws -> (socket: ZMQSocket, monitor: ZMQMonitor?) {
        let socket = try clusterSocket(context: context, kind: .dealer, maximumMessageBytes: maximumMessageBytes)
        try socket.set(ZMQ_RECONNECT_IVL, Int32(patient ? 5 : 100))
        if patient {
            // Refused (the pool's keeper gone): back off to a second between attempts.
            try socket.set(ZMQ_RECONNECT_IVL_MAX, Int32(1000))
            try socket.set(ZMQ_HANDSHAKE_IVL, Int32(0))
        }
        if let curve { try curve.apply(to: socket) }
        let watcher = monitor ? try ZMQMonitor(socket: socket, context: context) : nil
        try socket.connect(endpoint)
        return (socket, watcher)
    }

    /// ZMTP heartbeats every 500 ms with a 1.5 s timeout, and the frame-size net.
    private static func clusterSocket(context: ZMQContext, kind: Kind, maximumMessageBytes: Int) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: kind)
        try socket.set(ZMQ_HEARTBEAT_IVL, Int32(500))
        try socket.set(ZMQ_HEARTBEAT_TIMEOUT, Int32(1500))
        try socket.set(ZMQ_MAXMSGSIZE, Int64(2 * maximumMessageBytes))
        return socket
    }
}
