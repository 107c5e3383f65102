import ArgumentParser
import TriadScheduling

/// `triad bench`: simulator speed on fixed scenarios (simulated tokens per wall-clock second).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure simulator speed on fixed in-process scenarios.")

    func run() throws {
        throw InputError("triad: bench is not yet implemented")
    }
}
