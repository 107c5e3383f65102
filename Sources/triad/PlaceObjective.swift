import ArgumentParser
import TriadSetup

/// `--objective` as users write it.
enum PlaceObjective: String, ExpressibleByArgument, CaseIterable {
    case throughput
    case energy

    var search: PlanSearch.Objective { self == .throughput ? .throughput : .energy }
}
