public import TriadCore

/// Costs of operations on a ternary FPGA (docs/MODEL.md §5):
/// t = max(B·M·K / (cores · adders · f), (M·K·bits/8 + activations) / (efficiency · bandwidth)) + t_fixed.
public struct FPGACostModel: Sendable {
    public let configuration: FPGAConfiguration

    public init(configuration: FPGAConfiguration) { self.configuration = configuration }

    /// Ternary accumulates per cycle across the device.
    public var addsPerCycle: Int64 { Int64(configuration.cores * configuration.addersPerCore) }

    /// Cycles to stream `bytes` from DDR at the effective bandwidth.
    public func memoryCycles(bytes: Int64) -> Int64 {
        let effective = Double(configuration.memoryBandwidthBytesPerSecond) * configuration.memoryEfficiency
        let seconds = Double(bytes) / effective
        return Int64((seconds * Double(configuration.clock.megahertz) * 1e6).rounded(.up))
    }

    /// A ternary matrix op: `rows` int8 activation rows against packed ternary weights.
    public func matrixCost(_ operation: Operation) -> OperationCost {
        let adds = operation.multiplyAccumulates
        let compute = adds.ceilDiv(addsPerCycle)
        let weightBytes = configuration.storedWeightBytes(of: operation)
        let activationBytes = Int64(operation.rows) * (Int64(operation.inner) + Int64(operation.columns))
        let memory = memoryCycles(bytes: weightBytes + activationBytes)
        let cycles = max(compute, memory) + configuration.fixedLatencyCycles
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), energyPicojoules: 0,
            computeCycles: compute, memoryCycles: max(0, memory - compute),
            commandCycles: configuration.fixedLatencyCycles)
    }

    /// Element-wise work on the separate element-wise lanes.
    public func vectorCost(_ operation: Operation) -> OperationCost {
        let opsPerElement: Int64
        switch operation.kind {
        case .recurrence: opsPerElement = 15
        case .norm: opsPerElement = 5
        case .softmax: opsPerElement = 3
        default: opsPerElement = 1
        }
        let cycles = (operation.elements * opsPerElement).ceilDiv(Int64(configuration.elementwiseLanes))
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), energyPicojoules: 0,
            computeCycles: cycles)
    }

    /// Whether this device can run `operation` (ternary matrices and element-wise work only).
    public func supports(_ operation: Operation) -> Bool {
        switch operation.kind.category {
        case .matrix: return operation.isTernary
        case .vector: return true
        case .attention: return false
        }
    }

    public func cost(of operation: Operation) -> OperationCost {
        switch operation.kind.category {
        case .matrix: return matrixCost(operation)
        case .vector: return vectorCost(operation)
        case .attention: preconditionFailure("the ternary FPGA does not run attention")
        }
    }
}
