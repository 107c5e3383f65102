/// The kinds of device a topology may hold — and the resources a simulated segment occupies (`hbm` never
/// computes: it only streams for an NPU).
public enum DeviceKind: String, Sendable, Hashable, CaseIterable {
    /// GEMM NPU: systolic arrays and vector units.
    case npu
    /// An HBM stack whose banks compute GEMVs (HBM-PIM).
    case pim
    /// A plain HBM stack: memory only.
    case hbm
    /// A ternary-weight FPGA engine with its own DDR memory.
    case fpga

    /// A dense index for per-kind arrays (the simulator's busy time and energy by device kind).
    public var index: Int {
        switch self {
        case .npu: return 0
        case .fpga: return 1
        case .pim: return 2
        case .hbm: return 3
        }
    }
}
