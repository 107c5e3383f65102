/// The ranges a run's parameters must be in, checked where they enter (flags, sweep specs):
/// wide enough for any study, small enough that memory and simulated time stay bounded (docs/INPUTS.md).
extension Experiment {
    public enum Limits {
        public static let batch = 1...65_536
        public static let iterations = 1...100_000_000
        public static let warmup = 0...10_000_000
        public static let maxSequence = 2...1_048_576
        public static let timelineIterations = 1...1_000
        public static let parallelDegree = 1...65_536
        public static let replicas = 1...1_024
    }

}
