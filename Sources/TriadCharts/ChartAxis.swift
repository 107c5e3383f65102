import Foundation

/// A value axis from 0 (or the data's minimum when it is negative) to a round maximum, with about five ticks
/// labelled compactly (1.2k, 3.4M).
public struct ChartAxis: Sendable {
    public let minimum: Double
    public let maximum: Double
    public let ticks: [Double]

    public init(values: [Double], includeZero: Bool = true) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        if includeZero { low = min(low, 0); high = max(high, 0) }
        if high <= low { high = low + 1 }
        let step = Self.niceStep((high - low) / 5)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        minimum = low
        maximum = high
        ticks = stride(from: low, through: high + step / 2, by: step).map { $0 }
    }

    /// A log₁₀ axis over positive `values`: whole decades, a tick at each (positions take log₁₀ of a value).
    public init(logValues values: [Double]) {
        let logs = values.filter { $0 > 0 && $0.isFinite }.map { Foundation.log10($0) }
        let low = (logs.min() ?? 0).rounded(.down)
        var high = (logs.max() ?? 1).rounded(.up)
        if high <= low { high = low + 1 }
        minimum = low
        maximum = high
        ticks = stride(from: low, through: high + 0.5, by: 1).map { $0 }
    }

    /// 1, 2 or 5 × 10^k at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= raw { return factor * power }
        return 10 * power
    }

    /// Where `value` falls between `start` (minimum) and `end` (maximum) in pixels.
    public func position(_ value: Double, from start: Double, to end: Double) -> Double {
        let clamped = min(max(value.isFinite ? value : minimum, minimum), maximum)
        return start + (clamped - minimum) / (maximum - minimum) * (end - start)
    }

    /// `value` in at most four significant characters plus a unit letter.
    public static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        func trimmed(_ number: Double, _ suffix: String) -> String {
            let digits = number >= 100 ? 0 : number >= 10 ? 1 : 2
            var text = String(format: "%.\(digits)f", number)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return (value < 0 ? "−" : "") + text + suffix
        }
        switch magnitude {
        case 0: return "0"
        case 1e9...: return trimmed(magnitude / 1e9, "G")
        case 1e6...: return trimmed(magnitude / 1e6, "M")
        case 1e3...: return trimmed(magnitude / 1e3, "k")
        case 1...: return trimmed(magnitude, "")
        case 0.001...: return trimmed(magnitude, "")
        default: return String(format: "%.1e", value)
        }
    }
}
