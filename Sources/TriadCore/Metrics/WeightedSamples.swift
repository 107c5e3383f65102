/// Integer samples with integer weights, for exact percentiles of per-token latency
/// (one sample per iteration, weighted by the tokens it produced).
public struct WeightedSamples: Sendable {
    private var values: [Int64] = []
    private var weights: [Int64] = []
    public private(set) var totalWeight: Int64 = 0
    public private(set) var weightedSum: Double = 0

    public init() {}

    public mutating func add(_ value: Int64, weight: Int64) {
        guard weight > 0 else { return }
        values.append(value)
        weights.append(weight)
        totalWeight += weight
        weightedSum += Double(value) * Double(weight)
    }

    /// Adds every sample of `other` (the replicas of a run, one distribution).
    public mutating func merge(_ other: WeightedSamples) {
        values += other.values
        weights += other.weights
        totalWeight += other.totalWeight
        weightedSum += other.weightedSum
    }

    public var mean: Double { totalWeight == 0 ? 0 : weightedSum / Double(totalWeight) }

    /// The smallest value v such that at least `fraction` of the weight is ≤ v (nearest-rank).
    public func percentile(_ fraction: Double) -> Int64 {
        guard totalWeight > 0 else { return 0 }
        let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        let rank = max(1, Int64((fraction * Double(totalWeight)).rounded(.up)))
        var seen: Int64 = 0
        for index in order {
            seen += weights[index]
            if seen >= rank { return values[index] }
        }
        return values[order.last!]
    }
}
