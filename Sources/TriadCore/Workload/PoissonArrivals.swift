import Foundation

/// Arrival times of a Poisson process: exponential gaps of mean 1 / rate, drawn from their own seeded stream
/// (so the request lengths are those of the closed-loop run with the same seed).
public struct PoissonArrivals: Sendable {
    /// Requests per second.
    public let rate: Double
    private var generator: SplitMix64
    private var time = 0.0

    public init(rate: Double, generator: SplitMix64) {
        self.rate = rate
        self.generator = generator
    }

    /// The next arrival, picoseconds (the first one gap after 0).
    public mutating func next() -> Picoseconds {
        let uniform = (Double(generator.next() >> 11) + 0.5) / Double(UInt64(1) << 53)
        time += -Foundation.log(uniform) / rate
        return Picoseconds(min(time * Double(picosecondsPerSecond), Double(Int64.saturationLimit)))
    }
}
