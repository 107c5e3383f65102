public import TriadCore

/// Costs for a run whose replicas each have their own workers (`triad up --replicas N`, docs/MODEL.md §9.3): replica
/// r's devices are workers of their own, named `ID.rR` (replica 0 keeps the topology's ids). The run loop sets
/// `replica` before it simulates a replica's iteration, and this service asks that replica's workers; devices not
/// replicated (a prefill pool's, shared by every replica) keep their ids. Used from the run's one thread only.
public final class ReplicaCostService: CostService, @unchecked Sendable {
    private let base: any CostService
    private let replicated: Set<String>
    /// The replica whose iteration is being simulated.
    var replica = 0

    public init(base: any CostService, replicatedDevices: Set<String>) {
        self.base = base
        replicated = replicatedDevices
    }

    /// The worker id of `id`'s copy in `replica`.
    public static func deviceID(_ id: String, replica: Int) -> String { replica == 0 ? id : "\(id).r\(replica)" }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        guard replica > 0 else { return try base.costs(requests) }
        var renamed = requests
        for index in renamed.indices where replicated.contains(renamed[index].deviceID) {
            renamed[index].deviceID = Self.deviceID(renamed[index].deviceID, replica: replica)
        }
        return try base.costs(renamed)
    }
}
