import Testing
import TriadCore
import TriadDevices

/// Low-bit GEMMs on LUT Tensor Core units (docs/MODEL.md §13.1), by hand from the design's parameters.
struct LookupTableGEMMTests {
    static let lut: NPUConfiguration = {
        var npu = NPUConfiguration.neupims
        npu.lowBitGEMM = .lookupTables
        return npu
    }()

    static func operation(rows: Int, inner: Int, columns: Int, bits: UInt8) -> Operation {
        var operation = Operation(kind: .feedForwardUp, rows: rows, inner: inner, columns: columns)
        operation.weightBits = bits
        return operation
    }

    /// 8 × 128 × 128 FP16 MACs × 20.9 in 2 × 64 × 4 tiles: 5,350 units.
    @Test func unitsFillTheArraysArea() {
        #expect(LookupTableGEMM(configuration: Self.lut).units == 5_350)
    }

    /// One token through a 4096 × 4096 INT4 matrix: 1 × 1,024 × 64 tiles × 4 bit cycles / 5,350 units = 49 cycles
    /// (the weights stream far slower); tables 1 × 1,024 × 8 entries on 1,024 lanes = 8 cycles; the stream 8,388,608 B
    /// of weights + 131,072 groups × 4 B + 16,384 B of activations at 1024 × 3640 / 3900 B/cycle = 9,343 cycles.
    @Test func oneTokenIsTheWeightStreamAtItsWidth() {
        let cost = NPUCostModel(configuration: Self.lut).cost(
            of: Self.operation(rows: 1, inner: 4096, columns: 4096, bits: 4))
        let engine = LookupTableGEMM(configuration: Self.lut)
        #expect(engine.computeCycles(tokens: 1, inner: 4096, outputs: 4096, bits: 4) == 49)
        #expect(engine.precomputeCycles(tokens: 1, inner: 4096) == 8)
        #expect(cost.streamedBytes == 8_388_608 + 524_288 + 16_384)
        #expect(cost.cycles == 8 + 9_343)
        // The dequantizing arrays are bound by their own pace at one token: 32 K-tiles × 624 cycles and more.
        let arrays = NPUCostModel(configuration: .neupims).cost(
            of: Self.operation(rows: 1, inner: 4096, columns: 4096, bits: 4))
        #expect(arrays.cycles > 32 * 624 && arrays.streamedBytes == cost.streamedBytes)
    }

    /// Bit-serial: with activations few enough to stay off the stream's path, compute scales with the weight bits; energy
    /// is W × the FP16 MAC's / 11.2 per multiply-accumulate plus one vector op per table entry.
    @Test func bitsScaleComputeAndEnergy() {
        let engine = LookupTableGEMM(configuration: Self.lut)
        let one = engine.computeCycles(tokens: 4096, inner: 8192, outputs: 8192, bits: 1)
        #expect(one == (2048 * 2048 * 128).ceilDiv(5_350))
        #expect(engine.computeCycles(tokens: 4096, inner: 8192, outputs: 8192, bits: 4) == (4 * 2048 * 2048 * 128).ceilDiv(5_350))
        let cost = NPUCostModel(configuration: Self.lut).cost(
            of: Self.operation(rows: 2, inner: 4096, columns: 4096, bits: 2))
        let expected = 2.0 * 4096 * 4096 * 2 * 0.5 / 11.2 + 2 * 1024 * 8 * 0.16
        #expect(abs(cost.energyPicojoules - expected) < 1e-6 * expected)
    }

    /// FP16 and sparse GEMMs keep the arrays on a LUT NPU; ternary weights take the LUT path at 2 bits.
    @Test func onlyIntegerAndTernaryWeightsTakeTheTables() {
        let lut = NPUCostModel(configuration: Self.lut)
        let arrays = NPUCostModel(configuration: .neupims)
        let dense = Operation(kind: .feedForwardUp, rows: 8, inner: 4096, columns: 4096)
        #expect(lut.cost(of: dense) == arrays.cost(of: dense))
        var sparse = dense
        sparse.weightDensity = 2_000
        #expect(lut.cost(of: sparse) == arrays.cost(of: sparse))
        let ternary = Operation(kind: .feedForwardUp, rows: 8, inner: 4096, columns: 4096, isTernary: true)
        #expect(LookupTableGEMM.weightBits(of: ternary) == 2)
        #expect(lut.cost(of: ternary).cycles < arrays.cost(of: ternary).cycles)
    }
}
