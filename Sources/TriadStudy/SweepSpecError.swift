/// A problem in a sweep spec, at the file, line and column of the value that causes it.
public struct SweepSpecError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
