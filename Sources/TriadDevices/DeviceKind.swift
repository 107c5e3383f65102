/// The kinds of device a topology may hold.
public enum DeviceKind: String, Sendable, Hashable, CaseIterable {
    /// GEMM NPU: systolic arrays and vector units.
    case npu
    /// An HBM stack whose banks compute GEMVs (HBM-PIM).
    case pim
    /// A plain HBM stack: memory only.
    case hbm
    /// A ternary-weight FPGA engine with its own DDR memory.
    case fpga
}
