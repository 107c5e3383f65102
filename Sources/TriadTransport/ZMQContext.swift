@preconcurrency import CZeroMQ
import Foundation

/// A ZeroMQ context. Contexts may be shared between threads; sockets may not (see `ZMQSocket`).
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// The raw context, for the one socket that must be created outside `ZMQSocket` (the ZAP handler's REP).
    public var handleForZAP: UnsafeMutableRawPointer { handle }

    public init() {
        handle = zmq_ctx_new()
    }

    /// Terminates the context once every socket of it is closed.
    public func terminate() {
        _ = zmq_ctx_term(handle)
    }

    /// Whether libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") == 1 }

    /// A new CURVE key pair in Z85 text (40 characters each).
    public static func curveKeyPair() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else {
            throw TransportError.zmq("zmq_curve_keypair", errno: zmq_errno())
        }
        return (cText(publicKey), cText(secretKey))
    }
}

/// A transport failure.
public enum TransportError: Error, CustomStringConvertible, Sendable {
    case zmq(String, errno: Int32)
    case closed

    public var description: String {
        switch self {
        case .zmq(let call, let code): return "\(call): \(String(cString: zmq_strerror(code)))"
        case .closed: return "socket closed"
        }
    }
}

/// A NUL-terminated C character buffer as a String.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
