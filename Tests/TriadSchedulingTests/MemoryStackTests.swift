import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Several PIM stacks in one group: KV caches are placed over the channels of every stack, so two 16-channel
/// stacks behave as one 32-channel stack, and each stack is reported with its share.
struct MemoryStackTests {
    static func run(_ devices: [DeviceDescription], policy: Policy) throws -> RunReport {
        let links = devices.dropFirst().map { ("npu0", $0.id) }
        var experiment = Experiment(
            devices: try DeviceSet(devices: devices, links: links), model: ModelPresets.named("gpt3-7b")!,
            workload: .sampled(Fixtures.uniformLengths))
        experiment.batch = 128
        experiment.iterations = 30
        return try experiment.run([policy]).reports[0]
    }

    @Test(arguments: [Policy.npuPIM, .neupims, Policy(name: "npu+pim+gmlbp")!])
    func twoHalfStacksEqualOneWholeStack(policy: Policy) throws {
        var half = PIMConfiguration.neupims(rowBuffers: .dual)
        half.memory.channels = 16
        let npu = DeviceDescription(id: "npu0", configuration: .npu(.neupims))
        let whole = try Self.run([npu, DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual)))], policy: policy)
        let split = try Self.run(
            [npu, DeviceDescription(id: "pimA", configuration: .pim(half)), DeviceDescription(id: "pimB", configuration: .pim(half))],
            policy: policy)
        #expect(split.simulatedPicoseconds == whole.simulatedPicoseconds)
        #expect(split.tokens == whole.tokens)
        #expect(split.channelImbalance == whole.channelImbalance)
        let utilization = { (report: RunReport, id: String) in report.deviceUtilization.first { $0.id == id }?.value }
        #expect(utilization(split, "pimA") == utilization(whole, "pim0"))
        #expect(utilization(split, "pimB") == utilization(whole, "pim0"))
    }

    @Test func stacksOfDifferentHardwareAreRefused() {
        var other = PIMConfiguration.neupims(rowBuffers: .dual)
        other.rowBuffers = .single
        #expect(throws: SimulationError.self) {
            _ = try DeviceSet(
                devices: [
                    DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
                    DeviceDescription(id: "pimA", configuration: .pim(.neupims(rowBuffers: .dual))),
                    DeviceDescription(id: "pimB", configuration: .pim(other)),
                ], links: [("npu0", "pimA"), ("npu0", "pimB")])
        }
    }
}

/// Energy and utilization of a PIM stack the plan uses as plain memory (docs/MODEL.md §4, §6).
@Suite struct PlainMemoryPIMTests {
    static func npuOnly(pimClock: Int64) throws -> RunReport {
        var pim = PIMConfiguration.neupims(rowBuffers: .dual)
        pim.memory.clock = ClockFrequency(megahertz: pimClock)
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(pim)),
        ]
        var experiment = Experiment(
            devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]), model: ModelPresets.named("gpt3-7b")!,
            workload: .sampled(Fixtures.uniformLengths), topologyName: "fixture")
        (experiment.batch, experiment.iterations) = (32, 20)
        var simulator = try Simulator(experiment, policy: .npuOnly, costs: LocalCostService(devices: devices))
        return try simulator.run()
    }

    /// Standby is a power: a PIM logic clock the run never uses changes neither the stack's energy nor anything
    /// else of an NPU-only run (it once added 34 mJ per token when standby was counted per PIM cycle).
    @Test func standbyEnergyDoesNotFollowAnUnusedPIMClock() throws {
        let slow = try Self.npuOnly(pimClock: 1000)
        let fast = try Self.npuOnly(pimClock: 2000)
        #expect(slow.energyPerTokenByDevice == fast.energyPerTokenByDevice)
        #expect(slow.tokensPerSecond == fast.tokensPerSecond)
        // 32 channels × 66 mW over the run.
        let standby = 32 * 0.066 * Double(slow.simulatedPicoseconds) * 1e-12 / Double(slow.tokens)
        let pim = slow.energyPerTokenByDevice.first { $0.id == "pim0" }!.value
        #expect(pim > standby)
    }

    /// A PIM stack serving only ordinary traffic reports its streaming time as busy, as an `hbm` device does.
    @Test func plainMemoryPIMIsBusyStreaming() throws {
        let report = try Self.npuOnly(pimClock: 1000)
        let busy = report.deviceUtilization.first { $0.id == "pim0" }!.value
        #expect(busy > 0.5)
        #expect(busy == report.memoryPortUtilization)
    }
}
