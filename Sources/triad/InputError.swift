/// Bad input: printed as one line, exit status 2.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A run that failed for a reason other than its input: exit status 1.
struct RunFailure: Error {
    let message: String
}
