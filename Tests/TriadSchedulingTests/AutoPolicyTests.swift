import Foundation
import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// The `auto` policy (docs/MODEL.md §11): it sees the same devices and costs as the fixed policies and only the
/// batch in hand, and it must not lose to the best of them.
@Suite struct AutoPolicyTests {
    /// Seeded random models (MHA, GQA, MQA), hardware (NPU with plain HBM or PIM) and batches, with KV room for the
    /// whole batch (where capacity binds, `auto` keeps the PIM layout and `npu-only`'s pooled one can admit more —
    /// see MODEL.md §11): on each, `auto` ≥ the best fixed policy − 1 %. 200 cases (`TRIAD_AUTO_CASES` sets
    /// another count).
    @Test func autoIsNeverWorseThanTheBestFixedPolicy() throws {
        let count = ProcessInfo.processInfo.environment["TRIAD_AUTO_CASES"].flatMap { Int($0) } ?? 200
        var worst = Double.infinity
        var ahead = 0
        var violations: [String] = []
        var checkedAlone = 0
        for index in 0..<count {
            var sample = PhysicsPropertyTests.Case(seed: 0xA070_0000 + UInt64(index))
            var devices = [DeviceDescription(id: "npu0", configuration: .npu(sample.npu))]
            devices.append(
                DeviceDescription(id: "mem0", configuration: sample.pim.map { .pim($0) } ?? .hbm(sample.memory)))
            var links = [("npu0", "mem0")]
            // Every fourth case: ternary weights and a ternary FPGA beside the NPU (the `ternary` plan).
            if index % 4 == 3 {
                sample.model.weightFormat = .ternary
                devices.append(
                    DeviceDescription(
                        id: "fpga0",
                        configuration: .fpga(
                            FPGAConfiguration(
                                cores: [64, 256, 1024][index % 3], addersPerCore: 1,
                                clock: ClockFrequency(megahertz: 250), bitsPerWeight: 2,
                                memoryBandwidthBytesPerSecond: 460_000_000_000, memoryEfficiency: 0.9,
                                memoryBytes: 1 << 40, powerWatts: 40, fixedLatencyCycles: 10, elementwiseLanes: 64))))
                links.append(("npu0", "fpga0"))
            }
            var experiment = Experiment(
                devices: try DeviceSet(devices: devices, links: links), model: sample.model,
                workload: .fixed(input: min(sample.input, 16_384), output: sample.output), topologyName: "random")
            (experiment.batch, experiment.iterations, experiment.seed, experiment.maxSequence) =
                (sample.batch, 24, sample.seed, min(sample.input, 16_384) + sample.output)
            // The presets, each with every FC GEMV on the PIM, and the split-attention ones (fixed plans too).
            let runnable =
                Policy.presets + Policy.presets.map { $0.offloading(.every()) }
                + Policy.splitCandidates.map { $0.splittingAttention() }
            let fixed = runnable.filter { (try? $0.plan(for: sample.model, on: experiment.devices)) != nil }
            let reports = try experiment.run(fixed + [.auto]).reports
            let best = reports.dropLast().map(\.tokensPerSecond).max() ?? 0
            let auto = reports.last!.tokensPerSecond
            // A run that kept one greedy-placement plan throughout is that plan's own run (the candidates share
            // costs, never figures they did not compute).
            if let plans = reports.last!.autoPlan?.plans, plans.count == 1, plans[0].name.hasPrefix("neupims"),
                let same = reports.dropLast().first(where: { $0.policy == plans[0].name })
            {
                #expect(same.tokensPerSecond == auto, "\(sample): auto ran \(plans[0].name) only")
                checkedAlone += 1
            }
            worst = min(worst, auto / best)
            if auto > best * 1.01 { ahead += 1 }
            if auto < best * 0.99 {
                violations.append("\(sample): auto \(auto) tokens/s, best fixed \(best) (\(reports.last!.attention))")
            }
        }
        print(
            "auto vs the best fixed policy: worst \(worst), ahead by > 1 % in \(ahead) of \(count); \(checkedAlone) runs of one plan equal that plan's")
        let listed = violations.prefix(5).joined(separator: "\n")
        #expect(violations.count == 0, "\(violations.count) cases:\n\(listed)")
    }

    /// Deterministic, and it says what it ran: the same run twice gives the same report; Llama-3-8B at batch 4 moves
    /// its FC GEMVs to the PIM (four rows read the weights faster in the banks than over the NPU's port) and beats
    /// every fixed preset; GPT3-7B at batch 256 runs NeuPIMs with every FC on the NPU.
    @Test func autoChoosesByTheBatchAndSaysSo() throws {
        func report(_ model: String, batch: Int) throws -> RunReport {
            let (devices, costs) = try Fixtures.neupims()
            var experiment = Experiment(
                devices: devices, model: ModelPresets.named(model)!, workload: .sampled(Fixtures.uniformLengths),
                topologyName: "fixture")
            (experiment.batch, experiment.iterations) = (batch, 40)
            return try experiment.run([.auto], costs: costs).reports[0]
        }
        let small = try report("llama-3-8b", batch: 4)
        #expect(small.autoPlan?.plans.first?.name.hasSuffix("+fc:4") == true)
        let large = try report("gpt3-7b", batch: 256)
        #expect(large.autoPlan?.plans.map(\.name).contains("neupims") == true)
        #expect(large.policy == "auto" && large.attention.hasPrefix("auto: "))
        #expect(try report("gpt3-7b", batch: 256) == large)
    }
}
