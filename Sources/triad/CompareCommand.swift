import TriadSetup
import ArgumentParser
import TriadScheduling

/// `triad compare TOPOLOGY --policies a,b,c`: several policies on the same inputs.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Simulate several policies on the same topology, model and workload.")

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,neupims"

    func run() throws {
        let list = try Inputs.policies(policies)
        options.print(try options.run(policies: list))
    }
}
