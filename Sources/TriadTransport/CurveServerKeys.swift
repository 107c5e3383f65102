@preconcurrency import CZeroMQ

/// The coordinator's CURVE keys and the worker public keys it accepts (Z85 text).
public struct CurveServerKeys: Sendable {
    public var publicKey: String
    public var secretKey: String
    public var allowedClientKeys: Set<String>

    public init(publicKey: String, secretKey: String, allowedClientKeys: Set<String>) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.allowedClientKeys = allowedClientKeys
    }

    /// Sets the socket options that make `socket` use these keys.
    func apply(to socket: ZMQSocket) throws {
        try socket.set(ZMQ_CURVE_SERVER, Int32(1))
        try socket.set(ZMQ_CURVE_SECRETKEY, text: secretKey)
        try socket.set(ZMQ_ZAP_DOMAIN, text: "triad")
        try socket.set(ZMQSocket.zapEnforceDomain, Int32(1))
    }
}
