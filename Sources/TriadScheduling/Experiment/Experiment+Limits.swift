/// The ranges a run's parameters must be in, checked once where they enter (flags, sweep specs, library calls):
/// wide enough for any study, small enough that memory and simulated time stay bounded (docs/INPUTS.md).
extension Experiment {
    public enum Limits {
        public static let batch = 1...65_536
        public static let iterations = 1...100_000_000
        public static let warmup = 0...10_000_000
        public static let maxSequence = 2...1_048_576
        public static let timelineIterations = 1...1_000
        public static let parallelDegree = 1...65_536
    }

    /// The first parameter out of its range, named as `names` gives (a flag or a spec key), with the range; nil
    /// when every one is in range.
    public func rangeProblem(names: (String) -> String = { $0 }) -> String? {
        let checks: [(String, Int, ClosedRange<Int>)] = [
            ("batch", batch, Limits.batch), ("iterations", iterations, Limits.iterations),
            ("warmup", warmupIterations, Limits.warmup), ("max-sequence", maxSequence, Limits.maxSequence),
        ]
        for (name, value, range) in checks where !range.contains(value) {
            return "\(names(name)) must be in \(range.lowerBound)…\(range.upperBound) (got \(value))"
        }
        return nil
    }
}
