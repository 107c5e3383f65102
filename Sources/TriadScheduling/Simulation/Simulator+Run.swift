import TriadCore
import TriadDevices

/// The run loop: an event queue of iteration starts and ends over simulated time.
extension Simulator {
    private enum Event: Sendable {
        case startIteration
        case endIteration(Picoseconds)
    }

    /// Simulates the whole run and reports it.
    public mutating func run() throws -> RunReport {
        var state = RunState(batchSize: configuration.batchSize)
        let root = SplitMix64(seed: configuration.seed)
        var requests = RequestGenerator(
            stream: configuration.stream, maxSequence: configuration.maxSequence, generator: root.substream(1))
        var ledger = try makeLedger()
        var queue = EventQueue<Event>()
        // Closed-loop workloads start in steady state: the first batch holds requests as a long run finds them
        // (length-biased, each part-way through its output).
        fillSlots(&state, ledger: &ledger, requests: &requests, now: 0, stagger: !configuration.stream.isFinite)
        queue.schedule(.startIteration, at: 0)
        state.isWarmingUp = configuration.warmupIterations > 0
        run: while let (now, event) = queue.pop() {
            switch event {
            case .startIteration:
                fillSlots(&state, ledger: &ledger, requests: &requests, now: now, stagger: false)
                if state.activeCount == 0 {
                    if state.pendingHead < state.pending.count, state.pending[state.pendingHead].arrival > now {
                        queue.schedule(.startIteration, at: state.pending[state.pendingHead].arrival)
                    }
                    continue run
                }
                let duration = try simulateIteration(&state, iteration: state.iterations, startingAt: now)
                queue.schedule(.endIteration(duration), at: now +| duration)
            case .endIteration(let duration):
                finishIteration(&state, ledger: &ledger, duration: duration, at: now)
                if state.isWarmingUp || state.iterations < configuration.iterations {
                    queue.schedule(.startIteration, at: now)
                }
            }
        }
        if configuration.warmupIterations > 0 && (state.isWarmingUp || state.iterations == 0) {
            throw SimulationError(
                .incompatible,
                "the trace ran out within the --warmup of \(configuration.warmupIterations) iterations: nothing was measured (use a smaller --warmup)")
        }
        return report(state, cappedRequests: requests.cappedRequests)
    }

    /// Counts the iteration's tokens, advances every request and retires the finished ones; ends the
    /// warm-up when it is over.
    private func finishIteration(
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
