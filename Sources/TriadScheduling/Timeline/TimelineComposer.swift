import TriadCore
import TriadDevices

/// Composes one iteration's segments into a timeline under the resource rules (the engine's inner loop).
///
/// Each chain is one (sub-)batch running its layer program `layers` times and then its head. Chains share
/// the resources: every resource runs one segment at a time. NPU segments move their weights and
/// activations over the single memory port: by default while they run (the NeuPIMs simulator's operations
/// run one at a time with a flushed scratchpad); with `prefetchesWeights` a segment's stream may start
/// when the previous segment on its device starts, and with `reusesWeights` weights still in SRAM from
/// another sub-batch are not streamed again. Under `.blockedDuringPIM`, PIM segments hold the memory port.
/// List scheduling: the chain whose next segment can start earliest goes first; ties go to PIM segments
/// (the controller prioritises PIM commands), then to the chain that ran the last NPU segment (a stage's
/// NPU program is one sub-batch's consecutive operations), then to the lower chain index. Nothing here allocates
/// after the first call with a given chain count.
public struct TimelineComposer: Sendable {
    public var memoryBandwidthBytesPerSecond: Int64
    /// SRAM bytes that keep streamed weights for reuse by the next (sub-)batch.
    public var weightCacheBytes: Int64
    public var rule: MemoryPortRule
    /// Whether a segment's weights may stream during the previous segment on its device.
    public var prefetchesWeights = false
    /// Whether weights left in SRAM by one sub-batch serve the next one's same operation.
    public var reusesWeights = false
    /// Whether `compose` keeps every scheduled segment in `recorded` (for timelines; off in the fast path).
    public var isRecording = false
    /// The segments of the last `compose`, when recording.
    public private(set) var recorded: [ScheduledSegment] = []

    private var chainReady: [Picoseconds] = []
    private var chainLayer: [Int] = []
    private var chainSegment: [Int] = []
    /// Each chain's next segment's resource (nil: the chain is done) and whether it streams over the memory port.
    private var nextResource: [DeviceKind?] = []
    private var nextStreams: [Bool] = []
    private var residentKeys: [Int] = []
    private var residentBytes: [Int64] = []
    private var residentTotal: Int64 = 0
    /// The state when chain 0 last began a layer (`LayerPeriod`), to find a run of identical layers to skip.
    private var period = LayerPeriod()
    /// Whether `compose` may skip identical layers once their timeline repeats (on by default; off to check it).
    public var skipsRepeatingLayers = true
    /// Layers the last `compose` added at once rather than one by one.
    public private(set) var skippedLayers = 0

    public init(memoryBandwidthBytesPerSecond: Int64, weightCacheBytes: Int64, rule: MemoryPortRule) {
        self.memoryBandwidthBytesPerSecond = max(1, memoryBandwidthBytesPerSecond)
        self.weightCacheBytes = weightCacheBytes
        self.rule = rule
        residentKeys.reserveCapacity(64)
        residentBytes.reserveCapacity(64)
    }

    private func segment(_ program: ChainProgram, layer: Int, index: Int, layers: Int) -> Segment? {
        if layer < layers { return program.segment(ofLayer: layer, at: index) }
        return layer == layers && index < program.head.count ? program.head[index] : nil
    }

    private mutating func isResident(_ key: Int) -> Bool {
        for candidate in residentKeys where candidate == key { return true }
        return false
    }

    private mutating func makeResident(_ key: Int, bytes: Int64) {
        guard bytes <= weightCacheBytes else { return }
        residentKeys.append(key)
        residentBytes.append(bytes)
        residentTotal += bytes
        while residentTotal > weightCacheBytes {
            residentTotal -= residentBytes.removeFirst()
            residentKeys.removeFirst()
        }
    }

    /// Composes `chains`, each running its layer program `layers` times then its head.
    public mutating func compose(_ chains: [ChainProgram], layers: Int) -> IterationTimeline {
        // The chains are read in place (a copy of a chain per step would retain each of its segment lists).
        chains.withUnsafeBufferPointer { compose(chains: $0, layers: layers) }
    }

    private mutating func compose(chains: UnsafeBufferPointer<ChainProgram>, layers: Int) -> IterationTimeline {
        var timeline = IterationTimeline()
        let count = chains.count
        chainReady.removeAll(keepingCapacity: true)
        chainLayer.removeAll(keepingCapacity: true)
        chainSegment.removeAll(keepingCapacity: true)
        residentKeys.removeAll(keepingCapacity: true)
        residentBytes.removeAll(keepingCapacity: true)
        residentTotal = 0
        if isRecording { recorded.removeAll(keepingCapacity: true) }
        // Layers repeat exactly when every chain runs the same layer program each layer (no per-layer tails, nothing
        // kept in SRAM across layers) and nothing is recorded: then once one layer's timeline is the previous one's
        // shifted, every further layer is too (the rules compare times only with each other), and the layers up to
        // the last two are added in one step (`LayerPeriod`).
        var canSkip =
            skipsRepeatingLayers && !isRecording && !reusesWeights && layers >= 4
            && chains.allSatisfy { $0.layerCount > 0 && $0.tails.isEmpty }
        period.reset(chains: count)
        skippedLayers = 0
        for program in chains {
            chainReady.append(0)
            // A chain with an empty layer program starts at its head.
            chainLayer.append(program.layerCount == 0 ? layers : 0)
            chainSegment.append(0)
        }
        nextResource.removeAll(keepingCapacity: true)
        nextStreams.removeAll(keepingCapacity: true)
        nextResource.append(contentsOf: repeatElement(nil, count: count))
        nextStreams.append(contentsOf: repeatElement(false, count: count))
        /// Notes what `chain` runs next (`segment` once per step of the chain, not once per chain per step).
        func refreshNext(_ chain: Int) {
            let next = segment(chains[chain], layer: chainLayer[chain], index: chainSegment[chain], layers: layers)
            nextResource[chain] = next?.resource
            nextStreams[chain] = next.map { $0.weightBytes + $0.dataBytes > 0 } ?? false
        }
        for chain in 0..<count { refreshNext(chain) }
        var resourceFree = (npu: Picoseconds(0), fpga: Picoseconds(0), pim: Picoseconds(0))
        // Start of the previous segment on the NPU and FPGA: streams for the next one may begin then.
        var resourceLastStart = (npu: Picoseconds(0), fpga: Picoseconds(0))
        var memoryFree: Picoseconds = 0
        // The chain that ran the last NPU segment keeps the NPU on ties (a stage's NPU program is one
        // sub-batch's consecutive operations, `Scheduler::make_program`).
        var lastChainOnNPU = -1
        // The last PIM segment: NPU streams that overlap it lose a share of its blocked time.
        var pimBusy = (start: Picoseconds(0), end: Picoseconds(0), blocked: Picoseconds(0))

        func free(_ resource: DeviceKind) -> Picoseconds {
            switch resource {
            case .npu: return resourceFree.npu
            case .fpga: return resourceFree.fpga
            case .pim: return resourceFree.pim
            case .hbm: return memoryFree  // plain memory runs no segments; it only streams
            }
        }

        while true {
            var chosen = -1
            var chosenStart = Picoseconds.max
            var chosenIsPIM = false
            for chain in 0..<count {
                // Each chain's next segment as `refreshNext` noted it: its resource and whether it streams.
                guard let resource = nextResource[chain] else { continue }
                var start = max(chainReady[chain], free(resource))
                let isPIM = resource == .pim
                if isPIM && rule == .blockedDuringPIM { start = max(start, memoryFree) }
                if !isPIM && !prefetchesWeights && nextStreams[chain] {
                    start = max(start, memoryFree)
                }
                let continues = chain == lastChainOnNPU && resource == .npu
                if start < chosenStart || (start == chosenStart && isPIM && !chosenIsPIM)
                    || (start == chosenStart && isPIM == chosenIsPIM && continues)
                {
                    chosen = chain
                    chosenStart = start
                    chosenIsPIM = isPIM
                }
            }
            guard chosen >= 0 else { break }
            let layer = chainLayer[chosen]
            let index = chainSegment[chosen]
            let next = segment(chains[chosen], layer: layer, index: index, layers: layers)!
            let start = chosenStart
            var streamEnd: Picoseconds = 0
            var streamStart: Picoseconds = 0
            var duration = next.duration
            if next.resource != .pim {
                let key = (min(layer, layers) << 16) | index
                let needsWeights = next.weightBytes > 0 && !(reusesWeights && isResident(key))
                let bytes = next.dataBytes + (needsWeights ? next.weightBytes : 0)
                if next.weightBytes > 0 && (!needsWeights || prefetchesWeights) { duration = next.residentDuration }
                if bytes > 0 {
                    let lastStart = next.resource == .npu ? resourceLastStart.npu : resourceLastStart.fpga
                    streamStart = prefetchesWeights ? max(memoryFree, lastStart) : start
                    let streamTime = transferTime(bytes: bytes, bytesPerSecond: memoryBandwidthBytesPerSecond)
                    streamEnd = streamStart +| streamTime
                    memoryFree = streamEnd
                    timeline.usage.memoryPortBusy +|= streamTime
                    timeline.usage.streamedBytes +|= bytes
                }
                if needsWeights && reusesWeights { makeResident(key, bytes: next.weightBytes) }
                if bytes > 0, pimBusy.blocked > 0, start < pimBusy.end {
                    let overlap = min(start +| duration, pimBusy.end) - max(start, pimBusy.start)
                    if overlap > 0 {
                        duration
                            +|= scaled(
                                pimBusy.blocked, times: overlap, over: pimBusy.end - pimBusy.start, roundingUp: false)
                    }
                }
            }
            let end = max(start +| duration, streamEnd)
            switch next.resource {
            case .npu:
                resourceFree.npu = end
                lastChainOnNPU = chosen
                resourceLastStart.npu = start
            case .fpga:
                resourceFree.fpga = end
                resourceLastStart.fpga = start
            case .pim:
                resourceFree.pim = end
                pimBusy = (start, end, rule == .independent ? next.meanChannelBlocked : 0)
                if rule == .blockedDuringPIM { memoryFree = max(memoryFree, end) }
            case .hbm:
                memoryFree = max(memoryFree, end)
            }
            timeline.usage.busy[next.resource.index] +|= duration
            timeline.usage.systolicBusy +|= min(next.systolicDuration, duration)
            timeline.usage.pimChannelBusy +|= next.meanChannelBusy
            timeline.usage.busy[DeviceKind.npu.index] +|= next.npuSideDuration
            if next.sideDataBytes > 0 {
                timeline.usage.streamedBytes +|= next.sideDataBytes
                timeline.usage.memoryPortBusy +|= transferTime(
                    bytes: next.sideDataBytes, bytesPerSecond: memoryBandwidthBytesPerSecond)
            }
            timeline.usage.energyPicojoules[DeviceKind.npu.index] += next.npuSideEnergyPicojoules
            timeline.usage.energyPicojoules[next.resource.index] += next.energyPicojoules
            chainReady[chosen] = end
            timeline.makespan = max(timeline.makespan, end)
            if isRecording {
                recorded.append(
                    ScheduledSegment(
                        resource: next.resource, start: start, end: end, streamStart: streamStart, streamEnd: streamEnd,
                        chain: chosen, layer: layer, index: index, isHead: layer >= layers))
            }
            // Advance the chain.
            let length = layer < layers ? chains[chosen].length(ofLayer: layer) : chains[chosen].head.count
            defer { refreshNext(chosen) }
            if index + 1 < length {
                chainSegment[chosen] = index + 1
            } else {
                chainSegment[chosen] = 0
                chainLayer[chosen] = layer + 1
                if canSkip && chosen == 0 && layer + 1 < layers {
                    let state = LayerPeriod.State(
                        resourceFree: resourceFree, resourceLastStart: resourceLastStart, memoryFree: memoryFree,
                        pimBusy: pimBusy, lastChainOnNPU: lastChainOnNPU, makespan: timeline.makespan)
                    if let skip = period.observe(
                        layer: layer + 1, layers: layers, state: state, usage: timeline.usage, chainReady: chainReady,
                        chainLayer: chainLayer, chainSegment: chainSegment)
                    {
                        // Every time moves on by the skipped layers' span, every total by their sum.
                        let shift = skip.layerSpan * Picoseconds(skip.count)
                        for chain in 0..<count {
                            chainReady[chain] +|= shift
                            chainLayer[chain] += skip.count
                            refreshNext(chain)
                        }
                        func moved(_ time: Picoseconds) -> Picoseconds { time == 0 ? 0 : time +| shift }
                        resourceFree = (moved(resourceFree.npu), moved(resourceFree.fpga), moved(resourceFree.pim))
                        resourceLastStart = (moved(resourceLastStart.npu), moved(resourceLastStart.fpga))
                        memoryFree = moved(memoryFree)
                        pimBusy = (moved(pimBusy.start), moved(pimBusy.end), pimBusy.blocked)
                        timeline.makespan = moved(timeline.makespan)
                        timeline.usage.add(skip.layerUsage, times: skip.count)
                        skippedLayers = skip.count
                        canSkip = false
                    }
                }
            }
        }
        return timeline
    }
}
