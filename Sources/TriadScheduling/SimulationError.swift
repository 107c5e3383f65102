/// Why a simulation cannot run: bad input the user can fix (exit status 2), or a failure during the run.
public struct SimulationError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        /// The policy needs hardware the topology does not have, or the model does not fit.
        case incompatible
        /// Asked for something not built yet.
        case notYetImplemented
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
