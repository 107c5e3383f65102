/// How a policy drives an HBM-PIM for one attention GEMV (docs/MODEL.md §2.3): which of NeuPIMs' two
/// in-memory mechanisms are on. The third, the host's issue path, is a property of the NPU side.
public struct PIMModes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A separate PIM row buffer per bank with the NeuPIMs controller (PIM first, ordinary traffic in the
    /// gaps); without it, the single-buffer Newton controller (PIM only when the read queue is empty).
    public static let dualRowBuffers = PIMModes(rawValue: 1 << 0)
    /// The fused COMPS_READRES command: one host transaction per GEMV result instead of one per COMP plus
    /// a READRES (the Newton command set).
    public static let fusedCommands = PIMModes(rawValue: 1 << 1)

    /// Every mode bit Triad knows.
    public static let all: PIMModes = [.dualRowBuffers, .fusedCommands]
}
