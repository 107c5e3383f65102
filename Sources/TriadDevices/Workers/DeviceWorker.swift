public import TriadCore

/// What a coordinator asks of a device: the costs of one iteration's operations for that device.
///
/// A worker keeps its own device state; the coordinator sends it at most one batch per decode iteration,
/// with identical operations already merged. In-process workers implement this directly; the cluster
/// puts the same worker behind a socket.
public protocol DeviceWorker: Sendable {
    var device: DeviceDescription { get }
    /// The cost of each operation of `batch`, in order.
    func evaluate(_ batch: EvaluationBatch) throws -> [OperationCost]
}

/// One request to a worker: the operations of one iteration that run on it.
public struct EvaluationBatch: Sendable, Hashable {
    /// The decode iteration the batch belongs to (for logs and duplicate detection).
    public var iteration: Int
    public var operations: [Operation]

    public init(iteration: Int, operations: [Operation]) {
        self.iteration = iteration
        self.operations = operations
    }
}

/// Why a device could not cost an operation.
public struct DeviceError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        case unsupportedOperation
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

/// Delivers one iteration's batches to their workers. The default asks them one after another; a cluster
/// sends every request before waiting for any reply, so an iteration costs one round trip.
public protocol CostBroker: Sendable {
    func evaluate(_ requests: [(worker: any DeviceWorker, batch: EvaluationBatch)]) throws -> [[OperationCost]]
}

/// Asks each worker in turn (in-process workers answer at once).
public struct SequentialCostBroker: CostBroker {
    public init() {}

    public func evaluate(_ requests: [(worker: any DeviceWorker, batch: EvaluationBatch)]) throws -> [[OperationCost]] {
        try requests.map { try $0.worker.evaluate($0.batch) }
    }
}
