import TriadSetup
import ArgumentParser
import TriadScheduling

/// `triad run TOPOLOGY`: one policy.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Simulate one policy on a topology.")

    @OptionGroup var options: RunOptions

    @Option(
        help: "Placement policy (npu-only, npu+pim, neupims, ternary, or npu+pim+ any of drb, fused, bulk, gmlbp, sbi)."
    )
    var policy: String = "neupims"

    func run() throws {
        options.print(try options.run(policies: [try Inputs.policy(policy)]))
    }
}
