import TriadSetup
import ArgumentParser

/// Range checks for numeric options, run before anything uses them; a value outside is one line and exit 2.
enum OptionRange {
    static func check<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ flag: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be in \(range.lowerBound)…\(range.upperBound) (got \(value))")
        }
    }
}
