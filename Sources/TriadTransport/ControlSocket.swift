@preconcurrency import CZeroMQ
public import Foundation

/// One end of a local control connection (a Unix stream socket): text lines, and a file descriptor handed over with
/// a line (`send(_:handing:)`). `triad pool`'s keeper and the commands that talk to it use it. Blocking; one thread
/// at a time per direction.
public final class ControlSocket: @unchecked Sendable {
    /// Longest line read, bytes.
    public static let maximumLine = 65_536

    public private(set) var descriptor: Int32
    private var buffered = Data()
    private let lock = NSLock()

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Connects to the control socket at `path`; nil when nothing listens there.
    public static func connect(to path: String) -> ControlSocket? {
        let fd = triad_unix_connect(path)
        return fd >= 0 ? ControlSocket(descriptor: fd) : nil
    }

    /// Sends `line` (a newline is added).
    public func send(_ line: String) throws {
        try send(line, handing: nil)
    }

    /// Sends `line` with a copy of `descriptor` attached (the receiver gets its own descriptor for the same file).
    public func send(_ line: String, handing descriptor: Int32?) throws {
        lock.lock()
        defer { lock.unlock() }
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
                let start = buffer.baseAddress! + offset
                let remaining = buffer.count - offset
                if offset == 0, let descriptor {
                    return triad_send_descriptor(self.descriptor, descriptor, start, UInt(remaining))
                }
                return triad_send_bytes(self.descriptor, start, UInt(remaining))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw TransportError.zmq("control send", errno: errno)
            }
            offset += Int(sent)
        }
    }

    /// The next line (without its newline) and the descriptor that came with it, if any; nil at end of stream.
    public func receiveLine() throws -> (line: String, descriptor: Int32?)? {
        var handed: Int32?
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered.removeSubrange(buffered.startIndex...newline)
                return (line, handed)
            }
            guard buffered.count < Self.maximumLine else {
                throw TransportError.zmq("control line over \(Self.maximumLine) bytes", errno: EMSGSIZE)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            var fd: Int32 = -1
            let received = chunk.withUnsafeMutableBytes {
                triad_receive_descriptor(descriptor, &fd, $0.baseAddress, UInt($0.count))
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw TransportError.zmq("control receive", errno: errno)
            }
            if fd >= 0 {
                if let handed { triad_close(handed) }
                handed = fd
            }
            if received == 0 {
                if let handed { triad_close(handed) }
                return nil
            }
            buffered.append(contentsOf: chunk[0..<Int(received)])
        }
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor >= 0 else { return }
        triad_close(descriptor)
        descriptor = -1
    }
}
