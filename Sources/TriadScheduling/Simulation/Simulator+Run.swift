import TriadCore
import TriadDevices

extension Simulator {
    private enum Event: Sendable {
        case startIteration
        case endIteration(Picoseconds)
    }

    /// Bytes of weights each device holds in the shared memory and in the FPGA's DDR.
    private func weightFootprint() -> (memory: Int64, fpga: Int64) {
        let template = LayerTemplate(shard: shard, rows: 1)
        var memory: Int64 = 0
        var fpga: Int64 = 0
        func add(_ operations: [Operation], times: Int64) {
            for operation in operations where operation.kind.category == .matrix {
                let resource = plan.resource(for: operation)
                if resource == .fpga {
                    let bits = devices.fpga?.configuration.bitsPerWeight ?? 2
                    fpga += times * Int64((Double(operation.weightCount) * bits / 8).rounded(.up))
                } else {
                    memory += times * (operation.weightCount * (operation.isTernary ? 2 : 16)).ceilDiv(8)
                }
            }
        }
        add(template.beforeAttention + template.afterAttention, times: Int64(shard.layers))
        add(LayerTemplate.head(shard: shard, rows: 1), times: 1)
        return (memory, fpga)
    }

    private func makeLedger() throws -> KVCacheLedger? {
        let weights = weightFootprint()
        if let fpga = devices.fpga?.configuration, weights.fpga > fpga.memoryBytes {
            throw SimulationError(
                .incompatible,
                "\(shard.model.name)'s ternary weights (\(weights.fpga) B) do not fit in \(devices.fpga!.id)'s \(fpga.memoryBytes) B"
            )
        }
        guard shard.model.hasAttention else { return nil }
        guard let memory = devices.memoryConfiguration else {
            throw SimulationError(
                .incompatible,
                "\(shard.model.name) needs a memory device (hbm or pim) linked to the npu for its KV cache")
        }
        let perChannel = memory.channelCapacityBytes - weights.memory.ceilDiv(Int64(memory.channels))
        guard perChannel > 0 else {
            throw SimulationError(
                .incompatible,
                "\(shard.model.name)'s weights (\(weights.memory) B per device) do not fit in \(devices.memory!.id) (\(memory.capacityBytes) B)"
            )
        }
        let longest = Int64(configuration.maxSequence) * shard.keyValueBytesPerToken
        guard longest <= perChannel else {
            throw SimulationError(
                .incompatible,
                "a \(configuration.maxSequence)-token KV cache (\(longest) B) does not fit in one channel of \(devices.memory!.id) (\(perChannel) B free)"
            )
        }
        return KVCacheLedger(rule: plan.kvPlacement, channels: memory.channels, capacityPerChannel: perChannel)
    }

    /// Current attention-load estimate of each channel.
    private func channelLoads(_ state: RunState, channels: Int) -> [Int64] {
        var loads = Array(repeating: Int64(0), count: channels)
        for slot in state.isActive.indices where state.isActive[slot] {
            loads[state.channel[slot]] +=
                loadEstimate[state.sequenceLength(ofSlot: slot, cap: configuration.maxSequence)]
        }
        return loads
    }

    /// Admits waiting requests into empty slots, in order, while they have arrived and fit.
    private func fillSlots(
        _ state: inout RunState, ledger: inout KVCacheLedger?, requests: inout RequestGenerator, now: Picoseconds,
        stagger: Bool
    ) {
        var loads: [Int64] = []
        var loadsReady = false
        for slot in state.isActive.indices where !state.isActive[slot] {
            var generated = 0
            if state.pendingHead == state.pending.count {
                if stagger, let inFlight = requests.nextInFlight() {
                    state.pending.append(inFlight.request)
                    generated = inFlight.generated
                } else {
                    guard let next = requests.next() else { return }
                    state.pending.append(next)
                }
            }
            let candidate = state.pending[state.pendingHead]
            guard candidate.arrival <= now else { return }
            var channel = 0
            let bytes = Int64(candidate.inputTokens + candidate.outputTokens) * shard.keyValueBytesPerToken
            if ledger != nil {
                if ledger!.rule == .greedyMinLoad && !loadsReady {
                    loads = channelLoads(state, channels: ledger!.channels)
                    loadsReady = true
                }
                guard let placed = ledger!.place(bytes: bytes, loads: loads) else { return }
                channel = placed
                if loadsReady {
                    loads[channel] += loadEstimate[min(candidate.inputTokens + generated + 1, configuration.maxSequence)]
                }
            }
            state.pendingHead += 1
            if state.pendingHead > 1024 && state.pendingHead * 2 > state.pending.count {
                state.pending.removeFirst(state.pendingHead)
                state.pendingHead = 0
            }
            state.request[slot] = candidate
            state.generated[slot] = generated
            state.channel[slot] = channel
            state.reservedBytes[slot] = ledger == nil ? 0 : bytes
            state.isActive[slot] = true
        }
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
                queue.schedule(.endIteration(duration), at: now + duration)
            case .endIteration(let duration):
                let tokens = Int64(state.activeCount)
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
                if state.isWarmingUp || state.iterations < configuration.iterations {
                    queue.schedule(.startIteration, at: now)
                }
            }
        }
        return report(state)
    }
}
