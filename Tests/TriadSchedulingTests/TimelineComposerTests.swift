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
