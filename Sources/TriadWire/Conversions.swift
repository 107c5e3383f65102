public import TriadCore
public import TriadDevices

extension Operation.Kind {
    public var wire: Triad_V1_OperationKind {
        switch self {
        case .norm: return .norm
        case .qkvProjection: return .qkvProjection
        case .attentionLogits: return .attentionLogits
        case .softmax: return .softmax
        case .attentionAttend: return .attentionAttend
        case .outputProjection: return .outputProjection
        case .residualAdd: return .residualAdd
        case .feedForwardUp: return .feedForwardUp
        case .activation: return .activation
        case .feedForwardDown: return .feedForwardDown
        case .lmHead: return .lmHead
        case .mixerProjection: return .mixerProjection
        case .recurrence: return .recurrence
        case .mixerOutput: return .mixerOutput
        }
    }

    public init(wire: Triad_V1_OperationKind) throws(WireError) {
        guard let kind = Operation.Kind.allCases.first(where: { $0.wire == wire }) else {
            throw WireError(.malformed, "unknown operation kind \(wire.rawValue)")
        }
        self = kind
    }
}

extension Operation {
    public var wire: Triad_V1_Operation {
        var message = Triad_V1_Operation()
        message.kind = kind.wire
        message.rows = rows
        message.inner = inner
        message.columns = columns
        message.isTernary = isTernary
        message.sequenceLength = sequenceLength
        message.heads = heads
        message.keyValueHeads = keyValueHeads
        message.headDimension = headDimension
        message.pimModes = UInt32(pimModes.rawValue)
        message.weightBits = weightBits == 16 ? 0 : UInt32(weightBits)
        message.keyValueVectorBytes = keyValueVectorBytes
        message.weightDensity = weightDensity == 10_000 ? 0 : UInt32(weightDensity)
        message.skipsZeros = skipsZeros
        return message
    }

    /// Rebuilds an operation, rejecting shapes no model produces (negative or absurd sizes).
    public init(wire: Triad_V1_Operation) throws(WireError) {
        let limit: Int32 = 1 << 24
        for value in [
            wire.rows, wire.inner, wire.columns, wire.sequenceLength, wire.heads, wire.keyValueHeads,
            wire.headDimension, wire.keyValueVectorBytes,
        ]
        where value < 0 || value > limit {
            throw WireError(.malformed, "operation size \(value) out of range")
        }
        self.init(
            kind: try Operation.Kind(wire: wire.kind), rows: Int(wire.rows), inner: Int(wire.inner),
            columns: Int(wire.columns), isTernary: wire.isTernary, sequenceLength: Int(wire.sequenceLength),
            heads: Int(wire.heads), keyValueHeads: Int(wire.keyValueHeads), headDimension: Int(wire.headDimension))
        guard wire.pimModes <= UInt32(PIMModes.all.rawValue) else {
            throw WireError(.malformed, "unknown PIM mode bits \(wire.pimModes)")
        }
        pimModes = PIMModes(rawValue: UInt8(wire.pimModes))
        guard [0, 2, 4, 8, 16].contains(wire.weightBits) else {
            throw WireError(.malformed, "weight bits \(wire.weightBits) is not 16, 8, 4 or 2")
        }
        weightBits = wire.weightBits == 0 ? 16 : UInt8(wire.weightBits)
        keyValueVectorBytes = wire.keyValueVectorBytes
        guard wire.weightDensity <= 10_000 else {
            throw WireError(.malformed, "weight density \(wire.weightDensity) is above 10000 per 10000")
        }
        weightDensity = wire.weightDensity == 0 ? 10_000 : UInt16(wire.weightDensity)
        skipsZeros = wire.skipsZeros
        if kind.category == .attention
            && (heads < 1 || keyValueHeads < 1 || headDimension < 1 || heads % keyValueHeads != 0)
        {
            throw WireError(.malformed, "attention operation needs heads, KV heads and head dimension")
        }
    }
}

extension OperationCost {
    public var wire: Triad_V1_OperationCost {
        var message = Triad_V1_OperationCost()
        message.cycles = cycles
        message.durationPs = duration
        message.streamedBytes = streamedBytes
        message.energyPj = energyPicojoules
        message.computeCycles = computeCycles
        message.memoryCycles = memoryCycles
        message.preloadCycles = preloadCycles
        message.commandCycles = commandCycles
        return message
    }

    /// Rebuilds a cost, refusing negative, out-of-range or non-finite values (a worker's reply is input too):
    /// counts at most 2^50 (a device's own models stay below 10^15 cycles), any non-negative duration (a slow
    /// device's legitimate cost saturates where the in-process model's does), a finite energy. Whether a cost
    /// is plausible for its operation is the coordinator's check (`CostBound.isAbsurd`).
    public init(wire: Triad_V1_OperationCost) throws(WireError) {
        let counts = [
            wire.cycles, wire.streamedBytes, wire.computeCycles, wire.memoryCycles, wire.preloadCycles,
            wire.commandCycles,
        ]
        guard counts.allSatisfy({ (0...(1 << 50)).contains($0) }), wire.durationPs >= 0, wire.energyPj.isFinite,
            wire.energyPj >= 0
        else {
            throw WireError(
                .malformed,
                "cost out of range (cycles \(wire.cycles), duration \(wire.durationPs) ps, energy \(wire.energyPj) pJ)")
        }
        self.init(
            cycles: wire.cycles, duration: wire.durationPs, streamedBytes: wire.streamedBytes,
            energyPicojoules: wire.energyPj, computeCycles: wire.computeCycles, memoryCycles: wire.memoryCycles,
            preloadCycles: wire.preloadCycles, commandCycles: wire.commandCycles)
    }
}

extension DeviceKind {
    public var wire: Triad_V1_DeviceKind {
        switch self {
        case .npu: return .npu
        case .pim: return .pim
        case .hbm: return .hbm
        case .fpga: return .fpga
        }
    }

    public init?(wire: Triad_V1_DeviceKind) {
        guard let kind = DeviceKind.allCases.first(where: { $0.wire == wire }) else { return nil }
        self = kind
    }
}
