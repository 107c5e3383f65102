/// A problem in a topology file, located at file:line:column.
public struct TopologyError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        case syntax
        case missingField
        case unknownField
        case wrongType
        case invalidValue
        case unknownDeviceKind
        case duplicateID
        case danglingLink
    }

    public let code: Code
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(_ code: Code, file: String, line: Int, column: Int, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the one line the CLI prints.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
