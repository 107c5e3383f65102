import TriadSetup
import ArgumentParser
import TriadScheduling
import TriadCore

/// `triad place TOPOLOGY`: which named plan runs the model fastest (or cheapest) on this topology — every fixed
/// policy, and on a multi-group topology every tensor × pipeline split — each predicted by a short simulation.
struct PlaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "place",
        abstract: "Rank the plans (policy × tensor/pipeline split) a topology can run a model with, best first.")

    @Argument(help: "Topology file (YAML).")
    var topology: String

    @Option(help: "Model preset or a Hugging Face config.json.")
    var model: String = "gpt3-7b"

    @Option(help: "sharegpt, alpaca, fixed:IN:OUT, or a trace file.")
    var workload: String = "sharegpt"

    @Option(parsing: .unconditional, help: "Requests decoded together.")
    var batch: Int = 256

    @Option(parsing: .unconditional, help: "Decode iterations each plan's prediction simulates.")
    var iterations: Int = 100

    @Option(parsing: .unconditional, help: "Seed for request sampling.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Longest sequence (prompt + output), tokens.")
    var maxSequence: Int = 2048

    @Option(help: "Comma-separated policies to consider (default: every named policy).")
    var policies: String?

    @Option(help: "throughput (tokens/s, default) or energy (J/token).")
    var objective: PlaceObjective = .throughput

    @Option(
        name: .customLong("slo-tpot-ms"), parsing: .unconditional,
        help: "A bound on the mean time per output token, ms: plans that meet it rank first.")
    var tpotBound: Double?

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        try OptionRange.check(batch, Experiment.Limits.batch, "--batch")
        try OptionRange.check(iterations, Experiment.Limits.iterations, "--iterations")
        try OptionRange.check(maxSequence, Experiment.Limits.maxSequence, "--max-sequence")
        if let tpotBound { try OptionRange.check(tpotBound, 1e-6...1e9, "--slo-tpot-ms") }
    }

    func run() throws {
        let topologyFile = try Inputs.topology(at: topology)
        let stream = try Inputs.workload(workload)
        try RunArtifacts.checkLengths(stream, maxSequence: maxSequence)
        let list = try policies.map { try Inputs.policies($0) } ?? Policy.presets
        let groups = try Inputs.deviceGroups(topologyFile, path: topology)
        let spec = try Inputs.model(model, tensorParallel: nil, pipelineParallel: nil)
        let splits = PlanSearch.splits(groups: groups.sets.count, model: spec)
        let objective = self.objective.search
        let ranked = PlanSearch.search(
            policies: list, splits: splits, objective: objective, tpotBound: tpotBound
        ) { tensor, pipeline in
            let multiGroup = groups.sets.count > 1
            let inputs = try LoadedInputs(
                topology: topologyFile, path: topology, model: model, tensorParallel: multiGroup ? tensor : nil,
                pipelineParallel: multiGroup ? pipeline : nil, stream: stream)
            var experiment = inputs.experiment()
            (experiment.batch, experiment.iterations, experiment.seed, experiment.maxSequence) =
                (batch, iterations, seed, maxSequence)
            return experiment
        }
        switch format {
        case .json: print(PlanSearch.json(ranked, objective: objective, tpotBound: tpotBound), terminator: "")
        case .table:
            let heading =
                "\(spec.name) · \(stream.label) · batch \(batch) · \(iterations) iterations per plan · \(topologyFile.name) · by \(objective.rawValue)"
                + (tpotBound.map { " within TPOT \(TextTable.fixed($0, 2)) ms" } ?? "")
            print(
                PlanSearch.table(ranked, objective: objective, tpotBound: tpotBound, heading: heading),
                terminator: "")
        }
    }
}
