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
        let whole = try Self.run(
            [npu, DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual)))], policy: policy)
        let split = try Self.run(
            [
                npu, DeviceDescription(id: "pimA", configuration: .pim(half)),
                DeviceDescription(id: "pimB", configuration: .pim(half)),
            ],
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
