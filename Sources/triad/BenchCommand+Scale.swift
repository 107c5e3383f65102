import Foundation
import Logging
import TriadCluster
import TriadCore
import TriadScheduling
import TriadSetup
import TriadStudy

/// `triad bench --scale`: the scale study (`ScaleStudy`, docs/SCALING.md) — in-process points for every model and
/// device count, then GPT3-175B through 8, 32 and 64 worker processes; progress on standard error.
extension BenchCommand {
    /// Worker processes of the process points (one per NPU and one per PIM: half as many devices).
    static let scaleWorkers = [8, 32, 64]

    func runScaleStudy() throws {
        let path = ScaleStudy.basePath
        guard let base = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("triad: bench --scale needs \(path): run it from the repository's top directory")
        }
        var points: [ScalePoint] = []
        for model in ScaleStudy.models {
            for devices in ScaleStudy.deviceCounts {
                points.append(try inProcessPoint(base: base, path: path, model: model, devices: devices))
            }
        }
        if !noCluster {
            for workers in Self.scaleWorkers {
                points.append(try processPoint(base: base, path: path, model: "gpt3-175b", devices: workers / 2))
            }
        }
        switch format {
        case .json: print(ScaleStudy.json(points))
        case .table: print(ScaleStudy.table(points), terminator: "")
        }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("bench --scale: \(text)\n".utf8))
    }

    private func inProcessPoint(base: String, path: String, model: String, devices: Int) throws -> ScalePoint {
        guard let (inputs, point) = try ScaleStudy.inputs(base: base, path: path, model: model, devices: devices) else {
            return ScalePoint(
                model: model, mode: .inProcess, devices: devices, tensorParallel: 0, pipelineParallel: 0, batch: 0,
                iterations: 0, wallSeconds: 0, skipped: "no tensor × pipeline split of \(devices) devices fits")
        }
        let iterations = ScaleStudy.iterations(batch: point.batch, length: length)
        progress(
            "\(model) on \(devices) devices (TP\(point.tensorParallel)×PP\(point.pipelineParallel), batch \(point.batch)), \(iterations) + \(2 * iterations) iterations in-process"
        )
        return ScaleStudy.measure(inputs.experiment(), policy: .neupims, point: point, iterations: iterations)
    }

    /// The same run through one worker process per device: the wall time of the run phase (workers registered)
    /// per iteration; spawning and registration are in the note.
    private func processPoint(base: String, path: String, model: String, devices: Int) throws -> ScalePoint {
        guard let found = try ScaleStudy.inputs(base: base, path: path, model: model, devices: devices) else {
            return ScalePoint(
                model: model, mode: .processes, devices: devices, tensorParallel: 0, pipelineParallel: 0, batch: 0,
                iterations: 0, wallSeconds: 0, skipped: "no tensor × pipeline split of \(devices) devices fits")
        }
        let inputs = found.inputs
        var point = found.point
        point.mode = .processes
        let iterations = max(10, Int((1000 * length).rounded()))
        progress(
            "\(model) on \(devices) devices (\(2 * devices) worker processes, TP\(point.tensorParallel)×PP\(point.pipelineParallel), batch \(point.batch)), \(iterations) iterations"
        )
        var experiment = inputs.experiment()
        experiment.batch = point.batch
        experiment.iterations = iterations
        var logger = Logger(label: "triad.bench")
        logger.logLevel = .error
        do {
            let measured = try LocalCluster.benchmark(
                experiment, policy: .neupims, devices: inputs.topology.devices, modelName: inputs.model.name,
                mirrors: inputs.groups.mirrorMap, mirroring: inputs.groups.mirrorMap, logger: logger)
            guard measured.remote == measured.local else {
                throw RunFailure(message: "bench --scale: the cluster run differs from the in-process run")
            }
            point.iterations = measured.remote.iterations
            point.wallSeconds = measured.runSeconds
            point.batch = Int(measured.remote.meanActiveRequests.rounded())
            progress(
                "  in-process \(TextTable.fixed(measured.inProcessSeconds, 3)) s; cluster \(TextTable.fixed(measured.clusterSeconds, 3)) s (run \(TextTable.fixed(measured.runSeconds, 3)) s), \(measured.messages) messages"
            )
        } catch let error as ClusterError {
            point.skipped = error.message
        }
        return point
    }
}
