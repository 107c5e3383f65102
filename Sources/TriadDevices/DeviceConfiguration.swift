/// The configuration of one device, by kind.
public enum DeviceConfiguration: Sendable, Hashable {
    case npu(NPUConfiguration)
    case pim(PIMConfiguration)
    case hbm(MemoryConfiguration)
    case fpga(FPGAConfiguration)

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
