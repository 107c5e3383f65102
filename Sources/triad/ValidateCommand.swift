import TriadSetup
import ArgumentParser
import TriadTopology

/// `triad validate TOPOLOGY…`: parse and check topology files.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check topology files; print file:line:column of the first problem.")

    @Argument(help: "Topology files.")
    var topologies: [String]

    func run() throws {
        for path in topologies {
            let topology = try Inputs.topology(at: path)
            _ = try Inputs.deviceSet(topology, path: path)
            let kinds = topology.devices.map { "\($0.id) (\($0.configuration.kind.rawValue))" }.joined(separator: ", ")
            print("\(path): ok — \(topology.name): \(kinds)")
        }
    }
}
