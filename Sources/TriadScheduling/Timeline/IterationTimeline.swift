public import TriadCore
import TriadDevices

/// The composed timeline of one pipeline stage pass of one decode iteration.
public struct IterationTimeline: Sendable {
    /// From the first segment's start to the last one's end.
    public var makespan: Picoseconds = 0
    /// Busy time per resource (indexed by `DeviceKind.rawValue`).
    public var busy: [Picoseconds] = Array(repeating: 0, count: DeviceKind.allCases.count)
    /// Time the NPU's systolic pipeline held an instruction (its GEMMs ran): the paper's NPU utilization.
    public var pipelineBusy: Picoseconds = 0
    /// The PIM channels' mean time with PIM work queued: the paper's PIM utilization.
    public var pimChannelBusy: Picoseconds = 0
    /// Time the memory port spent streaming.
    public var memoryPortBusy: Picoseconds = 0
    /// Bytes streamed over the memory port.
    public var streamedBytes: Int64 = 0
    /// Dynamic energy per resource, picojoules.
    public var energyPicojoules: [Double] = Array(repeating: 0, count: DeviceKind.allCases.count)

    public init() {}
}
