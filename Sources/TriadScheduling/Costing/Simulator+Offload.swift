import TriadCore
import TriadDevices

/// The FC-on-PIM choice `auto` searches (docs/MODEL.md §11): per FC class, the largest (sub-)batch for which the
/// class's GEMV on the PIM costs less than its GEMM on the host device, asked of the same cost service the run
/// uses. Along a layer's chain every operation waits for the one before it, so each class goes where it finishes
/// first (HEFT's earliest-finish rule with the chain's single path); how the PIM's new work meets the other
/// sub-batch's attention is judged by composing whole iterations (`AutoPlanner`), not here.
extension Simulator {
    /// Row counts tried for the crossover up to `batch`: every count to 8, then steps of about a quarter.
    static func crossoverRows(upTo batch: Int) -> [Int] {
        var rows: [Int] = []
        var next = 1
        while next <= batch {
            rows.append(next)
            next = next < 8 ? next + 1 : next + max(1, next / 4)
        }
        if rows.last != batch { rows.append(batch) }
        return rows
    }

    /// The offload that puts each FC class on the PIM up to the largest tried row count below which it is faster
    /// there than on the host at every tried count (none without a PIM or an FC class).
    func fastestOffload(upTo batch: Int) throws -> MatrixOffload {
        guard devices.pim != nil, let pimID = deviceIDs[DeviceKind.pim.index],
            let hostID = deviceIDs[plan.hostResource.index]
        else { return .none }
        let rows = Self.crossoverRows(upTo: max(1, batch))
        // One operation per (class, rows): the layer's and the head's FC operations with 16-bit weights.
        var operations: [Operation] = []
        var positions: [(classIndex: Int, rows: Int)] = []
        for count in rows {
            let template = LayerTemplate(shard: shard, rows: count)
            // A Mixture-of-Experts layer's FFN classes stand for its experts: an expert with `count` tokens.
            let layer =
                shard.model.experts == nil
                ? template.beforeAttention + template.afterAttention
                : template.beforeAttention + template.afterAttention.prefix(template.feedForwardStart)
                    + LayerTemplate.expert(shard: shard, rows: count)
            var seen = Set<Int>()
            for operation in layer + (runsHead ? LayerTemplate.head(shard: shard, rows: count) : [])
            where !operation.isTernary {
                guard let index = MatrixOffload.classIndex(operation.kind), seen.insert(index).inserted else { continue }
                operations.append(operation)
                positions.append((index, count))
            }
        }
        guard !operations.isEmpty else { return .none }
        var onPIM = operations
        for index in onPIM.indices { onPIM[index].pimModes = plan.pimModes }
        let answers = try costService.costs([
            CostRequest(deviceID: hostID, iteration: 0, operations: operations),
            CostRequest(deviceID: pimID, iteration: 0, operations: onPIM),
        ])
        var limits = Array(repeating: 0, count: MatrixOffload.classes.count)
        var lost = Array(repeating: false, count: MatrixOffload.classes.count)
        for (position, entry) in positions.enumerated() where !lost[entry.classIndex] {
            if answers[1][position].duration < answers[0][position].duration {
                limits[entry.classIndex] = entry.rows
            } else {
                lost[entry.classIndex] = true
            }
        }
        return MatrixOffload(rowLimits: limits)
    }
}

extension Experiment {
    /// The FC classes `policy` would run faster on the PIM at this experiment's batch or below (`fastestOffload`),
    /// costed in this process or by `costs`; none where the policy cannot run or has no PIM.
    public func fastestOffload(for policy: Policy, costs: (any CostService)? = nil) throws -> MatrixOffload {
        guard let simulator = try? Simulator(self, policy: policy, costs: costs) else { return .none }
        return try simulator.fastestOffload(upTo: batch)
    }
}
