@preconcurrency import CZeroMQ
import Foundation

/// A listening control socket at a path (removed when closed).
public final class ControlListener: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32

    /// Listens at `path`, replacing a stale socket file left there.
    public init(path: String) throws {
        unlink(path)
        let fd = triad_unix_listen(path, 64)
        guard fd >= 0 else { throw TransportError.zmq("control socket \(path)", errno: errno) }
        chmod(path, 0o600)
        self.path = path
        descriptor = fd
    }

    /// Waits for the next connection; nil once closed.
    public func accept() -> ControlSocket? {
        while descriptor >= 0 {
            let fd = triad_accept(descriptor)
            if fd >= 0 { return ControlSocket(descriptor: fd) }
            if errno != EINTR { return nil }
        }
        return nil
    }

    public func close() {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        triad_shutdown(fd)
        triad_close(fd)
        unlink(path)
    }
}
