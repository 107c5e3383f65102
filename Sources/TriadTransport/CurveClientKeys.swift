@preconcurrency import CZeroMQ

/// A worker's CURVE keys and the coordinator's public key (Z85 text).
public struct CurveClientKeys: Sendable {
    public var publicKey: String
    public var secretKey: String
    public var serverPublicKey: String

    public init(publicKey: String, secretKey: String, serverPublicKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.serverPublicKey = serverPublicKey
    }

    /// Sets the socket options that make `socket` use these keys.
    func apply(to socket: ZMQSocket) throws {
        try socket.set(ZMQ_CURVE_SERVERKEY, text: serverPublicKey)
        try socket.set(ZMQ_CURVE_PUBLICKEY, text: publicKey)
        try socket.set(ZMQ_CURVE_SECRETKEY, text: secretKey)
    }
}
