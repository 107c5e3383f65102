public import Foundation

/// Makes the sockets a coordinator and its workers talk over — ZeroMQ (`ZMQTransport`) or in-memory queues
/// (`InMemoryTransport`) — so the cluster logic never names the library underneath and runs unchanged on both.
public protocol Transport: AnyObject, Sendable {
    /// The coordinator's end, bound at `endpoint` (`tcp://HOST:*` lets the OS choose the port). With
    /// `security`, only clients whose keys it allows get in; `refused` hears each refused key.
    func listen(
        at endpoint: String, maximumMessageBytes: Int, security: CurveServerKeys?,
        refused: @escaping @Sendable (String) -> Void
    ) throws -> any ListeningSocket

    /// A worker's end, connected (and reconnecting by itself) to `endpoint`.
    func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?) throws
        -> any ConnectedSocket

    /// A worker's end; a `patient` one (a pool's worker) waits for a coordinator as long as it takes and reconnects
    /// at once (transports without connections ignore it).
    func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?, patient: Bool) throws
        -> any ConnectedSocket
}

extension Transport {
    public func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?, patient: Bool)
        throws -> any ConnectedSocket
    {
        try connect(to: endpoint, maximumMessageBytes: maximumMessageBytes, security: security)
    }
}

/// The coordinator's socket: messages arrive as `[routing id, payload]`.
public protocol ListeningSocket: MessageSocket {
    /// The endpoint actually bound (the port the OS chose for `*`).
    var endpoint: String { get }
    /// Whether a message under `routingID` with the authenticated `userID` comes from an allowed peer (always
    /// true without security).
    func isAllowed(routingID: Data, userID: String?) -> Bool
}

/// A worker's socket, with what happened to its connection since the last call.
public protocol ConnectedSocket: MessageSocket {
    /// Connection events since the last call, oldest first (none where the transport has no connections).
    func connectionEvents() -> [ConnectionEvent]

    /// `receive(timeoutMilliseconds:limits:)`; with `wakingOnEvents`, a connection event also ends the wait (with
    /// nil), so that it is read at once.
    func receive(timeoutMilliseconds: Int, limits: FrameLimits, wakingOnEvents: Bool) throws -> Received?
}

extension ConnectedSocket {
    public func receive(timeoutMilliseconds: Int, limits: FrameLimits, wakingOnEvents: Bool) throws -> Received? {
        try receive(timeoutMilliseconds: timeoutMilliseconds, limits: limits)
    }
}

/// What happened to a worker's connection. A worker tells "refused by the coordinator's key check" (terminal)
/// and "torn down and not retried" (an oversized frame, a security mismatch: reconnect) from "coordinator not
/// there yet" (the transport keeps retrying by itself).
public enum ConnectionEvent: Sendable, Equatable {
    case connected
    case connectRetried
    case disconnected
    case handshakeSucceeded
    /// The server refused this client's key; `status` is the ZAP status code (e.g. 400).
    case handshakeFailedAuthentication(status: UInt32)
    /// A security-mechanism mismatch or other protocol violation; not retried.
    case handshakeFailedProtocol
    case handshakeFailedNoDetail
    case other
}
