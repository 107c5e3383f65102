import TriadCore
import TriadDatasets
public import TriadDevices
public import TriadScheduling
import Foundation

/// Simulator speed on fixed scenarios, in simulated decode tokens per wall-clock second (`triad bench`).
/// Speed is measured, never asserted in tests.
public enum Bench {
    public struct Scenario: Sendable {
        public var name: String
        public var model: String
        /// A bundled data set, or a fixed (input, output) shape when `fixedShape` is set.
        public var workload: String
        public var fixedShape: (input: Int, output: Int)? = nil
        public var batch: Int
        public var policy: Policy
        public var iterations: Int
        public var devices: [DeviceDescription]
        public var links: [(String, String)]
    }

    public static var scenarios: [Scenario] {
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
            // The auto policy beside the fixed plan it picks here: the difference in wall time is its search cost.
            Scenario(
                name: "gpt3-7b/sharegpt/b512/auto", model: "gpt3-7b", workload: "sharegpt", batch: 512,
                policy: .auto, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-30b/alpaca/b256/neupims", model: "gpt3-30b", workload: "alpaca", batch: 256,
                policy: .neupims, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-175b/sharegpt/b512/neupims", model: "gpt3-175b", workload: "sharegpt", batch: 512,
                policy: .neupims, iterations: 10000, devices: neupims, links: link),
            Scenario(
                name: "mmfree-1.3b/fixed/b16/ternary", model: "mmfree-1.3b", workload: "fixed", fixedShape: (64, 256),
                batch: 16,
                policy: .ternary, iterations: 100000, devices: [fpga], links: []),
        ]
    }

    public struct Measurement: Sendable {
        public var name: String
        public var tokens: Int64
        public var iterations: Int
        public var wallSeconds: Double
        /// For the cluster scenario: the same run in-process, and messages exchanged.
        public var inProcessWallSeconds: Double?
        /// For the cluster scenario: wall time once every worker had registered (the run alone, no spawning).
        public var runWallSeconds: Double?
        public var messages: Int?
        /// For the cluster scenarios: starting the worker processes (0 with a warm pool) and their registration,
        /// seconds, and the payload bytes of all messages.
        public var spawnWallSeconds: Double?
        public var registrationWallSeconds: Double?
        public var messageBytes: Int?
        public init(
            name: String, tokens: Int64, iterations: Int, wallSeconds: Double, inProcessWallSeconds: Double? = nil,
            messages: Int? = nil
        ) {
            self.name = name
            self.tokens = tokens
            self.iterations = iterations
            self.wallSeconds = wallSeconds
            self.inProcessWallSeconds = inProcessWallSeconds
            self.messages = messages
        }

        public var tokensPerSecond: Double { wallSeconds > 0 ? Double(tokens) / wallSeconds : 0 }
        public var iterationsPerSecond: Double { wallSeconds > 0 ? Double(iterations) / wallSeconds : 0 }
    }

    /// Runs `scenario` in this process with its iterations scaled by `scale`.
    public static func measure(_ scenario: Scenario, scale: Double) throws -> Measurement {
        guard let model = ModelPresets.named(scenario.model) else {
            throw SimulationError(.incompatible, "bench: no model \(scenario.model)")
        }
        let workload: RequestStream =
            try scenario.fixedShape.map { .fixed(input: $0.input, output: $0.output) }
            ?? ExperimentRunner.dataset(scenario.workload)
        var experiment = Experiment(
            devices: try DeviceSet(devices: scenario.devices, links: scenario.links), model: model, workload: workload,
            topologyName: "bench")
        experiment.batch = scenario.batch
        experiment.iterations = max(1, Int(Double(scenario.iterations) * scale))
        let clock = ContinuousClock()
        var report: RunReport?
        let elapsed = try clock.measure { report = try experiment.run([scenario.policy]).reports[0] }
        return Measurement(
            name: scenario.name, tokens: report!.tokens, iterations: report!.iterations, wallSeconds: elapsed.seconds)
    }
}
