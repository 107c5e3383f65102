import TriadCore
import TriadDevices

extension Simulator {
    /// Simulates the whole run and reports it (a pipeline of this one stage: `PipelineRun`).
    public mutating func run() throws -> RunReport {
        var pipeline = PipelineRun(stages: [self])
        defer { self = pipeline.stages[0] }
        let outcome = try pipeline.run()
        return pipeline.stages[0].report(outcome.states[0], cappedRequests: outcome.cappedRequests)
    }

    /// One generated token for `slot`'s request at `now`: its first (time to first token), or its last (the request
    /// leaves the batch, its KV room is freed and, in a serving run, its record kept).
    private func emitToken(_ state: inout RunState, slot: Int, ledger: inout KVCacheLedger?, at now: Picoseconds) {
        state.generated[slot] += 1
        if state.generated[slot] == 1 { state.firstTokenAt[slot] = now }
        guard state.generated[slot] >= state.request[slot].outputTokens else { return }
        state.isActive[slot] = false
        state.completedRequests += 1
        ledger?.release(bytes: state.reservedBytes[slot], channel: state.channel[slot])
        if experiment.serving.isServing && !state.isWarmingUp && state.joinedFresh[slot] {
            let request = state.request[slot]
            state.records.append(
                RequestRecord(
                    id: request.id, inputTokens: request.inputTokens, outputTokens: request.outputTokens,
                    arrival: request.arrival, admitted: state.admittedAt[slot], firstToken: state.firstTokenAt[slot],
                    finished: now))
        }
    }

    /// Counts the iteration's tokens, advances every request and retires the finished ones; ends the
    /// warm-up when it is over.
    func finishIteration(
        _ state: inout RunState, ledger: inout KVCacheLedger?, duration: Picoseconds, at now: Picoseconds
    ) {
        if state.kvLimited { state.kvLimitedIterations += 1 }
        state.kvLimited = false
        if let ledger {
            let occupancy = Double(ledger.totalUsedBytes) / Double(ledger.totalCapacityBytes)
            state.kvOccupancySum += occupancy
            state.kvOccupancyPeak = max(state.kvOccupancyPeak, occupancy)
        }
        // A token from every slot that decoded, and the first token of every prompt whose prefill finished.
        var tokens: Int64 = 0
        for slot in state.activeSlots {
            tokens += 1
            emitToken(&state, slot: slot, ledger: &ledger, at: now)
        }
        for (slot, count) in state.prefillStep {
            state.prefilled[slot] += count
            if state.prefilled[slot] >= state.request[slot].inputTokens {
                tokens += 1
                emitToken(&state, slot: slot, ledger: &ledger, at: now)
            }
        }
        state.prefillStep.removeAll(keepingCapacity: true)
        state.tokens += tokens
        state.tokenLatency.add(duration, weight: tokens)
        state.iterations += 1
        state.elapsed = now
        if state.isWarmingUp && state.iterations == experiment.warmupIterations {
            state.startMeasuring(at: now)
        }
    }
}
