import TriadCore

/// Finds where a composed timeline starts repeating layer by layer (`TimelineComposer`): when chain 0 begins layer
/// L + 1 in the same state relative to its own clock as when it began layer L — every chain as far ahead or behind, at
/// the same segment, every resource free and every stream done at the same offsets — the composition, which compares
/// times only with one another, runs layer L + 1 exactly as layer L, shifted by the layer's span; and so every layer
/// after it while the layer programs stay the same. The layers up to the last two (the head follows them) are then
/// added at once: each time moves on by their spans, each total by their use. Nothing is allocated after the first
/// composition with a given chain count.
struct LayerPeriod {
    /// The composer's shared state at an observation (times absolute; 0 is "not yet set").
    struct State {
        var resourceFree: (npu: Picoseconds, fpga: Picoseconds, pim: Picoseconds)
        var resourceLastStart: (npu: Picoseconds, fpga: Picoseconds)
        var memoryFree: Picoseconds
        var pimBusy: (start: Picoseconds, end: Picoseconds, blocked: Picoseconds)
        var lastChainOnNPU: Int
        var makespan: Picoseconds
    }

    /// Layers to add at once, one layer's span and one layer's use.
    struct Skip {
        var count: Int
        var layerSpan: Picoseconds
        var layerUsage: ResourceUsage
    }

    private var hasPrevious = false
    private var previousLayer = 0
    private var previousTime: Picoseconds = 0
    private var previousUsage = ResourceUsage()
    /// The previous observation relative to chain 0's clock: per chain its ready time, layer and segment, then the
    /// shared state's times and the last NPU chain.
    private var previous: [Int64] = []
    private var current: [Int64] = []

    mutating func reset(chains: Int) {
        hasPrevious = false
        previous.removeAll(keepingCapacity: true)
        current.removeAll(keepingCapacity: true)
        previous.reserveCapacity(3 * chains + 10)
        current.reserveCapacity(3 * chains + 10)
    }

    /// Chain 0 has just begun `layer` (of `layers`): the skip, if this layer began as the previous one did and whole
    /// layers remain before the last two; else nil (and this observation is kept).
    mutating func observe(
        layer: Int, layers: Int, state: State, usage: ResourceUsage, chainReady: [Picoseconds], chainLayer: [Int],
        chainSegment: [Int]
    ) -> Skip? {
        let now = chainReady[0]
        func relative(_ time: Picoseconds) -> Int64 { time == 0 ? Int64.min : time - now }
        current.removeAll(keepingCapacity: true)
        for chain in chainReady.indices {
            current.append(chainReady[chain] - now)
            current.append(Int64(chainLayer[chain] - layer))
            current.append(Int64(chainSegment[chain]))
        }
        current.append(relative(state.resourceFree.npu))
        current.append(relative(state.resourceFree.fpga))
        current.append(relative(state.resourceFree.pim))
        current.append(relative(state.resourceLastStart.npu))
        current.append(relative(state.resourceLastStart.fpga))
        current.append(relative(state.memoryFree))
        current.append(relative(state.pimBusy.start))
        current.append(relative(state.pimBusy.end))
        current.append(state.pimBusy.blocked)
        current.append(Int64(state.lastChainOnNPU))
        current.append(relative(state.makespan))
        if hasPrevious && previousLayer == layer - 1 && current == previous {
            let furthest = chainLayer.max() ?? layer
            let count = layers - 2 - furthest
            if count >= 1 {
                return Skip(count: count, layerSpan: now - previousTime, layerUsage: usage.since(previousUsage))
            }
        }
        swap(&previous, &current)
        hasPrevious = true
        previousLayer = layer
        previousTime = now
        previousUsage = usage
        return nil
    }
}
