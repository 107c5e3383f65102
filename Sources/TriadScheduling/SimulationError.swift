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
    /// The topology device the problem is about, when there is one (the CLI points at its line).
    public let device: String?

    public init(_ code: Code, _ message: String, device: String? = nil) {
        self.code = code
        self.message = message
        self.device = device
    }

    public var description: String { message }
}
