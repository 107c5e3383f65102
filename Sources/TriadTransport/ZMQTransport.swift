public import Foundation

/// ZeroMQ: a ROUTER for the coordinator (with a ZAP handler under CURVE), monitored DEALERs for workers.
public final class ZMQTransport: Transport {
    public let context: ZMQContext

    public init(context: ZMQContext = ZMQContext()) {
        self.context = context
    }

    public func listen(
        at endpoint: String, maximumMessageBytes: Int, security: CurveServerKeys?,
        refused: @escaping @Sendable (String) -> Void
    ) throws -> any ListeningSocket {
        let zap = try security.map {
            try ZAPHandler(context: context, allowedPublicKeys: $0.allowedClientKeys, refused: refused)
        }
        do {
            let socket = try ZMQSocket.coordinatorRouter(
                context: context, bind: endpoint, maximumMessageBytes: maximumMessageBytes, curve: security)
            return ZMQListeningSocket(socket: socket, endpoint: try socket.lastEndpoint(), zap: zap)
        } catch {
            zap?.close()
            throw error
        }
    }

    public func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?) throws
        -> any ConnectedSocket
    {
        try connect(to: endpoint, maximumMessageBytes: maximumMessageBytes, security: security, patient: false)
    }

    public func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?, patient: Bool)
        throws -> any ConnectedSocket
    {
        let made = try ZMQSocket.monitoredWorkerDealer(
            context: context, connect: endpoint, maximumMessageBytes: maximumMessageBytes, curve: security,
            patient: patient)
        return ZMQConnectedSocket(socket: made.socket, monitor: made.monitor)
    }

    /// A coordinator's ROUTER accepting on `descriptor`, a TCP socket already bound to `endpoint` and listening
    /// (a pool's, `TCPListener`); the ROUTER owns the descriptor and closes it.
    public func listen(adopting descriptor: Int32, endpoint: String, maximumMessageBytes: Int) throws
        -> any ListeningSocket
    {
        let socket = try ZMQSocket.coordinatorRouter(
            context: context, bind: endpoint, maximumMessageBytes: maximumMessageBytes, curve: nil,
            adopting: descriptor)
        return ZMQListeningSocket(socket: socket, endpoint: endpoint, zap: nil)
    }

    /// Ends the context (after every socket is closed).
    public func terminate() { context.terminate() }
}

/// A bound ROUTER and, under CURVE, its ZAP handler (closed with it).
final class ZMQListeningSocket: ListeningSocket, ZMQSocketOwner {
    let socket: ZMQSocket
    let endpoint: String
    private var zap: ZAPHandler?

    init(socket: ZMQSocket, endpoint: String, zap: ZAPHandler?) {
        self.socket = socket
        self.endpoint = endpoint
        self.zap = zap
    }

    func isAllowed(routingID: Data, userID: String?) -> Bool {
        zap?.isAllowed(routingID: routingID, userID: userID) ?? true
    }

    func close(lingerMilliseconds: Int32) {
        socket.close(lingerMilliseconds: lingerMilliseconds)
        zap?.close()
        zap = nil
    }
}

/// A connected DEALER and its monitor (closed with it).
final class ZMQConnectedSocket: ConnectedSocket, ZMQSocketOwner {
    let socket: ZMQSocket
    private var monitor: ZMQMonitor?

    init(socket: ZMQSocket, monitor: ZMQMonitor?) {
        self.socket = socket
        self.monitor = monitor
    }

    func connectionEvents() -> [ConnectionEvent] { monitor?.drain() ?? [] }

    func receive(timeoutMilliseconds: Int, limits: FrameLimits, wakingOnEvents: Bool) throws -> Received? {
        try socket.receive(
            timeoutMilliseconds: timeoutMilliseconds, limits: limits, waking: wakingOnEvents ? monitor?.pollHandle : nil)
    }

    func close(lingerMilliseconds: Int32) {
        socket.close(lingerMilliseconds: lingerMilliseconds)
        monitor?.close()
        monitor = nil
    }
}

/// A wrapper around one ZeroMQ socket (and what closes with it): sends and receives go to the socket.
protocol ZMQSocketOwner: MessageSocket {
    var socket: ZMQSocket { get }
}

extension ZMQSocketOwner {
    func send(_ frames: [Data]) throws -> SendOutcome { try socket.send(frames) }

    func receive(timeoutMilliseconds: Int, limits: FrameLimits) throws -> Received? {
        try socket.receive(timeoutMilliseconds: timeoutMilliseconds, limits: limits)
    }
}
