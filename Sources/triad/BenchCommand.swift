import ArgumentParser
import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling

/// `triad bench`: simulator speed on fixed in-process scenarios, in simulated decode tokens per
/// wall-clock second. Speed is measured here, never asserted in tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure simulator speed on fixed in-process scenarios.")

    @Option(help: "Only scenarios whose name contains this text.")
    var scenario: String?

    @Option(help: "Scale every scenario's iteration count by this factor.")
    var scale: Double = 1

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    struct Scenario {
        var name: String
        var model: String
        var workload: String
        var batch: Int
        var policy: Policy
        var iterations: Int
        var devices: [DeviceDescription]
        var links: [(String, String)]
    }

    static var scenarios: [Scenario] {
        let npu = DeviceDescription(id: "npu0", configuration: .npu(.neupims))
        let dualPIM = DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual)))
        let fpga = DeviceDescription(
            id: "fpga0",
            configuration: .fpga(
                FPGAConfiguration(
                    cores: 256, addersPerCore: 1, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                    memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 32 << 30,
                    powerWatts: 13, fixedLatencyCycles: 0, elementwiseLanes: 16)))
        let neupims = [npu, dualPIM]
        let link = [("npu0", "pim0")]
        return [
            Scenario(
                name: "gpt3-7b/sharegpt/b512/neupims", model: "gpt3-7b", workload: "sharegpt", batch: 512,
                policy: .neupims, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-7b/sharegpt/b256/npu+pim", model: "gpt3-7b", workload: "sharegpt", batch: 256,
                policy: .npuPIM, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-7b/sharegpt/b256/npu-only", model: "gpt3-7b", workload: "sharegpt", batch: 256,
                policy: .npuOnly, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-30b/alpaca/b256/neupims", model: "gpt3-30b", workload: "alpaca", batch: 256,
                policy: .neupims, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-175b/sharegpt/b512/neupims", model: "gpt3-175b", workload: "sharegpt", batch: 512,
                policy: .neupims, iterations: 10000, devices: neupims, links: link),
            Scenario(
                name: "mmfree-1.3b/fixed/b16/ternary", model: "mmfree-1.3b", workload: "fixed:64:256", batch: 16,
                policy: .ternary, iterations: 100000, devices: [fpga], links: []),
        ]
    }

    struct Measurement {
        var name: String
        var tokens: Int64
        var iterations: Int
        var wallSeconds: Double
        var tokensPerSecond: Double { wallSeconds > 0 ? Double(tokens) / wallSeconds : 0 }
        var iterationsPerSecond: Double { wallSeconds > 0 ? Double(iterations) / wallSeconds : 0 }
    }

    func run() throws {
        var measurements: [Measurement] = []
        for scenario in Self.scenarios where self.scenario.map({ scenario.name.contains($0) }) ?? true {
            let devices = try DeviceSet(devices: scenario.devices, links: scenario.links)
            let configuration = SimulationConfiguration(
                model: try Inputs.model(scenario.model, tensorParallel: nil, pipelineParallel: nil),
                stream: try Inputs.workload(scenario.workload), batchSize: scenario.batch,
                iterations: max(1, Int(Double(scenario.iterations) * scale)), seed: 1, policy: scenario.policy,
                topologyName: "bench")
            let workers: [any DeviceWorker] = scenario.devices.map { LocalDeviceWorker(device: $0) }
            var simulator = try Simulator(configuration: configuration, devices: devices, workers: workers)
            let clock = ContinuousClock()
            var report: RunReport?
            let elapsed = try clock.measure { report = try simulator.run() }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            measurements.append(
                Measurement(
                    name: scenario.name, tokens: report!.tokens, iterations: report!.iterations, wallSeconds: seconds))
        }
        guard !measurements.isEmpty else { throw InputError("triad: no bench scenario matches '\(scenario ?? "")'") }
        switch format {
        case .json:
            let items = measurements.map {
                "{\"name\":\"\($0.name)\",\"simulated_tokens_per_second\":\(Int64($0.tokensPerSecond.rounded())),\"iterations_per_second\":\(Int64($0.iterationsPerSecond.rounded())),\"iterations\":\($0.iterations),\"tokens\":\($0.tokens),\"wall_seconds\":\($0.wallSeconds)}"
            }
            print("{\"scenarios\":[" + items.joined(separator: ",") + "]}")
        case .table:
            print("scenario                                   sim tokens/s   iterations/s   wall s")
            for m in measurements {
                let name = m.name.padding(toLength: 40)
                print(
                    "\(name)  \(String(Int64(m.tokensPerSecond.rounded())).leftPadded(13))  \(String(Int64(m.iterationsPerSecond.rounded())).leftPadded(13))  \(String(Double(Int(m.wallSeconds * 1000)) / 1000).leftPadded(7))"
                )
            }
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String { self + String(repeating: " ", count: max(0, length - count)) }
    func leftPadded(_ length: Int) -> String { String(repeating: " ", count: max(0, length - count)) + self }
}
