public import TriadCore

/// A ternary-weight FPGA engine (docs/MODEL.md §5):
/// N cores × P adders at clock f, weights packed at b bits, int8 activations, its own DDR port, fixed power.
public struct FPGAConfiguration: Sendable, Hashable {
    public var cores: Int
    /// Ternary accumulate units per core (add, subtract or skip per cycle).
    public var addersPerCore: Int
    public var clock: ClockFrequency
    /// Bits per packed ternary weight (2.0 for I2_S, 1.6 for 5 trits per byte).
    public var bitsPerWeight: Double
    /// DDR bandwidth, bytes per second (D5005: 4 × DDR4-2400 ≈ 76.8 GB/s).
    public var memoryBandwidthBytesPerSecond: Int64
    /// Fraction of the DDR bandwidth a streaming read reaches.
    public var memoryEfficiency: Double
    /// DDR capacity, bytes.
    public var memoryBytes: Int64
    /// Board power, watts, charged for the whole simulated time (the paper gives one figure, 13 W).
    public var powerWatts: Double
    /// Fixed latency added to every matrix op, cycles.
    public var fixedLatencyCycles: Int64
    /// Element-wise lanes (separate from the ternary adders), elements per cycle.
    public var elementwiseLanes: Int

    public init(
        cores: Int, addersPerCore: Int, clock: ClockFrequency, bitsPerWeight: Double,
        memoryBandwidthBytesPerSecond: Int64, memoryEfficiency: Double, memoryBytes: Int64, powerWatts: Double,
        fixedLatencyCycles: Int64, elementwiseLanes: Int
    ) {
        self.cores = cores
        self.addersPerCore = addersPerCore
        self.clock = clock
        self.bitsPerWeight = bitsPerWeight
        self.memoryBandwidthBytesPerSecond = memoryBandwidthBytesPerSecond
        self.memoryEfficiency = memoryEfficiency
        self.memoryBytes = memoryBytes
        self.powerWatts = powerWatts
        self.fixedLatencyCycles = fixedLatencyCycles
        self.elementwiseLanes = elementwiseLanes
    }

    /// Bytes a ternary matrix op's weights take in the FPGA's memory at `bitsPerWeight`.
    public func storedWeightBytes(of operation: Operation) -> Int64 {
        Int64((Double(operation.weightCount) * bitsPerWeight / 8).rounded(.up))
    }
}
