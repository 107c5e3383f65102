import TriadSetup
import ArgumentParser
import Foundation
import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling

/// `triad snapshot TOPOLOGY BATCH.csv`: one decode step of one layer over a fixed batch in the NeuPIMs
/// simulator's request-trace format, staged as the simulator stages it.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Cycles per stage of one decode step over a fixed batch (NeuPIMs 'seq_len,ch_idx' CSV).")

    @Argument(help: "Topology file (YAML).")
    var topology: String

    @Argument(
        help: "Batch file: a 'seq_len,ch_idx' header, then one request per line (the NeuPIMs simulator's format).")
    var batch: String

    @Option(help: "Model preset or a Hugging Face config.json.")
    var model: String = "gpt3-7b"

    @Option(parsing: .unconditional, help: "Tensor-parallel degree (default: the preset's; 1 for config.json).")
    var tensorParallel: Int?

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,npu+pim+drb+fused+bulk+gmlbp,neupims"

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let topologyFile = try Inputs.topology(at: topology)
        let devices = try Inputs.deviceSet(topologyFile, path: topology)
        let spec = try Inputs.model(model, tensorParallel: tensorParallel, pipelineParallel: 1)
        let text = try InputFile.read(batch, what: "batch file")
        let entries: [BatchEntry]
        do {
            entries = try NeuPIMsBatchReader.parse(text, file: batch)
        } catch let error as DatasetError {
            throw InputError(error.message)
        }
        let list = try Inputs.policies(policies)
        let name = URL(fileURLWithPath: batch).lastPathComponent
        let experiment = Experiment(
            devices: devices, model: spec, workload: .fixed(input: 0, output: 1), topologyName: topologyFile.name)
        let reports = try RunArtifacts.locatingErrors(in: topologyFile, path: topology) {
            try experiment.snapshot(entries, trace: name, policies: list)
        }
        switch format {
        case .json: print(SnapshotReport.json(reports), terminator: "")
        case .table: print(SnapshotReport.table(reports), terminator: "")
        }
    }
}
