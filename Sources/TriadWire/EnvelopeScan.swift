public import Foundation

/// The top-level fields of a serialized `Envelope` read without parsing its body: the protocol version, the request
/// id, and which body it carries with the body's byte range. The coordinator uses it to check a mirrored worker's
/// reply byte for byte against the answer it expects, without decoding every cost; anything it cannot read is left
/// to the full decoder (`WireProtocol.decode`), which judges it.
public struct EnvelopeScan: Sendable, Equatable {
    public var protocolVersion: UInt64 = 0
    public var requestID: UInt64 = 0
    /// The field number of the body (`result` is 15), 0 when there is none.
    public var bodyField: Int = 0
    /// Where the body's bytes lie in the scanned data (indices of that `Data`).
    public var body: Range<Int> = 0..<0

    /// The field number of `EvaluateResult` in `Envelope.body`.
    public static let resultField = 15

    /// Scans `bytes`; nil when they are not a well-formed envelope of known top-level shape (one body, no groups).
    public init?(_ bytes: Data) {
        var index = bytes.startIndex
        var bodies = 0
        while index < bytes.endIndex {
            guard let tag = Self.varint(bytes, &index) else { return nil }
            let field = Int(tag >> 3)
            switch tag & 7 {
            case 0:
                guard let value = Self.varint(bytes, &index) else { return nil }
                if field == 1 { protocolVersion = value }
                if field == 2 { requestID = value }
            case 1:
                guard bytes.endIndex - index >= 8 else { return nil }
                index += 8
            case 2:
                guard let length = Self.varint(bytes, &index), length <= UInt64(bytes.endIndex - index) else {
                    return nil
                }
                let end = index + Int(length)
                if field >= 10 {
                    bodies += 1
                    bodyField = field
                    body = index..<end
                }
                index = end
            case 5:
                guard bytes.endIndex - index >= 4 else { return nil }
                index += 4
            default:
                return nil
            }
        }
        guard bodies <= 1 else { return nil }
    }

    /// A base-128 varint at `index` (advanced past it); nil when truncated or longer than ten bytes.
    static func varint(_ bytes: Data, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex && shift < 70 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    /// `value` as the bytes of a varint field `field` (wire type 0).
    public static func varintField(_ field: Int, _ value: UInt64) -> Data {
        var bytes = Data()
        var rest = UInt64(field << 3)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }
}
