/// Simulated time in picoseconds. Integer so that runs are exactly reproducible; picoseconds so that
/// clocks that do not divide a nanosecond (an FPGA at 60 MHz: 16,666.67 ps per cycle) lose at most
/// one picosecond per operation.
public typealias Picoseconds = Int64

/// A clock frequency in megahertz, used to turn device cycles into simulated time.
public struct ClockFrequency: Sendable, Hashable {
    public let megahertz: Int64

    public init(megahertz: Int64) {
        precondition(megahertz > 0, "clock must be positive")
        self.megahertz = megahertz
    }

    /// Simulated time of `cycles` cycles, rounded to the nearest picosecond (saturating at `Int64.max`).
    public func picoseconds(forCycles cycles: Int64) -> Picoseconds {
        scaled(cycles, times: 1_000_000, over: megahertz, roundingUp: false)
    }

    /// Cycles that fit in `picoseconds`, rounded up (an operation that needs any part of a cycle takes all of it).
    public func cycles(in picoseconds: Picoseconds) -> Int64 {
        scaled(picoseconds, times: megahertz, over: 1_000_000, roundingUp: true)
    }
}

/// `value · multiplier / divisor` for non-negative operands without intermediate overflow, rounded to nearest
/// (or up), saturating at `Int64.max`.
@inlinable public func scaled(_ value: Int64, times multiplier: Int64, over divisor: Int64, roundingUp: Bool) -> Int64 {
    let product = value.multipliedFullWidth(by: multiplier)
    let bias = roundingUp ? divisor - 1 : divisor / 2
    let (low, carry) = product.low.addingReportingOverflow(UInt64(bias))
    let high = product.high + (carry ? 1 : 0)
    let fits = (high == 0 && low < 1 << 63) || (high >= 0 && UInt64(high) < UInt64(divisor) / 2)
    guard fits else { return .max }
    let (quotient, _) = divisor.dividingFullWidth((high, low))
    return quotient
}

/// Picoseconds per second.
public let picosecondsPerSecond: Int64 = 1_000_000_000_000

extension Int64 {
    /// Ceiling division for non-negative operands (no intermediate sum, so `Int64.max` divides too).
    @inlinable public func ceilDiv(_ divisor: Int64) -> Int64 {
        self >= 0 ? self / divisor + (self % divisor == 0 ? 0 : 1) : (self + divisor - 1) / divisor
    }
}

extension Int {
    /// Ceiling division for non-negative operands (no intermediate sum, so `Int.max` divides too).
    @inlinable public func ceilDiv(_ divisor: Int) -> Int {
        self >= 0 ? self / divisor + (self % divisor == 0 ? 0 : 1) : (self + divisor - 1) / divisor
    }
}

/// Picoseconds needed to move `bytes` at `bytesPerSecond`, rounded up.
@inlinable public func transferTime(bytes: Int64, bytesPerSecond: Int64) -> Picoseconds {
    guard bytes > 0 else { return 0 }
    return scaled(bytes, times: picosecondsPerSecond, over: bytesPerSecond, roundingUp: true)
}

infix operator +| : AdditionPrecedence
infix operator +|= : AssignmentPrecedence

extension Int64 {
    /// Sum that sticks at `Int64.max` instead of trapping: simulated times and byte counts are added with it,
    /// and a run whose totals reach `Int64.saturationLimit` stops with an error (no report from a wrapped sum).
    @inlinable public static func +| (lhs: Int64, rhs: Int64) -> Int64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? (rhs < 0 ? .min : .max) : sum
    }

    @inlinable public static func +|= (lhs: inout Int64, rhs: Int64) { lhs = lhs +| rhs }

    /// Totals at or past this (2^62: 53 days of simulated picoseconds, 4.6 EB) mean a run went past what its
    /// counters hold honestly.
    public static let saturationLimit: Int64 = 1 << 62
}

extension Duration {
    /// This duration in seconds (wall-clock measurements such as `triad bench`; never simulated time).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
