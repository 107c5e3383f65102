public import TriadCore
public import TriadDevices

/// Where the composer placed one segment (kept only when recording a timeline).
public struct ScheduledSegment: Sendable, Hashable {
    public var resource: DeviceKind
    public var start: Picoseconds
    public var end: Picoseconds
    /// The memory-port stream that fed it (`streamEnd == 0`: none).
    public var streamStart: Picoseconds
    public var streamEnd: Picoseconds
    /// Which chain (sub-batch) it belongs to, its layer and its position in the layer program.
    public var chain: Int
    public var layer: Int
    public var index: Int
    public var isHead: Bool
}
