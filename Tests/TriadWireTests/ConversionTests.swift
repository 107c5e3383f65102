import Testing
import TriadCore
import TriadDevices
import TriadWire

/// Core values survive the wire unchanged, and out-of-range wire values are refused.
struct ConversionTests {
    @Test func operationsRoundTripWithTheirPIMModes() throws {
        var operation = Operation(
            kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 300, heads: 8, keyValueHeads: 8,
            headDimension: 128)
        operation.pimModes = [.dualRowBuffers, .fusedCommands]
        #expect(try Operation(wire: operation.wire) == operation)
        var hostile = operation.wire
        hostile.pimModes = 1 << 7
        #expect(throws: WireError.self) { try Operation(wire: hostile) }
        hostile = operation.wire
        hostile.sequenceLength = -1
        #expect(throws: WireError.self) { try Operation(wire: hostile) }
    }

    @Test func deviceConfigurationsRoundTrip() throws {
        var npu = NPUConfiguration.neupims
        npu.gemmMapping = .weightStationary
        npu.prefetchesWeights = true
        npu.pimIssueRate = 4
        npu.lowBitGEMM = .lookupTables
        var pim = PIMConfiguration.neupims(rowBuffers: .single)
        pim.commandSet = .newton
        for device in [
            DeviceDescription(id: "npu0", configuration: .npu(npu)),
            DeviceDescription(id: "pim0", configuration: .pim(pim)),
        ] {
            #expect(try DeviceDescription(wire: device.wire) == device)
        }
        var wire = DeviceDescription(id: "npu0", configuration: .npu(npu)).wire
        wire.npu.memoryEfficiency = 1.5
        #expect(throws: WireError.self) { try DeviceDescription(wire: wire) }
        wire = DeviceDescription(id: "npu0", configuration: .npu(npu)).wire
        wire.npu.lowBitGemm = "abacus"
        #expect(throws: WireError.self) { try DeviceDescription(wire: wire) }
    }
}

/// A worker's reply is input: costs that are negative, absurd or not numbers are refused.
struct CostReplyTests {
    @Test(arguments: [
        (Int64(-1), Int64(10), 1.0), (Int64.max, Int64(10), 1.0), (Int64(10), Int64(-5), 1.0),
        (Int64(10), Int64(10), Double.infinity), (Int64(10), Int64(10), Double.nan), (Int64(10), Int64(10), -1.0),
    ])
    func hostileCostsAreRefused(cycles: Int64, duration: Int64, energy: Double) {
        var wire = OperationCost(cycles: 10, duration: 10_000, energyPicojoules: 1).wire
        wire.cycles = cycles
        wire.durationPs = duration
        wire.energyPj = energy
        #expect(throws: WireError.self) { try OperationCost(wire: wire) }
    }

    @Test func ordinaryCostsRoundTrip() throws {
        let cost = OperationCost(cycles: 496, duration: 496_000, streamedBytes: 1 << 20, energyPicojoules: 12.5)
        #expect(try OperationCost(wire: cost.wire) == cost)
    }
}
