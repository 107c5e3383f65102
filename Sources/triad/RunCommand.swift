import ArgumentParser
import TriadScheduling

/// `triad run TOPOLOGY`: one policy.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Simulate one policy on a topology.")

    @OptionGroup var options: RunOptions

    @Option(help: "Placement policy (npu-only, npu+pim, neupims, npu+pim+drb, npu+pim+gmlbp, npu+pim+sbi, ternary).")
    var policy: String = "neupims"

    func run() throws {
        options.print(try options.run(policies: [try Inputs.policy(policy)]))
    }
}
