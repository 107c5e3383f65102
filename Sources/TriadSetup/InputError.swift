/// Bad input: printed as one line, exit status 2.
public struct InputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A run that failed for a reason other than its input: exit status 1.
public struct RunFailure: Error {
    public let message: String
    public init(message: String) { self.message = message }
}
