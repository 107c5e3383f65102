public import Foundation
@preconcurrency import CZeroMQ

/// A ZAP handler (RFC 27) on `inproc://zeromq.zap.01`: admits CURVE clients whose public key is on the
/// allowlist and names each by its key (the `User-Id` of its messages). It runs on its own thread, which
/// owns its REP socket.
public final class ZAPHandler: @unchecked Sendable {
    private let stop = StopSignal()
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var keyOfRouting: [Data: String] = [:]

    /// Starts the handler; `refused` hears the Z85 key of every client it turns away.
    public init(context: ZMQContext, allowedPublicKeys: Set<String>, refused: @escaping @Sendable (String) -> Void)
        throws
    {
        let ready = DispatchSemaphore(value: 0)
        let bound = BindOutcome()
        let thread = Thread { [stop, finished] in
            defer { finished.signal() }
            let socket = zmq_socket(context.handleForZAP, ZMQ_REP)
            guard let socket, zmq_bind(socket, "inproc://zeromq.zap.01") == 0 else {
                bound.failed = true
                ready.signal()
                return
            }
            ready.signal()
            var timeout: Int32 = 100
            zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, MemoryLayout<Int32>.size)
            while !stop.isRaised {
                var frames: [Data] = []
                while true {
                    var message = zmq_msg_t()
                    zmq_msg_init(&message)
                    let size = zmq_msg_recv(&message, socket, 0)
                    if size < 0 {
                        zmq_msg_close(&message)
                        break
                    }
                    frames.append(Data(bytes: zmq_msg_data(&message), count: Int(size)))
                    let more = zmq_msg_more(&message)
                    zmq_msg_close(&message)
                    if more == 0 { break }
                }
                guard frames.count >= 6 else { continue }
                var status = "400"
                var text = "denied"
                var userID = ""
                if frames.count >= 7, String(decoding: frames[5], as: UTF8.self) == "CURVE", frames[6].count == 32 {
                    let key = z85(frames[6])
                    if allowedPublicKeys.contains(key) {
                        status = "200"
                        text = "OK"
                        userID = key
                    } else {
                        refused(key)
                    }
                }
                let reply = [frames[0], frames[1], Data(status.utf8), Data(text.utf8), Data(userID.utf8), Data()]
                for (index, frame) in reply.enumerated() {
                    _ = frame.withUnsafeBytes {
                        zmq_send(socket, $0.baseAddress, $0.count, index < reply.count - 1 ? ZMQ_SNDMORE : 0)
                    }
                }
            }
            var linger: Int32 = 0
            zmq_setsockopt(socket, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
            zmq_close(socket)
        }
        thread.start()
        ready.wait()
        if bound.failed { throw TransportError.zmq("zmq_bind(inproc://zeromq.zap.01)", errno: zmq_errno()) }
    }

    /// Binds a routing id to the key that authenticated it on first sight; false if another key uses it.
    public func isAllowed(routingID: Data, userID: String?) -> Bool {
        guard let userID, !userID.isEmpty else { return false }
        lock.lock()
        defer { lock.unlock() }
        if let known = keyOfRouting[routingID] { return known == userID }
        keyOfRouting[routingID] = userID
        return true
    }

    public func close() {
        stop.raise()
        finished.wait()
    }
}

/// Z85 encoding (ZeroMQ RFC 32) of a key.
public func z85(_ data: Data) -> String {
    var buffer = [CChar](repeating: 0, count: data.count * 5 / 4 + 1)
    _ = data.withUnsafeBytes { zmq_z85_encode(&buffer, $0.bindMemory(to: UInt8.self).baseAddress, data.count) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Whether the ZAP thread failed to bind; written before the semaphore signals, read after it.
private final class BindOutcome: @unchecked Sendable {
    var failed = false
}
