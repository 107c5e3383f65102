public import TriadCore

/// The composed timeline of one pipeline stage's pass of one decode iteration.
public struct IterationTimeline: Sendable {
    /// From the first segment's start to the last one's end.
    public var makespan: Picoseconds = 0
    /// What the pass used of each resource.
    public var usage = ResourceUsage()

    public init() {}
}
