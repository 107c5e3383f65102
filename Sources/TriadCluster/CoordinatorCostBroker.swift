public import TriadDevices
public import TriadCore

/// Hands an iteration's requests to the coordinator all at once, so workers compute in parallel and the
/// iteration waits for one round trip. Used on the coordinator's thread only.
public struct CoordinatorCostBroker: CostBroker, @unchecked Sendable {
    private let coordinator: Coordinator

    public init(coordinator: Coordinator) { self.coordinator = coordinator }

    public func evaluate(_ requests: [(worker: any DeviceWorker, batch: EvaluationBatch)]) throws -> [[OperationCost]] {
        try coordinator.evaluate(requests.map { ($0.worker.device.id, $0.batch.iteration, $0.batch.operations) })
    }
}
