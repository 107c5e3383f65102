import TriadCore
import TriadDevices

/// What admission needs from a simulator's hardware and model share: its KV ledger (capacity left after the
/// weights) and the KV bytes one token adds (`Admission` admits, `RunLoop` drives it).
extension Simulator {
    /// The draft model's share of each device (speculative decoding with a draft model; split as the target is).
    var draftShard: ModelShard? { experiment.serving.speculation?.draft.map { ModelShard($0) } }

    /// Bytes of weights each device holds in the shared memory and in the FPGA's DDR (with a draft model, its weights
    /// too, in the shared memory).
    private func weightFootprint() -> (memory: Int64, fpga: Int64) {
        var footprint = weightFootprint(of: shard, runsHead: runsHead)
        if let draftShard {
            let draft = weightFootprint(of: draftShard, runsHead: true)
            footprint.memory += draft.memory + draft.fpga
        }
        return footprint
    }

    private func weightFootprint(of shard: ModelShard, runsHead: Bool) -> (memory: Int64, fpga: Int64) {
        // Enough rows that an even routing reaches every expert: every weight matrix appears.
        let template = LayerTemplate(shard: shard, rows: LayerTemplate.rowsReachingEveryExpert(shard.model))
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
        // A Mixture-of-Experts model's leading dense layers hold a dense FFN instead (counted in the first stage).
        let dense = min(shard.model.experts?.denseLayers ?? 0, shard.layers)
        add(template.beforeAttention + template.afterAttention, times: Int64(shard.layers - dense))
        if dense > 0 {
            add(
                template.beforeAttention + template.afterAttention.prefix(template.feedForwardStart)
                    + LayerTemplate.denseFeedForward(shard: shard, rows: 1), times: Int64(dense))
        }
        if runsHead {
            add(LayerTemplate.head(shard: shard, rows: 1), times: 1)
            // An untied embedding table is a further vocabulary × d matrix (split like the LM head). It is kept
            // with the head: exact for one stage; a staged pipeline holds it in its first stage instead.
            if !shard.model.tiedEmbeddings {
                memory += Int64(shard.vocabularyColumns) * Int64(shard.model.hiddenSize) * 2
            }
        }
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
        // What one request can hold: the workload's longest prompt + output, capped at --max-sequence.
        // With sessions, a later turn carries the history: up to the longest sequence.
        let longestTokens =
            experiment.serving.sessions != nil
            ? experiment.maxSequence
            : min(
                experiment.workload.longestSequence(cappedAt: experiment.maxSequence)
                    + (experiment.serving.sharedPrefix?.tokens ?? 0), experiment.maxSequence)
        let longest = Int64(longestTokens) * shard.keyValueBytesPerToken
        guard attentionOnPIM else {
            // Attention on the NPU streams K and V from every channel: KV caches stripe over the whole stack,
            // one pool with no per-channel packing.
            let pool = perChannel * Int64(memory.channels)
            guard longest <= pool else {
                throw SimulationError(
                    .incompatible,
                    "a \(longestTokens)-token request's KV cache (\(longest) B) does not fit in \(devices.memory!.id) (\(pool) B free after the weights)",
                    device: devices.memory!.id)
            }
            return KVCacheLedger(rule: .roundRobin, channels: 1, capacityPerChannel: pool)
        }
        let widest = keyValueSpans.last ?? 1
        guard longest.ceilDiv(Int64(widest)) <= perChannel else {
            throw SimulationError(
                .incompatible,
                "a \(longestTokens)-token request's KV cache (\(longest) B) does not fit in \(widest) channels of \(devices.memory!.id) (\(perChannel) B free in each)",
                device: devices.memory!.id)
        }
        return KVCacheLedger(rule: plan.kvPlacement, channels: memory.channels, capacityPerChannel: perChannel)
    }

    /// The channel counts a request's KV may span when it does not fit one channel (docs/MODEL.md §3.1): KV heads
    /// split evenly (the divisors of the KV-head count), then each head's tokens split in two, four, … — never
    /// more channels than the stack has. One channel only when attention does not run on PIM.
    public var keyValueSpans: [Int] {
        guard attentionOnPIM, let channels = devices.memoryConfiguration?.channels else { return [1] }
        let heads = shard.keyValueHeads
        var spans = (1...max(1, min(heads, channels))).filter { heads % $0 == 0 }
        var tokenSplit = 2
        while heads * tokenSplit <= channels {
            spans.append(heads * tokenSplit)
            tokenSplit *= 2
        }
        return spans
    }

    /// KV bytes one token adds in this stage's layers (and in the draft model's, which keeps its own KV cache).
    var keyValueBytesPerToken: Int64 { shard.keyValueBytesPerToken + (draftShard?.keyValueBytesPerToken ?? 0) }
}
