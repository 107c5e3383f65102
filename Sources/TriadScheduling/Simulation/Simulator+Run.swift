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

    /// Counts the iteration's tokens, advances every request and retires the finished ones; ends the
    /// warm-up when it is over.
    func finishIteration(
        _ state: inout RunState, ledger: inout KVCacheLedger?, duration: Picoseconds, at now: Picoseconds
    ) {
        let tokens = Int64(state.activeCount)
        if state.kvLimited { state.kvLimitedIterations += 1 }
        state.kvLimited = false
        state.tokens += tokens
        state.tokenLatency.add(duration, weight: tokens)
        if let ledger {
            let occupancy = Double(ledger.totalUsedBytes) / Double(ledger.totalCapacityBytes)
            state.kvOccupancySum += occupancy
            state.kvOccupancyPeak = max(state.kvOccupancyPeak, occupancy)
        }
        for slot in state.isActive.indices where state.isActive[slot] {
            state.generated[slot] += 1
            if state.generated[slot] >= state.request[slot].outputTokens {
                state.isActive[slot] = false
                state.completedRequests += 1
                ledger?.release(bytes: state.reservedBytes[slot], channel: state.channel[slot])
            }
        }
        state.iterations += 1
        state.elapsed = now
        if state.isWarmingUp && state.iterations == configuration.warmupIterations {
            state.startMeasuring(at: now)
        }
    }
}
