/// A protocol violation, with the typed code that goes back on the wire.
public struct WireError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case malformed, wrongProtocolVersion, unknownMessage, oversize, tooManyFrames, unknownRequest
        case duplicateDevice, unsupportedOperation, notConfigured, notYetImplemented, unauthorized, unknownDevice
        /// The coordinator will not take this worker (unknown device, other protocol version, faulty replies).
        case refused

        public var wire: Triad_V1_ErrorCode {
            switch self {
            case .malformed: return .malformed
            case .wrongProtocolVersion: return .wrongProtocolVersion
            case .unknownMessage: return .unknownMessage
            case .oversize: return .oversize
            case .tooManyFrames: return .tooManyFrames
            case .unknownRequest: return .unknownRequest
            case .duplicateDevice: return .duplicateDevice
            case .unsupportedOperation: return .unsupportedOperation
            case .notConfigured: return .notConfigured
            case .notYetImplemented: return .notYetImplemented
            case .unauthorized: return .unauthorized
            case .unknownDevice: return .unknownDevice
            case .refused: return .refused
            }
        }

        public init(wire: Triad_V1_ErrorCode) {
            switch wire {
            case .malformed: self = .malformed
            case .wrongProtocolVersion: self = .wrongProtocolVersion
            case .oversize: self = .oversize
            case .tooManyFrames: self = .tooManyFrames
            case .unknownRequest: self = .unknownRequest
            case .duplicateDevice: self = .duplicateDevice
            case .unsupportedOperation: self = .unsupportedOperation
            case .notConfigured: self = .notConfigured
            case .notYetImplemented: self = .notYetImplemented
            case .unauthorized: self = .unauthorized
            case .unknownDevice: self = .unknownDevice
            case .refused: self = .refused
            default: self = .unknownMessage
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
