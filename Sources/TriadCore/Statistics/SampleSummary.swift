/// The mean of independent samples (runs with different seeds, a run's batch means) and its 95 % confidence
/// interval from Student's t distribution: mean ± t(0.975, n − 1) · s / √n. One sample has no interval (half-width 0, `count` 1).
public struct SampleSummary: Sendable, Hashable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n − 1 in the denominator); 0 for one sample.
    public let standardDeviation: Double
    /// Half the width of the 95 % confidence interval of the mean.
    public let halfWidth95: Double

    public init(_ samples: [Double]) {
        count = samples.count
        guard !samples.isEmpty else {
            mean = 0
            standardDeviation = 0
            halfWidth95 = 0
            return
        }
        let n = Double(samples.count)
        mean = samples.reduce(0, +) / n
        guard samples.count > 1 else {
            standardDeviation = 0
            halfWidth95 = 0
            return
        }
        let center = mean
        let squares = samples.reduce(0) { $0 + ($1 - center) * ($1 - center) }
        standardDeviation = (squares / (n - 1)).squareRoot()
        halfWidth95 = Self.studentT975(degreesOfFreedom: samples.count - 1) * standardDeviation / n.squareRoot()
    }

    /// The 0.975 quantile of Student's t with `degreesOfFreedom` (≥ 1): tabulated to 30 (any statistics text,
    /// e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2), beyond that the Cornish–Fisher term z + (z³ + z) / 4ν, within
    /// 0.001 of the table at 40, 60 and 120.
    public static func studentT975(degreesOfFreedom: Int) -> Double {
        let table = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        if degreesOfFreedom >= 1 && degreesOfFreedom <= table.count { return table[degreesOfFreedom - 1] }
        let z = 1.959964
        return z + (z * z * z + z) / (4 * Double(max(degreesOfFreedom, 1)))
    }
}
