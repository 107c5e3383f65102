/// What a plan search optimizes (`triad place --objective`, and the `auto` policy's reviews): the most tokens per
/// second, or the fewest joules per token; either under an optional TPOT bound (`tpotBoundMilliseconds`), which
/// ranks the plans that meet it before those that do not.
public enum PlanObjective: String, Sendable, Hashable, CaseIterable {
    /// Tokens per second, highest first.
    case throughput
    /// Joules per token (dynamic, static and memory energy), lowest first.
    case energy
}
