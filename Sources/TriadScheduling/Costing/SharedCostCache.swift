public import TriadCore

/// A cost service that answers each (device, operation) once for all the simulators sharing it — the `auto`
/// policy's candidates ask the same shapes of the same devices — and forwards only what it has not seen, in one
/// call (costs are deterministic functions of the operation and the device, so a kept answer is the answer).
public final class SharedCostCache: CostService {
    private struct Key: Hashable {
        var deviceID: String
        var operation: Operation
    }

    private let inner: any CostService
    private var answers: [Key: OperationCost] = [:]

    public init(_ inner: any CostService) { self.inner = inner }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        var missing: [CostRequest] = []
        for request in requests {
            var unknown: [Operation] = []
            var asked = Set<Operation>()
            for operation in request.operations
            where answers[Key(deviceID: request.deviceID, operation: operation)] == nil && asked.insert(operation).inserted {
                unknown.append(operation)
            }
            if !unknown.isEmpty {
                missing.append(CostRequest(deviceID: request.deviceID, iteration: request.iteration, operations: unknown))
            }
        }
        if !missing.isEmpty {
            let fresh = try inner.costs(missing)
            for (request, costs) in zip(missing, fresh) {
                for (operation, cost) in zip(request.operations, costs) {
                    answers[Key(deviceID: request.deviceID, operation: operation)] = cost
                }
            }
        }
        return requests.map { request in
            request.operations.map { answers[Key(deviceID: request.deviceID, operation: $0)]! }
        }
    }
}
