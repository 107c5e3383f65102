import Testing
import TriadCore
import TriadDevices
import TriadScheduling

struct TimelineComposerTests {
    /// 1 byte per picosecond.
    func composer(_ rule: MemoryPortRule, cache: Int64 = 0) -> TimelineComposer {
        TimelineComposer(memoryBandwidthBytesPerSecond: 1_000_000_000_000, weightCacheBytes: cache, rule: rule)
    }

    @Test func aSingleChainRunsItsSegmentsBackToBack() {
        var timeline = composer(.independent)
        let program = ChainProgram(
            layer: [Segment(resource: .npu, duration: 100), Segment(resource: .pim, duration: 50)],
            head: [Segment(resource: .npu, duration: 7)])
        let result = timeline.compose([program], layers: 3)
        #expect(result.makespan == 3 * 150 + 7)
        #expect(result.usage.busy[DeviceKind.npu.index] == 307)
        #expect(result.usage.busy[DeviceKind.pim.index] == 150)
    }

    @Test func twoChainsOverlapNPUAndPIM() {
        var timeline = composer(.independent)
        let program = ChainProgram(
            layer: [Segment(resource: .npu, duration: 100), Segment(resource: .pim, duration: 100)], head: [])
        let result = timeline.compose([program, program], layers: 4)
        // Perfect pipeline: each resource busy 800, offset by one segment.
        #expect(result.makespan == 900)
    }

    @Test func streamingBoundsASegmentBelowAndPrefetchesDuringThePreviousOne() {
        var timeline = composer(.independent)
        let program = ChainProgram(
            layer: [Segment(resource: .npu, duration: 100, weightBytes: 150)], head: [])
        let result = timeline.compose([program], layers: 2)
        // Layer 0: stream 0–150, compute ends at 150. Layer 1 streams 150–300 (after the port frees).
        #expect(result.makespan == 300)
        #expect(result.usage.streamedBytes == 300)
    }

    @Test func blockedPIMStopsPrefetchWhileDualLetsItThrough() {
        let program = ChainProgram(
            layer: [
                Segment(resource: .npu, duration: 100, weightBytes: 100),
                Segment(resource: .pim, duration: 100),
            ], head: [])
        var blocked = composer(.blockedDuringPIM)
        var dual = composer(.independent)
        let blockedResult = blocked.compose([program, program], layers: 3)
        let dualResult = dual.compose([program, program], layers: 3)
        #expect(dualResult.makespan < blockedResult.makespan)
    }

    @Test func residentWeightsAreNotStreamedAgain() {
        let program = ChainProgram(layer: [Segment(resource: .npu, duration: 10, weightBytes: 100)], head: [])
        var cached = composer(.independent, cache: 1000)
        cached.reusesWeights = true
        let result = cached.compose([program, program], layers: 2)
        // With reuse on, two chains share each layer's weights: streamed once per layer.
        #expect(result.usage.streamedBytes == 200)
        var uncached = composer(.independent, cache: 0)
        uncached.reusesWeights = true
        #expect(uncached.compose([program, program], layers: 2).usage.streamedBytes == 400)
    }
}

/// Skipping repeating layers (`LayerPeriod`) gives the timeline layer-by-layer composition gives: over seeded random
/// programs of NPU, PIM and FPGA segments with weights, data and PIM blocking, one to three chains, both memory-port
/// rules and prefetching, the makespan and every integer total are equal and the energies equal to rounding.
struct LayerPeriodTests {
    @Test(arguments: 0..<40)
    func skippingLayersChangesNothing(seed: UInt64) {
        var random = SplitMix64(seed: seed &+ 17)
        func draw(_ bound: Int64) -> Int64 { Int64(random.next() % UInt64(bound)) }
        let resources: [DeviceKind] = [.npu, .pim, .npu, .fpga]
        func segments(_ count: Int) -> [Segment] {
            (0..<count).map { _ in
                var segment = Segment(
                    resource: resources[Int(draw(4))], duration: 1 + draw(5_000), weightBytes: draw(3) == 0 ? 0 : draw(8_000),
                    dataBytes: draw(2) == 0 ? 0 : draw(2_000), energyPicojoules: Double(draw(1_000)) / 7,
                    npuSideDuration: draw(3) == 0 ? draw(300) : 0)
                segment.residentDuration = segment.duration / 2
                if segment.resource == .pim { segment.meanChannelBlocked = draw(400) }
                segment.systolicDuration = segment.duration / 3
                return segment
            }
        }
        let chains = (0..<Int(1 + draw(3))).map { _ in
            ChainProgram(layer: segments(Int(1 + draw(6))), head: segments(Int(draw(3))))
        }
        let rule: MemoryPortRule = draw(2) == 0 ? .independent : .blockedDuringPIM
        let layers = Int(4 + draw(40))
        var skipping = TimelineComposer(memoryBandwidthBytesPerSecond: 1_000_000_000, weightCacheBytes: 0, rule: rule)
        skipping.prefetchesWeights = draw(2) == 0
        var stepping = skipping
        stepping.skipsRepeatingLayers = false
        let fast = skipping.compose(chains, layers: layers)
        let slow = stepping.compose(chains, layers: layers)
        #expect(fast.makespan == slow.makespan, "layers \(layers), chains \(chains.count)")
        #expect(fast.usage.busy == slow.usage.busy)
        #expect(fast.usage.streamedBytes == slow.usage.streamedBytes && fast.usage.memoryPortBusy == slow.usage.memoryPortBusy)
        #expect(fast.usage.systolicBusy == slow.usage.systolicBusy && fast.usage.pimChannelBusy == slow.usage.pimChannelBusy)
        for (a, b) in zip(fast.usage.energyPicojoules, slow.usage.energyPicojoules) {
            #expect(abs(a - b) <= 1e-9 * max(abs(b), 1))
        }
        #expect(stepping.skippedLayers == 0)
    }

    /// NeuPIMs-like sub-batches (GEMMs on the NPU, attention on the PIM, two chains) settle into a repeating layer
    /// within a few layers: of 32, all but the first few and the last two are added at once.
    @Test func interleavedSubBatchesSkipMostLayers() {
        let program = ChainProgram(
            layer: [
                Segment(resource: .npu, duration: 300, weightBytes: 200), Segment(resource: .pim, duration: 250),
                Segment(resource: .npu, duration: 500, weightBytes: 400),
            ], head: [Segment(resource: .npu, duration: 90)])
        var composer = TimelineComposer(memoryBandwidthBytesPerSecond: 1_000_000_000_000, weightCacheBytes: 0, rule: .independent)
        let result = composer.compose([program, program], layers: 32)
        #expect(composer.skippedLayers >= 24, "\(composer.skippedLayers)")
        // Totals per device kind are stored inline, one slot per `DeviceKind.index`.
        #expect(DeviceKind.allCases.map(\.index).sorted() == Array(0..<4))
        composer.skipsRepeatingLayers = false
        #expect(composer.compose([program, program], layers: 32).makespan == result.makespan)
    }
}
