import Foundation

/// Milliseconds on a monotonic clock, for heartbeats and liveness (never for simulated time).
func monotonicMilliseconds() -> Int64 {
    Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000)
}
