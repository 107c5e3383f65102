import TriadCore
import TriadDevices

/// Admission: requests join the batch when they have arrived and their KV cache fits a channel, placed
/// round-robin or on the channel of least estimated attention load.
extension Simulator {
    /// Bytes of weights each device holds in the shared memory and in the FPGA's DDR.
    private func weightFootprint() -> (memory: Int64, fpga: Int64) {
        let template = LayerTemplate(shard: shard, rows: 1)
        var memory: Int64 = 0
        var fpga: Int64 = 0
        func add(_ operations: [Operation], times: Int64) {
            for operation in operations where operation.kind.category == .matrix {
                let resource = plan.resource(for: operation)
                if resource == .fpga {
                    fpga += times * (devices.fpga?.configuration.storedWeightBytes(of: operation) ?? 0)
                } else {
                    let npu = devices.npu?.configuration ?? .neupims
                    memory += times * npu.storedWeightBytes(of: operation)
                }
            }
        }
        add(template.beforeAttention + template.afterAttention, times: Int64(shard.layers))
        add(LayerTemplate.head(shard: shard, rows: 1), times: 1)
        return (memory, fpga)
    }

    func makeLedger() throws -> KVCacheLedger? {
        let weights = weightFootprint()
        if let fpga = devices.fpga?.configuration, weights.fpga > fpga.memoryBytes {
            throw SimulationError(
                .incompatible,
                "\(shard.model.name)'s ternary weights (\(weights.fpga) B) do not fit in \(devices.fpga!.id)'s \(fpga.memoryBytes) B",
                device: devices.fpga!.id)
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
                "\(shard.model.name)'s weights (\(weights.memory) B per device) do not fit in \(devices.memory!.id) (\(memory.capacityBytes) B)",
                device: devices.memory!.id)
        }
        let longest = Int64(configuration.maxSequence) * shard.keyValueBytesPerToken
        guard longest <= perChannel else {
            throw SimulationError(
                .incompatible,
                "a \(configuration.maxSequence)-token KV cache (\(longest) B) does not fit in one channel of \(devices.memory!.id) (\(perChannel) B free)",
                device: devices.memory!.id)
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
    func fillSlots(
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
                guard let placed = ledger!.place(bytes: bytes, loads: loads) else {
                    state.kvLimited = true
                    return
                }
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

}
