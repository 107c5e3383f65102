import Foundation
public import TriadCore
public import TriadScheduling
public import TriadSetup
import TriadTopology

/// The scale study of `triad bench --scale` (docs/SCALING.md): what one simulated decode iteration costs in wall time
/// as the simulated system grows — GPT3-175B and a 1T-class dense model on 8 … 1,024 NeuPIMs devices in this process.
///
/// Each device is the NeuPIMs NPU with its dual-row-buffer PIM (`Topologies/neupims-175b.yaml`), its channels holding
/// `channelCapacityBytes` so the models fit on few devices. Tensor parallelism is 8 (16 when the pipeline would need
/// more stages than the model has layers); the pipeline takes the rest; every stage decodes `requestsPerStage`
/// requests, so the work per iteration grows with the devices. A point's cost is the wall time of 2N iterations less
/// that of N: set-up, the first costs and the report cancel, leaving N steady-state iterations.
public enum ScaleStudy {
    /// Simulated device counts (NPU+PIM groups) of the in-process points.
    public static let deviceCounts = [8, 32, 128, 512, 1024]
    /// The models: GPT3-175B and the 1T-class `megatron-1t`.
    public static let models = ["gpt3-175b", "megatron-1t"]
    /// Requests each pipeline stage decodes (NeuPIMs' GPT3-175B runs 512 over 4 stages).
    public static let requestsPerStage = 128
    /// Bytes each PIM channel holds in the study: 4 GiB, 128 GiB per 32-channel device (an HBM3e-class stack; an
    /// assumption — NeuPIMs' 1 GiB channels cannot hold GPT3-175B on 8 devices).
    public static let channelCapacityBytes: Int64 = 4 << 30
    /// The topology the study scales.
    public static let basePath = "Topologies/neupims-175b.yaml"

    /// The tensor × pipeline split of `devices` for `model`: tensor 8 (or all devices, when fewer), else 16 or 32 when
    /// the pipeline would need more stages than the model has layers; nil when none divides.
    public static func split(devices: Int, model: ModelSpec) -> (tensor: Int, pipeline: Int)? {
        for tensor in [min(8, devices), 16, 32]
        where devices % tensor == 0 && model.attentionHeads % tensor == 0 && devices / tensor <= model.layers {
            return (tensor, devices / tensor)
        }
        return nil
    }

    /// `base` (the 32-device NeuPIMs topology's text) resized to `devices` NPU+PIM groups at `tensor` × `pipeline`,
    /// its channels holding `channelCapacityBytes`.
    public static func topology(_ base: String, devices: Int, tensor: Int, pipeline: Int) throws -> String {
        try TopologyOverride.apply(
            [
                ("npu.count", "\(devices)"), ("pim.count", "\(devices)"), ("device.count", "\(devices)"),
                ("parallelism.tensor", "\(tensor)"), ("parallelism.pipeline", "\(pipeline)"),
                ("pim.channel_capacity_bytes", "\(channelCapacityBytes)"),
            ], to: base)
    }

    /// The inputs of one point: `model` on `devices` groups of the topology `base` (read from `path`), batch
    /// `requestsPerStage` per stage; nil with the reason when no split fits.
    public static func inputs(base: String, path: String, model name: String, devices: Int) throws -> (
        inputs: LoadedInputs, point: ScalePoint
    )? {
        guard let model = ModelPresets.named(name), let split = split(devices: devices, model: model) else {
            return nil
        }
        let text = try topology(base, devices: devices, tensor: split.tensor, pipeline: split.pipeline)
        let parsed = try TopologyParser.parse(text, file: "\(path) at \(devices) devices")
        let inputs = try LoadedInputs(
            topology: parsed, path: path, model: name, tensorParallel: split.tensor, pipelineParallel: split.pipeline,
            stream: try Inputs.workload("sharegpt"))
        let point = ScalePoint(
            model: name, mode: .inProcess, devices: devices, tensorParallel: split.tensor,
            pipelineParallel: split.pipeline, batch: requestsPerStage * split.pipeline, iterations: 0, wallSeconds: 0)
        return (inputs, point)
    }

    /// Iterations a point measures at `batch` requests: about 4 million request-steps (a fraction of a second) but at
    /// least 100 iterations, times `length`, and never fewer than 10.
    public static func iterations(batch: Int, length: Double) -> Int {
        max(10, Int((Double(max(100, 4_000_000 / max(batch, 1))) * length).rounded()))
    }

    /// Runs `experiment` under `policy` for N and 2N iterations; the point's cost is the difference (N iterations,
    /// their mean batch from the request-steps), or skipped when the model does not fit or the difference is not
    /// positive (a machine too noisy to measure).
    public static func measure(_ experiment: Experiment, policy: Policy, point: ScalePoint, iterations: Int)
        -> ScalePoint
    {
        var point = point
        let clock = ContinuousClock()
        var runs: [(seconds: Double, steps: Int64)] = []
        for count in [iterations, 2 * iterations] {
            var run = experiment
            run.batch = point.batch
            run.iterations = count
            var report: RunReport?
            do {
                let elapsed = try clock.measure { report = try run.run([policy]).reports[0] }
                runs.append((elapsed.seconds, report!.requestSteps))
            } catch {
                point.skipped = "\(error)".split(separator: "\n").first.map(String.init) ?? "failed"
                return point
            }
        }
        let seconds = runs[1].seconds - runs[0].seconds
        guard seconds > 0 else {
            point.skipped = "the longer run was not slower (the machine is too busy to measure)"
            return point
        }
        point.iterations = iterations
        point.wallSeconds = seconds
        point.batch = Int((Double(runs[1].steps - runs[0].steps) / Double(iterations)).rounded())
        return point
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
