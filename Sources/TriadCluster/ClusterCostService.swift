public import TriadCore
public import TriadScheduling

/// Costs from worker processes: an iteration's requests go to the coordinator all at once, so workers
/// compute in parallel and the iteration waits for one round trip. Used on the coordinator's thread only.
///
/// In a multi-group topology every group is the same hardware and the run simulates the first; each request
/// for a first-group device also goes to the devices that mirror it, in the same round trip, so every worker
/// serves the run, and their answers must agree with the first group's (a worker that disagrees fails the run).
public struct ClusterCostService: CostService, @unchecked Sendable {
    private let coordinator: Coordinator
    /// First-group device → the devices of the other groups that mirror it.
    private let mirrors: [String: [String]]

    public init(coordinator: Coordinator, mirrors: [String: [String]] = [:]) {
        self.coordinator = coordinator
        self.mirrors = mirrors
    }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        var sent: [(deviceID: String, iteration: Int, operations: [Operation])] = []
        var owner: [Int] = []
        for (index, request) in requests.enumerated() {
            for device in [request.deviceID] + (mirrors[request.deviceID] ?? []) {
                sent.append((device, request.iteration, request.operations))
                owner.append(index)
            }
        }
        let answers = try coordinator.evaluate(sent)
        var result: [[OperationCost]?] = Array(repeating: nil, count: requests.count)
        for (position, answer) in answers.enumerated() {
            let index = owner[position]
            if let first = result[index] {
                guard answer == first else {
                    throw ClusterError(
                        "\(sent[position].deviceID)'s worker answered other costs than \(requests[index].deviceID)'s for the same operations; mirrored groups must agree"
                    )
                }
            } else {
                result[index] = answer
            }
        }
        return result.map { $0 ?? [] }
    }
}
