import Testing
import TriadCore
import TriadDevices
import TriadScheduling

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
