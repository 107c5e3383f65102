import ArgumentParser
import TriadScheduling

/// `--objective` as users write it.
enum PlaceObjective: String, ExpressibleByArgument, CaseIterable {
    case throughput
    case energy

    var search: PlanObjective { self == .throughput ? .throughput : .energy }
}
