import TriadCore

/// Admission: which waiting request enters an empty batch slot, and which channel holds its KV cache in every
/// pipeline stage at once. A request is admitted, in order, once it has arrived and its KV cache (its full length,
/// reserved up front) fits a channel of every stage — each stage holds its layers' share — placed round-robin or on
/// the channel of least estimated attention load (NeuPIMs §5). A request that fits some stages but not all gives
/// back what it took (a round-robin cursor stays advanced: deterministic, and only possible with several stages).
/// It is built from values (each stage's ledger, KV bytes per token and load estimates), never from a simulator.
struct Admission {
    /// Each stage's KV ledger (nil: the stage's model has no attention).
    private var ledgers: [KVCacheLedger?]
    /// KV bytes one token adds in each stage (its layers' share).
    private let keyValueBytesPerToken: [Int64]
    /// Each stage's attention-load estimate by sequence length (greedy placement).
    private let loadEstimates: [[Int64]]
    /// The channel counts a request larger than one channel may span in each stage, ascending (docs/MODEL.md §3.1).
    private let spanOptions: [[Int]]
    private let maxSequence: Int
    /// Whether prompts are prefilled in the run (else a request starts decoding at once).
    private let prefills: Bool
    /// Where requests come from: the admission's own stream, or nil when a router hands them over (`enqueue`).
    private var source: RequestSource?
    /// Scratch: the channel each stage placed the request being admitted on, and its span and part bytes there.
    private var placed: [Int]
    private var parts: [(span: Int, bytes: Int64)]
    /// Requests drawn from the stream but not yet admitted (not arrived, or no KV room), from `pendingHead` on.
    private var pending: [Request] = []
    private var pendingHead = 0

    init(
        ledgers: [KVCacheLedger?], keyValueBytesPerToken: [Int64], loadEstimates: [[Int64]], spanOptions: [[Int]],
        experiment: Experiment, routed: Bool = false
    ) {
        self.ledgers = ledgers
        self.keyValueBytesPerToken = keyValueBytesPerToken
        self.loadEstimates = loadEstimates
        self.spanOptions = spanOptions
        maxSequence = experiment.maxSequence
        prefills = experiment.serving.prefill != .none
        source = routed ? nil : RequestSource(experiment)
        placed = Array(repeating: 0, count: ledgers.count)
        parts = Array(repeating: (1, 0), count: ledgers.count)
    }

    /// Requests the stream shortened to the longest sequence.
    var cappedRequests: Int { source?.cappedRequests ?? 0 }

    /// A request the router sends here (routed admissions only).
    mutating func enqueue(_ request: Request) { pending.append(request) }

    /// Requests waiting here (arrived or not) for a slot.
    var waiting: Int { pending.count - pendingHead }

    /// Prompt tokens still to prefill and output tokens still to generate over `state`'s batch and the requests
    /// waiting here (`Router.leastOutstandingTokens`).
    func outstandingTokens(_ state: RunState) -> Int {
        var tokens = 0
        for slot in state.isActive.indices where state.isActive[slot] {
            tokens += max(0, state.request[slot].inputTokens - state.prefilled[slot])
            tokens += max(0, state.request[slot].outputTokens - state.generated[slot])
        }
        for request in pending[pendingHead...] { tokens += request.inputTokens + request.outputTokens }
        return tokens
    }

    /// When the next waiting request arrives, if it has not arrived by `now` (an empty batch waits for it).
    func nextArrival(after now: Picoseconds) -> Picoseconds? {
        guard pendingHead < pending.count, pending[pendingHead].arrival > now else { return nil }
        return pending[pendingHead].arrival
    }

    /// Fills the empty slots of every stage's batch (`states`, one per stage) at `now`. With `stagger`, slots take
    /// requests part-way through their output, as a long closed-loop run finds them.
    mutating func fill(_ states: inout [RunState], now: Picoseconds, stagger: Bool) {
        var loads: [[Int64]] = []
        for slot in states[0].isActive.indices where !states[0].isActive[slot] {
            var generated = 0
            if pendingHead == pending.count {
                if stagger, let inFlight = source?.nextInFlight() {
                    pending.append(inFlight.request)
                    generated = inFlight.generated
                } else {
                    guard let next = source?.next() else { return }
                    pending.append(next)
                }
            }
            let candidate = pending[pendingHead]
            guard candidate.arrival <= now else { return }
            if loads.isEmpty && ledgers.contains(where: { $0?.rule == .greedyMinLoad }) {
                loads = ledgers.indices.map { stage in
                    ledgers[stage].map { channelLoads(states[stage], stage: stage, channels: $0.channels) } ?? []
                }
            }
            let tokens = Int64(candidate.inputTokens + candidate.outputTokens)
            for stage in ledgers.indices {
                guard ledgers[stage] != nil else { continue }
                let (span, part) = spanning(bytes: tokens * keyValueBytesPerToken[stage], stage: stage)
                guard
                    let channel = ledgers[stage]!.placeSpanning(
                        partBytes: part, span: span, loads: loads.isEmpty ? [] : loads[stage])
                else {
                    for earlier in 0..<stage where ledgers[earlier] != nil {
                        ledgers[earlier]!.release(
                            partBytes: parts[earlier].bytes, channel: placed[earlier], span: parts[earlier].span)
                    }
                    for index in states.indices { states[index].kvLimited = true }
                    return
                }
                placed[stage] = channel
                parts[stage] = (span, part)
            }
            pendingHead += 1
            if pendingHead > 1024 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            let length = min(candidate.inputTokens + generated + 1, maxSequence)
            for stage in states.indices {
                let ledger = ledgers[stage]
                let span = ledger == nil ? 1 : parts[stage].span
                if ledger != nil && !loads.isEmpty && !loads[stage].isEmpty {
                    for offset in 0..<span {
                        loads[stage][(placed[stage] + offset) % loads[stage].count] +=
                            loadEstimates[stage][length] / Int64(span)
                    }
                }
                states[stage].request[slot] = candidate
                states[stage].generated[slot] = generated
                states[stage].channel[slot] = ledger == nil ? 0 : placed[stage]
                states[stage].span[slot] = span
                states[stage].reservedBytes[slot] = ledger == nil ? 0 : parts[stage].bytes
                states[stage].isActive[slot] = true
                states[stage].admittedAt[slot] = now
                states[stage].joinedFresh[slot] = generated == 0
                states[stage].firstTokenAt[slot] = 0
                states[stage].prefilled[slot] = prefills && generated == 0 ? 0 : candidate.inputTokens
            }
        }
    }

    /// Frees the KV room `slot`'s finished request held in `stage`.
    mutating func release(_ slot: Int, of state: RunState, stage: Int) {
        ledgers[stage]?.release(
            partBytes: state.reservedBytes[slot], channel: state.channel[slot], span: state.span[slot])
    }

    /// How a request of `bytes` KV lies in `stage`: in one channel if it fits one, else over the fewest channels
    /// its KV splits into that each hold its part; the part's bytes.
    private func spanning(bytes: Int64, stage: Int) -> (span: Int, bytes: Int64) {
        let capacity = ledgers[stage]!.capacityPerChannel
        for span in spanOptions[stage] where bytes.ceilDiv(Int64(span)) <= capacity {
            return (span, bytes.ceilDiv(Int64(span)))
        }
        // Larger than the widest span: never placed (the ledger's check refuses such workloads up front).
        return (1, bytes)
    }

    /// The share of `stage`'s KV capacity in use (nil without a KV cache).
    func occupancy(stage: Int) -> Double? {
        ledgers[stage].map { Double($0.totalUsedBytes) / Double($0.totalCapacityBytes) }
    }

    /// Current attention-load estimate of each of `stage`'s channels.
    private func channelLoads(_ state: RunState, stage: Int, channels: Int) -> [Int64] {
        var loads = Array(repeating: Int64(0), count: channels)
        for slot in state.isActive.indices where state.isActive[slot] {
            let load = loadEstimates[stage][state.sequenceLength(ofSlot: slot, cap: maxSequence)]
            let span = state.span[slot]
            if span == 1 {
                loads[state.channel[slot]] += load
            } else {
                for offset in 0..<span { loads[(state.channel[slot] + offset) % channels] += load / Int64(span) }
            }
        }
        return loads
    }
}
