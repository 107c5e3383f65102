import Testing
import TriadCore
import TriadDevices

/// The streaming PIM levels checked against AttAcc's simulator (scale-snu/attacc_simulator @ c600051, its patched
/// Ramulator 2 @ b7c7027, power-constrained HBM3 at 5.2 Gb/s; docs/MODEL.md §2.8): `memory_system_cycles` of one
/// HBM3 stack running AttAcc's own attention traces (`gen_trace_attacc_{bank,bg,buffer}.py`, d_head 128, FP16).
/// AttAcc puts one head per channel, 16 at a time; Triad places the same heads as one-head requests, round-robin
/// over the 16 channels, and a channel's time is its requests' logits and attend GEMVs back to back.
@Suite struct AttAccCheckTests {
    struct Reference: Sendable, CustomStringConvertible {
        var level: PIMConfiguration.Level
        var heads: Int
        var length: Int
        var cycles: Int64
        var description: String { "\(level.rawValue) \(heads) heads L\(length)" }
    }

    static let references: [Reference] = [
        .init(level: .bank, heads: 8, length: 4096, cycles: 8088),
        .init(level: .bank, heads: 96, length: 1024, cycles: 12011),
        .init(level: .bank, heads: 96, length: 2048, cycles: 24023),
        .init(level: .bank, heads: 32, length: 2048, cycles: 7861),
        .init(level: .bank, heads: 96, length: 4096, cycles: 48893),
        .init(level: .bank, heads: 32, length: 8192, cycles: 32799),
        .init(level: .bankGroup, heads: 8, length: 4096, cycles: 27239),
        .init(level: .bankGroup, heads: 96, length: 1024, cycles: 40271),
        .init(level: .bankGroup, heads: 96, length: 2048, cycles: 80927),
        .init(level: .bankGroup, heads: 32, length: 2048, cycles: 26975),
        .init(level: .bankGroup, heads: 96, length: 4096, cycles: 162731),
        .init(level: .bankGroup, heads: 32, length: 8192, cycles: 108329),
        .init(level: .buffer, heads: 8, length: 4096, cycles: 72801),
        .init(level: .buffer, heads: 96, length: 1024, cycles: 108765),
        .init(level: .buffer, heads: 96, length: 2048, cycles: 217431),
        .init(level: .buffer, heads: 32, length: 2048, cycles: 72469),
        .init(level: .buffer, heads: 96, length: 4096, cycles: 435602),
        .init(level: .buffer, heads: 32, length: 8192, cycles: 290755),
    ]

    /// Every trace within ±15 % of AttAcc's cycles.
    @Test(arguments: references)
    func streamingLevelsMatchAttAcc(reference: Reference) {
        let pim = PIMConfiguration.attaccHBM3(level: reference.level)
        let model = PIMCostModel(configuration: pim)
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: 128, sequenceLength: reference.length, heads: 1, keyValueHeads: 1,
            headDimension: 128)
        var attend = logits
        attend.kind = .attentionAttend
        let perHead = model.cost(of: logits).cycles + model.cost(of: attend).cycles
        let rounds = Int64(reference.heads.ceilDiv(pim.memory.channels))
        let ours = rounds * perHead
        let error = Double(ours) / Double(reference.cycles) - 1
        print(
            "AttAcc \(reference): AttAcc \(reference.cycles), Triad \(ours) (\(String(format: "%+.1f", error * 100)) %)"
        )
        #expect(abs(error) <= 0.15, "\(reference): Triad \(ours) cycles, AttAcc \(reference.cycles)")
    }

    /// An FC GEMV y = W·x (W of N outputs × K inputs, one vector) on AttAcc's PIM: its score GEMV with d_head = K
    /// and N ÷ 16 tokens per channel, one round over the 16 channels (AttAcc's own `gen_trace_attacc_*.py` with the
    /// softmax and context commands emptied; the trace otherwise byte-identical to the stock one): the vector's
    /// writes, the MACs and the outputs' moves. Triad costs it as `DeviceEvaluator` does a matrix op on the PIM
    /// (docs/MODEL.md §2.9).
    struct FCReference: Sendable, CustomStringConvertible {
        var level: PIMConfiguration.Level
        var outputs: Int
        var inputs: Int
        var cycles: Int64
        var description: String { "\(level.rawValue) FC \(outputs)×\(inputs)" }
    }

    static let fcReferences: [FCReference] = [
        .init(level: .bank, outputs: 4096, inputs: 4096, cycles: 8853),
        .init(level: .bank, outputs: 16384, inputs: 4096, cycles: 33315),
        .init(level: .bank, outputs: 4096, inputs: 16384, cycles: 36825),
        .init(level: .bank, outputs: 12288, inputs: 4096, cycles: 25015),
        .init(level: .bankGroup, outputs: 4096, inputs: 4096, cycles: 27977),
        .init(level: .bankGroup, outputs: 16384, inputs: 4096, cycles: 109289),
        .init(level: .bankGroup, outputs: 4096, inputs: 16384, cycles: 112835),
        .init(level: .bankGroup, outputs: 12288, inputs: 4096, cycles: 82343),
        .init(level: .buffer, outputs: 4096, inputs: 4096, cycles: 73285),
        .init(level: .buffer, outputs: 16384, inputs: 4096, cycles: 290553),
        .init(level: .buffer, outputs: 4096, inputs: 16384, cycles: 293618),
        .init(level: .buffer, outputs: 12288, inputs: 4096, cycles: 217817),
    ]

    /// Every FC GEMV within ±15 % of AttAcc's cycles.
    @Test(arguments: fcReferences)
    func fcGEMVsMatchAttAcc(reference: FCReference) throws {
        let pim = PIMConfiguration.attaccHBM3(level: reference.level)
        let fc = Operation(kind: .feedForwardUp, rows: 1, inner: reference.inputs, columns: reference.outputs)
        let ours = try DeviceEvaluator(device: DeviceDescription(id: "pim0", configuration: .pim(pim)))
            .costs(of: [fc])[0].cycles
        let error = Double(ours) / Double(reference.cycles) - 1
        print("AttAcc \(reference): AttAcc \(reference.cycles), Triad \(ours) (\(String(format: "%+.1f", error * 100)) %)")
        #expect(abs(error) <= 0.15, "\(reference): Triad \(ours) cycles, AttAcc \(reference.cycles)")
    }

    /// The levels' order and ratios follow from their units: 64, 16 and 2 per channel at MAC intervals 6, 6, 2.
    @Test func unitsDecideTheLevelsOrder() {
        func cycles(_ level: PIMConfiguration.Level) -> Int64 {
            let operation = Operation(
                kind: .attentionLogits, rows: 1, inner: 1024, sequenceLength: 4096, heads: 8, keyValueHeads: 8,
                headDimension: 128)
            return PIMCostModel(configuration: .attaccHBM3(level: level)).cost(of: operation).cycles
        }
        #expect(cycles(.bank) < cycles(.bankGroup) && cycles(.bankGroup) < cycles(.buffer))
    }
}
