public import Foundation

/// What the coordinator and workers need of a socket; `ZMQSocket` and `InMemorySocket` provide it, so the
/// cluster logic runs unchanged over ZeroMQ or over in-memory queues in tests.
public protocol MessageSocket: AnyObject {
    /// Sends a multipart message without blocking.
    @discardableResult
    func send(_ frames: [Data]) throws -> SendOutcome
    /// Waits up to `timeoutMilliseconds` for a message, enforcing `limits`.
    func receive(timeoutMilliseconds: Int, limits: FrameLimits) throws -> Received?
    /// Closes after at most `lingerMilliseconds` for queued messages.
    func close(lingerMilliseconds: Int32)
}

/// What became of a send.
public enum SendOutcome: Sendable {
    case sent
    /// The peer's queue is full (ZeroMQ's `EAGAIN`).
    case wouldBlock
    /// The routing id names no connected peer (a ROUTER with `ROUTER_MANDATORY`: `EHOSTUNREACH`).
    case unreachable
}

extension ZMQSocket: MessageSocket {}
