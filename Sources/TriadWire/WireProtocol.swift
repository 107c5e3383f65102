public import Foundation
import SwiftProtobuf

/// Protocol constants and envelope encoding with the checks every receiver applies before acting.
public enum WireProtocol {
    /// The version both ends must speak (`PROTOCOL_VERSION_CURRENT`).
    public static let version: UInt32 = UInt32(Triad_V1_ProtocolVersion.current.rawValue)
    /// Largest envelope accepted, bytes; checked before parsing.
    public static let maximumMessageBytes = Int(Triad_V1_ProtocolDefaults.maximumMessageBytes.rawValue)

    /// An envelope with the current version.
    public static func envelope(requestID: UInt64, _ body: Triad_V1_Envelope.OneOf_Body) -> Triad_V1_Envelope {
        var envelope = Triad_V1_Envelope()
        envelope.protocolVersion = version
        envelope.requestID = requestID
        envelope.body = body
        return envelope
    }

    public static func encode(_ envelope: Triad_V1_Envelope) -> Data {
        // Serialising a message built in memory cannot fail for proto3 without required fields.
        (try? envelope.serializedData()) ?? Data()
    }

    /// Parses and checks `bytes`: size, well-formedness, version, and that a body is present.
    public static func decode(_ bytes: Data) throws(WireError) -> Triad_V1_Envelope {
        guard bytes.count <= maximumMessageBytes else {
            throw WireError(.oversize, "message of \(bytes.count) bytes exceeds \(maximumMessageBytes)")
        }
        let envelope: Triad_V1_Envelope
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 16
            envelope = try Triad_V1_Envelope(serializedBytes: bytes, options: options)
        } catch {
            throw WireError(.malformed, "not a Triad envelope (\(error))")
        }
        guard envelope.protocolVersion == version else {
            throw WireError(
                .wrongProtocolVersion, "protocol version \(envelope.protocolVersion), expected \(version)")
        }
        guard envelope.body != nil else {
            throw WireError(.unknownMessage, "envelope without a known message body")
        }
        return envelope
    }

    /// An `Error` reply.
    public static func error(requestID: UInt64, _ error: WireError) -> Triad_V1_Envelope {
        envelope(requestID: requestID, .error(errorBody(error)))
    }

    /// The body of an `Error` reply.
    public static func errorBody(_ error: WireError) -> Triad_V1_Error {
        var body = Triad_V1_Error()
        body.code = error.code.wire
        body.message = error.message
        return body
    }
}
