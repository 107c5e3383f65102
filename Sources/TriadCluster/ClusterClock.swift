import Foundation

/// Wall-clock milliseconds on a monotonic clock, for heartbeats and liveness (never for simulated time).
/// Tests inject their own.
public protocol ClusterClock: Sendable {
    func milliseconds() -> Int64
}

/// The process's monotonic clock.
public struct SystemClock: ClusterClock {
    public init() {}

    public func milliseconds() -> Int64 { monotonicMilliseconds() }
}

/// Milliseconds on a monotonic clock, for heartbeats and liveness (never for simulated time).
func monotonicMilliseconds() -> Int64 {
    Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000)
}
