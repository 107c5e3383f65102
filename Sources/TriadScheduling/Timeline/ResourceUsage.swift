public import TriadCore
import TriadDevices

/// Time, energy and memory traffic per resource, summed over the segments of an iteration, the iterations of a
/// run or the chunks of a prefill: the one counter type every total uses (`+=` adds, times and bytes saturate).
public struct ResourceUsage: Sendable, Equatable {
    /// Busy time per resource (indexed by `DeviceKind.index`), picoseconds.
    public var busy: PerDeviceKind<Picoseconds>
    /// Dynamic energy per resource (indexed by `DeviceKind.index`), picojoules.
    public var energyPicojoules: PerDeviceKind<Double>
    /// Time the NPU's systolic arrays held an instruction (its GEMMs ran): the paper's NPU utilization,
    /// picoseconds.
    public var systolicBusy: Picoseconds = 0
    /// The PIM channels' mean time with PIM work queued: the paper's PIM utilization, picoseconds.
    public var pimChannelBusy: Picoseconds = 0
    /// Time the memory port spent streaming, picoseconds.
    public var memoryPortBusy: Picoseconds = 0
    /// Bytes streamed over the memory port.
    public var streamedBytes: Int64 = 0

    public init() {
        busy = PerDeviceKind(repeating: 0)
        energyPicojoules = PerDeviceKind(repeating: 0)
    }

    public static func += (lhs: inout ResourceUsage, rhs: ResourceUsage) {
        for index in lhs.busy.indices {
            lhs.busy[index] +|= rhs.busy[index]
            lhs.energyPicojoules[index] += rhs.energyPicojoules[index]
        }
        lhs.systolicBusy +|= rhs.systolicBusy
        lhs.pimChannelBusy +|= rhs.pimChannelBusy
        lhs.memoryPortBusy +|= rhs.memoryPortBusy
        lhs.streamedBytes +|= rhs.streamedBytes
    }

    /// Adds `other` `times` times (whole layers at once, `TimelineComposer`): times and bytes saturate.
    mutating func add(_ other: ResourceUsage, times: Int) {
        let count = Int64(times)
        func product(_ value: Int64) -> Int64 {
            let (result, overflow) = value.multipliedReportingOverflow(by: count)
            return overflow ? Int64.saturationLimit : result
        }
        for index in busy.indices {
            busy[index] +|= product(other.busy[index])
            energyPicojoules[index] += other.energyPicojoules[index] * Double(times)
        }
        systolicBusy +|= product(other.systolicBusy)
        pimChannelBusy +|= product(other.pimChannelBusy)
        memoryPortBusy +|= product(other.memoryPortBusy)
        streamedBytes +|= product(other.streamedBytes)
    }

    /// What `self` used beyond `earlier` (an earlier value of the same running total).
    func since(_ earlier: ResourceUsage) -> ResourceUsage {
        var delta = ResourceUsage()
        for index in busy.indices {
            delta.busy[index] = busy[index] - earlier.busy[index]
            delta.energyPicojoules[index] = energyPicojoules[index] - earlier.energyPicojoules[index]
        }
        delta.systolicBusy = systolicBusy - earlier.systolicBusy
        delta.pimChannelBusy = pimChannelBusy - earlier.pimChannelBusy
        delta.memoryPortBusy = memoryPortBusy - earlier.memoryPortBusy
        delta.streamedBytes = streamedBytes - earlier.streamedBytes
        return delta
    }

    /// The largest time or byte count, to stop a run before its totals saturate.
    var largest: Int64 { max(streamedBytes, memoryPortBusy, busy.max() ?? 0) }
}
