public import TriadCore
import TriadDevices

extension Simulator {
    /// Costs one decode step of one layer over `batch` (KV lengths and channels fixed by the caller, as in
    /// the NeuPIMs simulator's request traces) and steps it as the simulator does (`SnapshotSchedule`):
    /// serial A/B/E, or A–F with two sub-batches when the policy interleaves (when it interleaves "when
    /// faster", whichever layer is faster).
    public mutating func snapshot(_ batch: [BatchEntry], trace: String) throws -> SnapshotReport {
        guard !batch.isEmpty else { throw SimulationError(.incompatible, "\(trace): the batch is empty") }
        guard let npu = devices.npu?.configuration else {
            throw SimulationError(.incompatible, "a snapshot needs an npu device")
        }
        let channels = devices.memoryConfiguration?.channels ?? 1
        var state = RunState(batchSize: batch.count)
        for (slot, entry) in batch.enumerated() {
            guard entry.sequenceLength <= experiment.maxSequence else {
                throw SimulationError(
                    .incompatible,
                    "\(trace): a KV length of \(entry.sequenceLength) exceeds --max-sequence \(experiment.maxSequence)")
            }
            guard entry.channel < channels else {
                throw SimulationError(
                    .incompatible, "\(trace): channel \(entry.channel) does not exist (the memory has \(channels))")
            }
            state.request[slot] = Request(id: slot, inputTokens: entry.sequenceLength - 1, outputTokens: 1)
            state.channel[slot] = entry.channel
            state.isActive[slot] = true
            state.activeSlots.append(slot)
            state.sequences.append(entry.sequenceLength)
        }
        // `.whenFaster` steps the batch both ways and keeps the faster layer, as `run` does per iteration.
        let candidates: [Int]
        switch plan.interleaving {
        case .never: candidates = [1]
        case .always: candidates = [plan.subBatches]
        case .whenFaster: candidates = batch.count >= plan.subBatches ? [1, plan.subBatches] : [1]
        }
        var best: SnapshotReport?
        for parts in candidates {
            let report = try snapshot(state, parts: parts, trace: trace, clock: npu.clock)
            if best == nil || report.perLayerCycles < best!.perLayerCycles { best = report }
        }
        return best!
    }

    private mutating func snapshot(_ state: RunState, parts: Int, trace: String, clock: ClockFrequency) throws
        -> SnapshotReport
    {
        var split = partition(state, parts: parts)
        guard !split.rows.contains(0) else {
            throw SimulationError(
                .incompatible, "\(trace): a sub-batch would be empty; interleaving needs two requests")
        }
        try prepareCosts(rowCounts: split.rows, sequences: state.sequences, iteration: 0)
        let attention = attentionSegments(state, split, operationBarrier: true).segments
        // A Mixture-of-Experts layer: its first layer's routed FFN (the step is one layer).
        routeIteration(state, chunks: false)
        let tails = try mixtureTails(state, &split, chunks: nil, iteration: 0)
        var phases: [SnapshotSchedule.Phases] = []
        for (index, rows) in split.rows.enumerated() {
            let layer = layerCache[rows]!
            let hasAttention = shard.model.hasAttention
            let feedForward = tails.isEmpty ? [] : tails[index][0]
            phases.append(
                SnapshotSchedule.Phases(
                    qkv: layer.beforeAttention.reduce(0) { $0 + $1.duration },
                    attention: hasAttention ? attention[index].duration : 0,
                    projectionFeedForward: (layer.afterAttention + feedForward).reduce(0) { $0 + $1.duration },
                    attentionBlocking: hasAttention ? attention[index].meanChannelBlocked : 0))
        }
        let steps =
            phases.count == 1
            ? SnapshotSchedule.serial(phases[0])
            : SnapshotSchedule.interleaved(phases[0], phases[1], singleRowBuffer: composer.rule == .blockedDuringPIM)
        let pimBusy = attention.reduce(Picoseconds(0)) { $0 + $1.meanChannelBusy }
        return SnapshotReport(
            policy: policy.rawValue, model: shard.model.name, trace: trace, batch: state.activeSlots.count,
            subBatches: split.rows, steps: zip(steps.names, steps.durations).map { ($0, clock.cycles(in: $1)) },
            perLayerCycles: clock.cycles(in: steps.perLayer),
            modelCycles: clock.cycles(in: steps.model(layers: shard.layers)),
            pimBusyCycles: clock.cycles(in: pimBusy))
    }
}
