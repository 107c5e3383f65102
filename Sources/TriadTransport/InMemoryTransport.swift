public import Foundation

/// An in-memory stand-in for a ROUTER with DEALER peers: the same framing, caps and routing-id rules as
/// ZeroMQ (the router sees `[peer id, payload]`, a send to an unknown peer is unreachable), for tests that
/// need no network.
public final class InMemoryRouter: @unchecked Sendable {
    private let condition = NSCondition()
    private var inbox: [[Data]] = []
    private var peers: [Data: InMemorySocket] = [:]
    private var nextPeer: UInt32 = 1

    public init() {}

    /// The router's socket.
    public lazy var socket: InMemorySocket = InMemorySocket(router: self, peerID: nil)

    /// A new DEALER connected to this router.
    public func connect() -> InMemorySocket {
        condition.lock()
        defer { condition.unlock() }
        var id = Data([0])
        withUnsafeBytes(of: nextPeer.bigEndian) { id.append(contentsOf: $0) }
        nextPeer += 1
        let peer = InMemorySocket(router: self, peerID: id)
        peers[id] = peer
        return peer
    }

    func deliverToRouter(_ frames: [Data]) {
        condition.lock()
        inbox.append(frames)
        condition.signal()
        condition.unlock()
    }

    func deliver(_ frames: [Data], to peer: Data) -> Bool {
        condition.lock()
        let target = peers[peer]
        condition.unlock()
        guard let target, !target.isClosed else { return false }
        target.enqueue(frames)
        return true
    }

    func disconnect(_ peer: Data) {
        condition.lock()
        peers.removeValue(forKey: peer)
        condition.unlock()
    }

    func takeForRouter(timeoutMilliseconds: Int) -> [Data]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while inbox.isEmpty {
            if timeoutMilliseconds <= 0 || !condition.wait(until: deadline) { break }
        }
        return inbox.isEmpty ? nil : inbox.removeFirst()
    }
}

/// One end of an in-memory connection: the router's socket (`peerID == nil`) or a dealer.
public final class InMemorySocket: MessageSocket, @unchecked Sendable {
    private unowned let router: InMemoryRouter
    let peerID: Data?
    private let condition = NSCondition()
    private var inbox: [[Data]] = []
    private(set) var isClosed = false

    init(router: InMemoryRouter, peerID: Data?) {
        self.router = router
        self.peerID = peerID
    }

    func enqueue(_ frames: [Data]) {
        condition.lock()
        inbox.append(frames)
        condition.signal()
        condition.unlock()
    }

    public func send(_ frames: [Data]) throws -> SendOutcome {
        guard !isClosed else { throw TransportError.closed }
        if let peerID {
            router.deliverToRouter([peerID] + frames)
            return .sent
        }
        guard let target = frames.first, frames.count > 1 else { return .unreachable }
        return router.deliver(Array(frames.dropFirst()), to: target) ? .sent : .unreachable
    }

    public func receive(timeoutMilliseconds: Int, limits: FrameLimits) throws -> Received? {
        guard !isClosed else { throw TransportError.closed }
        let frames: [Data]?
        if peerID == nil {
            frames = router.takeForRouter(timeoutMilliseconds: timeoutMilliseconds)
        } else {
            condition.lock()
            let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
            while inbox.isEmpty {
                if timeoutMilliseconds <= 0 || !condition.wait(until: deadline) { break }
            }
            frames = inbox.isEmpty ? nil : inbox.removeFirst()
            condition.unlock()
        }
        guard let frames else { return nil }
        if frames.count > limits.maximumFrames { return .rejected(.tooManyFrames, firstFrame: frames.first) }
        if frames.reduce(0, { $0 + $1.count }) > limits.maximumBytes {
            return .rejected(.oversize, firstFrame: frames.first)
        }
        return .message(frames, userID: nil)
    }

    public func close(lingerMilliseconds: Int32) {
        isClosed = true
        if let peerID { router.disconnect(peerID) }
    }
}

extension InMemorySocket: ListeningSocket, ConnectedSocket {
    public var endpoint: String { "inmemory" }
    public func isAllowed(routingID: Data, userID: String?) -> Bool { true }
    public func connectionEvents() -> [ConnectionEvent] { [] }
}

/// In-memory queues with ZeroMQ's routing rules, for tests and single-process runs that need no network: one
/// coordinator listens, any number of workers connect (each connection a fresh routing id).
public final class InMemoryTransport: Transport, @unchecked Sendable {
    public let router = InMemoryRouter()

    public init() {}

    public func listen(
        at endpoint: String, maximumMessageBytes: Int, security: CurveServerKeys?,
        refused: @escaping @Sendable (String) -> Void
    ) throws -> any ListeningSocket {
        router.socket
    }

    public func connect(to endpoint: String, maximumMessageBytes: Int, security: CurveClientKeys?) throws
        -> any ConnectedSocket
    {
        router.connect()
    }
}
