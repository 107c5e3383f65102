/// The coordinator will not take this worker (unknown device id, another protocol version, replies found
/// faulty, or its CURVE key refused): the worker stops instead of registering forever. `triad worker`
/// exits with status 3 on it.
public struct WorkerRefusal: Error, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }
}
