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

    @Option(
        help:
            "Mixture of experts: expert choices from a routing trace (DynaNDE-Simulator's CSV: layer_id,token_id,expert_0,…; token i is the batch's i-th request).")
    var routing: String?

    @Flag(help: "Mixture of experts: whole experts on the tensor-parallel ranks (expert e on rank e mod T).")
    var expertParallel = false

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,npu+pim+drb+fused+bulk+gmlbp,neupims"

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let topologyFile = try Inputs.topology(at: topology)
        let devices = try Inputs.deviceSet(topologyFile, path: topology)
        var spec = try Inputs.model(model, tensorParallel: tensorParallel, pipelineParallel: 1)
        if expertParallel {
            guard spec.experts != nil else {
                throw InputError("triad: --expert-parallel needs a Mixture-of-Experts model (\(spec.name) is dense)")
            }
            spec.expertParallel = true
        }
        let text = try InputFile.read(batch, what: "batch file")
        let entries: [BatchEntry]
        do {
            entries = try NeuPIMsBatchReader.parse(text, file: batch)
        } catch let error as DatasetError {
            throw InputError(error.message)
        }
        let list = try Inputs.policies(policies)
        let name = URL(fileURLWithPath: batch).lastPathComponent
        var experiment = Experiment(
            devices: devices, model: spec, workload: .fixed(input: 0, output: 1), topologyName: topologyFile.name)
        if let routing {
            guard spec.experts != nil else {
                throw InputError("triad: --routing needs a Mixture-of-Experts model (\(spec.name) is dense)")
            }
            do {
                experiment.routingTrace = try RoutingTraceReader.parse(
                    try InputFile.read(routing, what: "routing trace", limit: InputFile.traceLimit), file: routing)
            } catch let error as DatasetError {
                throw InputError(error.message)
            }
        }
        let reports = try RunArtifacts.locatingErrors(in: topologyFile, path: topology) {
            try experiment.snapshot(entries, trace: name, policies: list)
        }
        switch format {
        case .json: print(SnapshotReport.json(reports), terminator: "")
        case .table: print(SnapshotReport.table(reports), terminator: "")
        }
    }
}
