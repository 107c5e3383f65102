import Foundation

/// The growth exponent of a cost against a size: the least-squares slope of log(cost) on log(size), so cost ≈ c·sizeᵏ
/// with k the exponent (1: linear; below 1: sublinear). Needs two distinct sizes with positive costs.
public enum GrowthFit {
    /// The exponent k and the fit's coefficient of determination R² (1: every point on the line), or nil with fewer
    /// than two usable points.
    public static func exponent(_ points: [(size: Double, cost: Double)]) -> (exponent: Double, rSquared: Double)? {
        let usable = points.filter { $0.size > 0 && $0.cost > 0 && $0.size.isFinite && $0.cost.isFinite }
        guard Set(usable.map(\.size)).count >= 2 else { return nil }
        let x = usable.map { log($0.size) }
        let y = usable.map { log($0.cost) }
        let n = Double(usable.count)
        let meanX = x.reduce(0, +) / n
        let meanY = y.reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - meanX) * (b - meanY)
            sxx += (a - meanX) * (a - meanX)
            syy += (b - meanY) * (b - meanY)
        }
        let slope = sxy / sxx
        let rSquared = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1
        return (slope, rSquared)
    }
}
