public import TriadCore
public import TriadScheduling

/// Costs from worker processes: an iteration's requests go to the coordinator all at once, so workers
/// compute in parallel and the iteration waits for one round trip. Used on the coordinator's thread only.
public struct ClusterCostService: CostService, @unchecked Sendable {
    private let coordinator: Coordinator

    public init(coordinator: Coordinator) { self.coordinator = coordinator }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        try coordinator.evaluate(requests.map { ($0.deviceID, $0.iteration, $0.operations) })
    }
}
