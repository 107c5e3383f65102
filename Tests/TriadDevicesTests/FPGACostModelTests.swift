import Testing
import TriadCore
import TriadDevices

struct FPGACostModelTests {
    func fpga(adders: Int) -> FPGACostModel {
        FPGACostModel(
            configuration: FPGAConfiguration(
                cores: 1, addersPerCore: adders, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 1 << 34,
                powerWatts: 13,
                fixedLatencyCycles: 10, elementwiseLanes: 16))
    }

    let gemv = Operation(kind: .feedForwardUp, rows: 1, inner: 2048, columns: 11264, isTernary: true)

    /// ≈5,000 adders at 60 MHz saturate 76.8 GB/s at 2 bits per weight (docs/MODEL.md §5).
    @Test func crossoverFromComputeToMemoryBoundNearFiveThousandAdders() {
        let computeBound = fpga(adders: 4096).matrixCost(gemv)
        #expect(computeBound.memoryCycles == 0)
        let memoryBound = fpga(adders: 8192).matrixCost(gemv)
        #expect(memoryBound.memoryCycles > 0)
    }

    @Test func latencyIsMaxOfComputeAndMemoryPlusFixed() {
        let model = fpga(adders: 512)
        let cost = model.matrixCost(gemv)
        #expect(cost.cycles == (2048 * 11264).ceilDiv(512) + 10)
        #expect(cost.duration == ClockFrequency(megahertz: 60).picoseconds(forCycles: cost.cycles))
    }

    @Test func onlyTernaryMatricesAndElementwiseWorkRunThere() {
        let model = fpga(adders: 1)
        #expect(model.supports(gemv))
        #expect(!model.supports(Operation(kind: .qkvProjection, rows: 1, inner: 8, columns: 8, isTernary: false)))
        #expect(
            !model.supports(
                Operation(
                    kind: .attentionLogits, rows: 1, inner: 8, sequenceLength: 4, heads: 1, keyValueHeads: 1,
                    headDimension: 8)))
    }
}
