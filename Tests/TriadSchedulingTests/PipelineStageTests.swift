import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Staged pipelines: the layer balance against hand-computed splits, and runs over stages simulated one by one.
struct PipelineStageTests {
    @Test func balanceGivesEachLayerToTheStageItSlowsLeast() {
        // Stage 0: 1 per layer; stage 1: 2 fixed + 2 per layer. Optimum of max(L0, 2 + 2 L1) with L0 + L1 = 10 is 8
        // (L1 = 2 or 3); ties go to the earlier stage, so [8, 2].
        #expect(Experiment.balancedLayers(10, fixed: [0, 2], perLayer: [1, 2]) == [8, 2])
        #expect(Experiment.balancedLayers(9, fixed: [0, 0, 0], perLayer: [1, 1, 1]) == [3, 3, 3])
        // Every stage keeps at least one layer however slow it is.
        #expect(Experiment.balancedLayers(4, fixed: [0, 0], perLayer: [1, 1000]) == [3, 1])
    }

    static func neupimsStage(_ index: Int) throws -> PipelineStage {
        let devices = [
            DeviceDescription(id: "npu\(index)", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim\(index)", configuration: .pim(.neupims(rowBuffers: .dual))),
        ]
        return PipelineStage(
            groupIDs: ["g\(index)"], devices: try DeviceSet(devices: devices, links: [("npu\(index)", "pim\(index)")]),
            policy: .neupims)
    }

    static func experiment(pipeline: Int, model: String = "gpt3-7b") throws -> Experiment {
        let (devices, _) = try Fixtures.neupims()
        var spec = ModelPresets.named(model)!
        spec.pipelineParallel = pipeline
        var experiment = Experiment(devices: devices, model: spec, workload: .sampled(Fixtures.uniformLengths))
        experiment.batch = 64
        experiment.iterations = 30
        return experiment
    }

    /// Two alike stages simulated one by one decode the same tokens as one simulated stage standing for both,
    /// their layers add up to the model's, and the balanced split (the LM head only on the last stage) is at least
    /// as fast as the even split that charges every stage the head.
    @Test func alikeStagesMatchTheUniformPipeline() throws {
        let uniform = try Self.experiment(pipeline: 2).run([.neupims]).reports[0]
        var staged = try Self.experiment(pipeline: 2)
        staged.stages = [try Self.neupimsStage(0), try Self.neupimsStage(1)]
        let report = try staged.run([.neupims]).reports[0]
        #expect(report.tokens == uniform.tokens)
        #expect(report.stages.map(\.layers).reduce(0, +) == 32)
        #expect(report.stages.allSatisfy { $0.layers >= 1 && $0.policy == "neupims" })
        #expect(report.tokensPerSecond >= uniform.tokensPerSecond * 0.999)
        #expect(report.deviceUtilization.map(\.id) == ["npu0", "pim0", "npu1", "pim1"])
        #expect(report.deviceUtilization.allSatisfy { $0.value > 0 })
    }

    /// A slower stage gets fewer layers, and the slowest stage is busy for most of each iteration.
    @Test func slowerStageGetsFewerLayers() throws {
        var slow = try Self.neupimsStage(1)
        var npu = NPUConfiguration.neupims
        npu.systolicArrays = 2
        npu.memoryBandwidthBytesPerSecond /= 4
        slow.devices = try DeviceSet(
            devices: [
                DeviceDescription(id: "npu1", configuration: .npu(npu)),
                DeviceDescription(id: "pim1", configuration: .pim(.neupims(rowBuffers: .dual))),
            ], links: [("npu1", "pim1")])
        var staged = try Self.experiment(pipeline: 2)
        staged.stages = [try Self.neupimsStage(0), slow]
        let report = try staged.run([.neupims]).reports[0]
        #expect(report.stages[0].layers > report.stages[1].layers)
        #expect(report.stages[1].perLayerMilliseconds > report.stages[0].perLayerMilliseconds)
        let busy = Dictionary(uniqueKeysWithValues: report.deviceUtilization.map { ($0.id, $0.value) })
        #expect(busy["npu1"]! > 0.5)
    }

    /// A pinned stage keeps its layers and the others share the rest; pins that cannot add up are refused.
    @Test func pinnedLayersAreKept() throws {
        var staged = try Self.experiment(pipeline: 2)
        var first = try Self.neupimsStage(0)
        first.layers = 5
        staged.stages = [first, try Self.neupimsStage(1)]
        #expect(try staged.run([.neupims]).reports[0].stages.map(\.layers) == [5, 27])
        var second = try Self.neupimsStage(1)
        second.layers = 26
        staged.stages = [first, second]
        #expect(throws: SimulationError.self) { try staged.run([.neupims]) }
        first.layers = 32
        staged.stages = [first, try Self.neupimsStage(1)]
        #expect(throws: SimulationError.self) { try staged.run([.neupims]) }
    }

    @Test func tensorParallelPeersMustBeAlike() throws {
        let fpga = DeviceDescription(
            id: "fpga0",
            configuration: .fpga(
                FPGAConfiguration(
                    cores: 64, addersPerCore: 512, clock: ClockFrequency(megahertz: 170), bitsPerWeight: 2,
                    memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 1 << 35,
                    powerWatts: 46, fixedLatencyCycles: 0, elementwiseLanes: 16)))
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))), fpga,
        ]
        var groups = try DeviceGroups(
            groups: [("a", ["npu0", "pim0"]), ("b", ["fpga0"])], devices: devices, attachments: [], declared: true)
        #expect(!groups.isUniform)
        #expect(throws: SimulationError.self) { try groups.arrange(tensorRanks: 2) }
        try groups.arrange(tensorRanks: 1)
        #expect(groups.isStaged && groups.leaders == [0, 1])
        #expect(groups.mirrors.map(\.mirrors) == ["npu0", "pim0", "fpga0"])
    }
}
