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

    /// Simulated time of `cycles` cycles, rounded to the nearest picosecond.
    public func picoseconds(forCycles cycles: Int64) -> Picoseconds {
        (cycles * 1_000_000 + megahertz / 2) / megahertz
    }

    /// Cycles that fit in `picoseconds`, rounded up (an operation that needs any part of a cycle takes all of it).
    public func cycles(in picoseconds: Picoseconds) -> Int64 {
        (picoseconds * megahertz + 999_999) / 1_000_000
    }
}

/// Picoseconds per second.
public let picosecondsPerSecond: Int64 = 1_000_000_000_000

extension Int64 {
    /// Ceiling division for non-negative operands.
    @inlinable public func ceilDiv(_ divisor: Int64) -> Int64 { (self + divisor - 1) / divisor }
}

extension Int {
    /// Ceiling division for non-negative operands.
    @inlinable public func ceilDiv(_ divisor: Int) -> Int { (self + divisor - 1) / divisor }
}

/// Picoseconds needed to move `bytes` at `bytesPerSecond`, rounded up.
@inlinable public func transferTime(bytes: Int64, bytesPerSecond: Int64) -> Picoseconds {
    guard bytes > 0 else { return 0 }
    let product = bytes.multipliedFullWidth(by: picosecondsPerSecond)
    let (quotient, remainder) = bytesPerSecond.dividingFullWidth(product)
    return remainder > 0 ? quotient + 1 : quotient
}
