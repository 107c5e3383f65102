public import TriadCore

/// The configuration of one device, by kind.
public enum DeviceConfiguration: Sendable, Hashable {
    case npu(NPUConfiguration)
    case pim(PIMConfiguration)
    case hbm(MemoryConfiguration)
    case fpga(FPGAConfiguration)

    /// Energy the device spends over `elapsed` whatever it does, picojoules: an NPU's static power, an
    /// FPGA's board power (the sources give only that), a memory's standby energy (docs/MODEL.md §6).
    public func staticEnergyPicojoules(over elapsed: Picoseconds) -> Double {
        switch self {
        case .npu(let npu): return npu.staticPowerWatts * Double(elapsed)
        case .fpga(let fpga): return fpga.powerWatts * Double(elapsed)
        case .pim(let pim): return pim.memory.backgroundEnergy(over: elapsed)
        case .hbm(let memory): return memory.backgroundEnergy(over: elapsed)
        }
    }

    /// The clock its costs count cycles of, if it computes.
    public var clock: ClockFrequency? {
        switch self {
        case .npu(let npu): return npu.clock
        case .fpga(let fpga): return fpga.clock
        case .pim(let pim): return pim.memory.clock
        case .hbm: return nil
        }
    }

    public var kind: DeviceKind {
        switch self {
        case .npu: return .npu
        case .pim: return .pim
        case .hbm: return .hbm
        case .fpga: return .fpga
        }
    }
}

/// A device of a topology: its id and configuration.
public struct DeviceDescription: Sendable, Hashable {
    public var id: String
    public var configuration: DeviceConfiguration

    public init(id: String, configuration: DeviceConfiguration) {
        self.id = id
        self.configuration = configuration
    }
}
