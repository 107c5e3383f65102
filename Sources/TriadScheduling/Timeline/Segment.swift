public import TriadCore
public import TriadDevices

/// A run of consecutive operations of one (sub-)batch on one resource: the unit the timeline schedules.
public struct Segment: Sendable, Hashable {
    public var resource: DeviceKind
    /// Busy time on the resource with its weights and activations streaming in during the segment (no
    /// prefetch, nothing resident: the NeuPIMs simulator's rule).
    public var duration: Picoseconds
    /// Busy time when the weights are already in SRAM (resident or prefetched); equals `duration` for
    /// segments without weights.
    public var residentDuration: Picoseconds
    /// Weight bytes streamed from the shared memory into the NPU's SRAM, skipped while still resident.
    public var weightBytes: Int64
    /// Other bytes over the shared memory port (KV reads, KV appends): streamed every time.
    public var dataBytes: Int64
    /// Dynamic energy on the resource's device, picojoules.
    public var energyPicojoules: Double
    /// Extra busy time on the NPU's vector units that overlaps this segment (softmax of PIM attention).
    public var npuSideDuration: Picoseconds
    /// Energy of that NPU-side work, picojoules.
    public var npuSideEnergyPicojoules: Double
    /// Bytes that NPU-side work streams over the memory port (a split plan's NPU attention): counted in the port's
    /// traffic and busy time; its time is already in `npuSideDuration`.
    public var sideDataBytes: Int64 = 0
    /// PIM segments: the channels' mean busy time (the paper's PIM utilization counts it).
    public var meanChannelBusy: Picoseconds = 0
    /// NPU segments: the part of `duration` spent in GEMMs (the systolic pipeline holds an instruction).
    public var systolicDuration: Picoseconds = 0
    /// PIM segments: the channels' mean time closed to ordinary traffic by PIM commands; an NPU segment
    /// streaming while this segment runs is slowed by its overlapping share (docs/MODEL.md §2.5).
    public var meanChannelBlocked: Picoseconds = 0

    public init(
        resource: DeviceKind, duration: Picoseconds = 0, residentDuration: Picoseconds? = nil, weightBytes: Int64 = 0,
        dataBytes: Int64 = 0,
        energyPicojoules: Double = 0, npuSideDuration: Picoseconds = 0, npuSideEnergyPicojoules: Double = 0
    ) {
        self.npuSideEnergyPicojoules = npuSideEnergyPicojoules
        self.resource = resource
        self.duration = duration
        self.residentDuration = residentDuration ?? duration
        self.weightBytes = weightBytes
        self.dataBytes = dataBytes
        self.energyPicojoules = energyPicojoules
        self.npuSideDuration = npuSideDuration
    }
}

/// The segments one (sub-)batch runs in each layer, and after the last layer.
///
/// A layer's program is kept as the layer's cached parts with up to two segments between them (its attention, and a
/// prompt chunk's), so building a chain each iteration copies no segment list.
public struct ChainProgram: Sendable {
    /// The layer's segments before the inserted ones, the inserted ones (`insertedCount` of them), and the rest.
    private var before: [Segment]
    private var inserted: (Segment, Segment)
    private var insertedCount: Int
    private var after: [Segment]
    public var head: [Segment]
    /// Segments each layer runs after `layer`'s, by layer (empty: none) — a Mixture-of-Experts FFN, routed per layer.
    public var tails: [[Segment]]
    /// How many segments every layer runs before its tail.
    let layerCount: Int

    public init(layer: [Segment], head: [Segment], tails: [[Segment]] = []) {
        self.init(before: layer, first: nil, second: nil, after: [], head: head, tails: tails)
    }

    /// A layer of `before`, then `first` and `second` (where given), then `after`.
    init(
        before: [Segment], first: Segment?, second: Segment?, after: [Segment], head: [Segment], tails: [[Segment]]
    ) {
        self.before = before
        let given = (first ?? second, first == nil ? nil : second)
        inserted = (given.0 ?? Segment(resource: .npu), given.1 ?? Segment(resource: .npu))
        insertedCount = given.0 == nil ? 0 : given.1 == nil ? 1 : 2
        self.after = after
        self.head = head
        self.tails = tails
        layerCount = before.count + insertedCount + after.count
    }

    /// The segments every layer runs before its tail.
    public var layer: [Segment] {
        before + [inserted.0, inserted.1].prefix(insertedCount) + after
    }

    /// How many segments layer `index` runs.
    func length(ofLayer index: Int) -> Int { index < tails.count ? layerCount + tails[index].count : layerCount }

    /// Segment `position` of layer `index`, if it has one.
    func segment(ofLayer index: Int, at position: Int) -> Segment? {
        if position < before.count { return before[position] }
        let middle = position - before.count
        if middle < insertedCount { return middle == 0 ? inserted.0 : inserted.1 }
        if middle - insertedCount < after.count { return after[middle - insertedCount] }
        guard index < tails.count, position - layerCount < tails[index].count else { return nil }
        return tails[index][position - layerCount]
    }
}
