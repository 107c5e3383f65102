/// What one operation costs on one device.
public struct OperationCost: Sendable, Hashable {
    /// Device cycles the operation occupies the device's compute (at the device clock).
    public var cycles: Int64
    /// Simulated time the device is busy with it, memory streaming through a shared port excluded.
    public var duration: Picoseconds
    /// Bytes the operation must stream through the device's port to shared memory (weights, KV reads,
    /// KV appends). Zero when the device owns its memory (an FPGA with its own DDR, PIM in-bank compute).
    public var streamedBytes: Int64
    /// Dynamic energy of the operation on this device, picojoules (shared-memory traffic excluded).
    public var energyPicojoules: Double
    /// Breakdown of `cycles`: arithmetic issue.
    public var computeCycles: Int64
    /// Breakdown of `cycles`: waiting on the device's own memory (FPGA DDR) beyond compute.
    public var memoryCycles: Int64
    /// Breakdown of `cycles`: systolic weight preload and pipeline fill.
    public var preloadCycles: Int64
    /// Breakdown of `cycles`: PIM command overhead (GWRITE, activation, result read-out) and refresh.
    public var commandCycles: Int64

    public init(
        cycles: Int64, duration: Picoseconds, streamedBytes: Int64 = 0, energyPicojoules: Double,
        computeCycles: Int64 = 0, memoryCycles: Int64 = 0, preloadCycles: Int64 = 0, commandCycles: Int64 = 0
    ) {
        self.cycles = cycles
        self.duration = duration
        self.streamedBytes = streamedBytes
        self.energyPicojoules = energyPicojoules
        self.computeCycles = computeCycles
        self.memoryCycles = memoryCycles
        self.preloadCycles = preloadCycles
        self.commandCycles = commandCycles
    }

    /// Busy time with the operation's weights already on chip: `duration` less the share of `cycles` spent
    /// waiting on memory.
    public var residentDuration: Picoseconds {
        guard cycles > 0, memoryCycles > 0 else { return duration }
        return scaled(duration, times: max(0, cycles - memoryCycles), over: cycles, roundingUp: false)
    }

    public static let zero = OperationCost(cycles: 0, duration: 0, energyPicojoules: 0)

    /// The cost of running `self` then `other` on the same device.
    public static func + (lhs: OperationCost, rhs: OperationCost) -> OperationCost {
        OperationCost(
            cycles: lhs.cycles + rhs.cycles, duration: lhs.duration + rhs.duration,
            streamedBytes: lhs.streamedBytes + rhs.streamedBytes,
            energyPicojoules: lhs.energyPicojoules + rhs.energyPicojoules,
            computeCycles: lhs.computeCycles + rhs.computeCycles, memoryCycles: lhs.memoryCycles + rhs.memoryCycles,
            preloadCycles: lhs.preloadCycles + rhs.preloadCycles, commandCycles: lhs.commandCycles + rhs.commandCycles)
    }

    public static func += (lhs: inout OperationCost, rhs: OperationCost) { lhs = lhs + rhs }
}
