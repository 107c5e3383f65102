import TriadCore

/// Admission: which waiting request enters an empty batch slot, and which channel holds its KV cache in every
/// pipeline stage at once. A request is admitted, in order, once it has arrived and its KV cache (its full length,
/// reserved up front) fits a channel of every stage — each stage holds its layers' share — placed round-robin or on
/// the channel of least estimated attention load (NeuPIMs §5). A request that fits some stages but not all gives
/// back what it took (a round-robin cursor stays advanced: deterministic, and only possible with several stages).
/// It is built from values (each stage's ledger, KV bytes per token and load estimates), never from a simulator.
struct Admission {
    /// Each stage's KV ledger (nil: the stage's model has no attention).
    var ledgers: [KVCacheLedger?]
    /// KV bytes one token adds in each stage (its layers' share).
    let keyValueBytesPerToken: [Int64]
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
    var placed: [Int]
    var parts: [(span: Int, bytes: Int64)]
    /// Scratch: the per-stage channel loads of the last `fill` that needed them, kept for their storage.
    private var loadScratch: [[Int64]] = []
    /// Requests drawn from the stream but not yet admitted (not arrived, or no KV room), from `pendingHead` on.
    private var pending: [Request] = []
    private var pendingHead = 0
    /// Preempted requests, oldest first: admitted before any new one (paged KV, `grow`).
    private var resumed: [Resumed] = []
    /// Scratch for `grow`: the active slots, oldest request first (kept between iterations).
    private var growOrder: [Int] = []
    /// Whether preemption swaps KV caches to the host tier (else recomputes them).
    private let swaps: Bool
    /// Query positions per decoding request per step (k + 1 with speculative decoding, else 0).
    private let speculativeQueries: Int
    /// The prefix cache (`ServingOptions.cachesPrefixes`, pooled KV only), by prefix id; the prefix the request being
    /// admitted uses (hit: shared, else computed by it); a clock for LRU; and the evictions so far.
    let cachesPrefixes: Bool
    var prefixCache: [Int: CachedPrefix] = [:]
    var prefixUse: PrefixUse?
    var useClock = 0
    var prefixEvictions = 0
    /// Turns per session (`ServingOptions.sessions`; nil: a trace's sessions, whose length is not known ahead).
    let sessionTurns: Int?
    /// Finished turns whose KV becomes their session's history, stage by stage (`release`), by request id.
    var retaining: [Int: [PrefixRoom]] = [:]
    /// Requests that a prefill instance prefilled, with their first token's time.
    private var prefilledElsewhere: [Int: Picoseconds] = [:]
    /// Paged KV's block, tokens (nil: each request reserves its full length at admission).
    private let paging: Int?

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
        paging = experiment.serving.kvBlockTokens
        speculativeQueries = experiment.serving.speculation.map { $0.draftTokens + 1 } ?? 0
        swaps = experiment.serving.swapBytesPerSecond != nil
        cachesPrefixes = experiment.serving.cachesPrefixes
        sessionTurns = experiment.serving.sessions?.turns
        placed = Array(repeating: 0, count: ledgers.count)
        parts = Array(repeating: (1, 0), count: ledgers.count)
    }

    /// Requests the stream shortened to the longest sequence.
    var cappedRequests: Int { source?.cappedRequests ?? 0 }

    /// A request the router sends here (routed admissions only); `firstToken` when a prefill instance prefilled it
    /// (it joins decoding with its first token).
    mutating func enqueue(_ request: Request, firstToken: Picoseconds? = nil) {
        pending.append(request)
        if let firstToken { prefilledElsewhere[request.id] = firstToken }
    }

    /// Requests waiting here (arrived or not) for a slot, preempted ones included.
    var waiting: Int { pending.count - pendingHead + resumed.count }

    /// Prompt tokens still to prefill and output tokens still to generate over `state`'s batch and the requests
    /// waiting here (`Router.leastOutstandingTokens`).
    func outstandingTokens(_ state: RunState) -> Int {
        var tokens = 0
        for slot in state.isActive.indices where state.isActive[slot] {
            tokens += max(0, state.prefillTarget[slot] - state.prefilled[slot])
            tokens += max(0, state.request[slot].outputTokens - state.generated[slot])
        }
        for request in pending[pendingHead...] { tokens += request.inputTokens + request.outputTokens }
        // A preempted request prefills its prompt and generated tokens again (or swaps them in), then generates the
        // rest: its prompt and output in all.
        for entry in resumed { tokens += entry.request.inputTokens + entry.request.outputTokens }
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
        defer { if !loads.isEmpty { swap(&loads, &loadScratch) } }
        for slot in states[0].isActive.indices where !states[0].isActive[slot] {
            var generated = 0
            // Preempted requests come back first, oldest first (vLLM puts them at the front of its queue).
            if let entry = resumed.first {
                guard reserve(entry.request, generated: entry.generated, states: &states, loads: &loads) else { return }
                resumed.removeFirst()
                seat(
                    entry.request, generated: entry.generated, slot: slot, states: &states, loads: &loads, now: now,
                    resuming: entry)
                continue
            }
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
            guard reserve(candidate, generated: generated, states: &states, loads: &loads) else { return }
            pendingHead += 1
            if pendingHead > 1024 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            seat(candidate, generated: generated, slot: slot, states: &states, loads: &loads, now: now, resuming: nil)
            prefilledElsewhere.removeValue(forKey: candidate.id)
        }
    }

    /// Reserves `request`'s KV room less `excluded` tokens (a cached prefix) in every stage — in channels the
    /// placement rule chooses, or with `beside`, in the channels of the cached prefix it shares (on PIM a request's
    /// attention reads its whole context where it lies); false, with nothing reserved and the batch marked KV-limited,
    /// when some stage has no room. Where it went is in `placed` and `parts`.
    mutating func reserveRoom(
        _ request: Request, generated: Int, excluded: Int, beside rooms: [PrefixRoom]? = nil,
        states: inout [RunState], loads: inout [[Int64]]
    ) -> Bool {
        if rooms == nil && loads.isEmpty && ledgers.contains(where: { $0?.rule == .greedyMinLoad }) {
            // The previous fill's storage, refilled (no allocation in the steady state).
            swap(&loads, &loadScratch)
            if loads.count != ledgers.count { loads = Array(repeating: [], count: ledgers.count) }
            for stage in ledgers.indices {
                if let ledger = ledgers[stage] {
                    channelLoads(&states[stage], stage: stage, channels: ledger.channels, into: &loads[stage])
                } else {
                    loads[stage].removeAll(keepingCapacity: true)
                }
            }
        }
        let full = Int64(request.inputTokens + request.outputTokens - excluded)
        let held = Int64(heldTokens(request, generated: generated) - excluded)
        for stage in ledgers.indices {
            guard ledgers[stage] != nil else { continue }
            // The span follows the request's full length, so that its growth stays within the same channels.
            let span: Int
            let fullPart: Int64
            if let rooms {
                span = rooms[stage].span
                fullPart = (full * keyValueBytesPerToken[stage]).ceilDiv(Int64(span))
            } else {
                (span, fullPart) = spanning(bytes: full * keyValueBytesPerToken[stage], stage: stage)
            }
            let part = paging == nil ? fullPart : (held * keyValueBytesPerToken[stage]).ceilDiv(Int64(span))
            let watermark = paging == nil ? 0 : Int64(Double(ledgers[stage]!.capacityPerChannel) * Self.watermark)
            let channel: Int?
            if let rooms {
                channel =
                    ledgers[stage]!.extend(partBytes: part, channel: rooms[stage].channel, span: span, reserve: watermark)
                    ? rooms[stage].channel : nil
            } else {
                channel = ledgers[stage]!.placeSpanning(
                    partBytes: part, span: span, loads: loads.isEmpty ? [] : loads[stage], reserve: watermark)
            }
            guard let channel else {
                for earlier in 0..<stage where ledgers[earlier] != nil {
                    ledgers[earlier]!.release(
                        partBytes: parts[earlier].bytes, channel: placed[earlier], span: parts[earlier].span)
                }
                for index in states.indices { states[index].kvLimited = true }
                return false
            }
            placed[stage] = channel
            parts[stage] = (span, part)
        }
        return true
    }

    /// Gives back the room `reserveRoom` just took (`placed`, `parts`).
    mutating func unreserve() {
        for stage in ledgers.indices where ledgers[stage] != nil {
            ledgers[stage]!.release(partBytes: parts[stage].bytes, channel: placed[stage], span: parts[stage].span)
        }
    }

    /// Tokens of KV room a request holds once admitted: its full length, or with paged KV the whole blocks of its
    /// prompt, the tokens it has generated and the one it generates next.
    private func heldTokens(_ request: Request, generated: Int) -> Int {
        guard let block = paging else { return request.inputTokens + request.outputTokens }
        return (request.inputTokens + generated + 1).ceilDiv(block) * block
    }

    /// Puts `request` (reserved by `reserve`) into `slot` of every stage at `now`; a preempted one (`resuming`) keeps
    /// its first admission, first token and tokens generated, and prefills its prompt and those tokens again.
    private mutating func seat(
        _ request: Request, generated: Int, slot: Int, states: inout [RunState], loads: inout [[Int64]],
        now: Picoseconds, resuming: Resumed?
    ) {
        let length = min(request.inputTokens + generated + 1, maxSequence)
        let held = heldTokens(request, generated: generated)
        if let use = prefixUse {
            if use.holds {
                prefixCache[use.prefix]!.users += 1
                useClock += 1
                prefixCache[use.prefix]!.lastUse = useClock
            }
            for stage in states.indices {
                if use.hit {
                    states[stage].prefixHits += 1
                    states[stage].prefixTokensSaved += Int64(request.prefixTokens)
                } else {
                    states[stage].prefixMisses += 1
                }
            }
        }
        for stage in states.indices {
            let ledger = ledgers[stage]
            let span = ledger == nil ? 1 : parts[stage].span
            if ledger != nil && !loads.isEmpty && !loads[stage].isEmpty {
                for offset in 0..<span {
                    loads[stage][(placed[stage] + offset) % loads[stage].count] +=
                        loadEstimates[stage][length] / Int64(span)
                }
            }
            states[stage].request[slot] = request
            states[stage].generated[slot] = generated
            states[stage].channel[slot] = ledger == nil ? 0 : placed[stage]
            states[stage].span[slot] = span
            states[stage].reservedBytes[slot] = ledger == nil ? 0 : parts[stage].bytes
            states[stage].reservedTokens[slot] = held
            states[stage].isActive[slot] = true
            if let resuming {
                states[stage].admittedAt[slot] = resuming.admittedAt
                states[stage].joinedFresh[slot] = resuming.joinedFresh
                states[stage].firstTokenAt[slot] = resuming.firstTokenAt
                // A cached prefix it finds again is neither swapped in nor recomputed.
                let shared = prefixUse?.hit == true ? request.prefixTokens : 0
                if resuming.swapped {
                    // Its KV cache comes back from the host tier before the next iteration; nothing is recomputed.
                    states[stage].prefillTarget[slot] = request.inputTokens
                    states[stage].prefilled[slot] = request.inputTokens
                    states[stage].pendingSwapBytes +=
                        Int64(request.inputTokens + generated - shared) * keyValueBytesPerToken[stage]
                } else {
                    states[stage].prefillTarget[slot] = request.inputTokens + generated
                    states[stage].prefilled[slot] = shared
                }
            } else if let firstToken = prefilledElsewhere[request.id] {
                states[stage].admittedAt[slot] = now
                states[stage].joinedFresh[slot] = true
                states[stage].generated[slot] = 1
                states[stage].firstTokenAt[slot] = firstToken
                states[stage].prefillTarget[slot] = request.inputTokens
                states[stage].prefilled[slot] = request.inputTokens
            } else {
                states[stage].admittedAt[slot] = now
                states[stage].joinedFresh[slot] = generated == 0
                states[stage].firstTokenAt[slot] = 0
                states[stage].prefillTarget[slot] = request.inputTokens
                states[stage].prefilled[slot] = prefills && generated == 0 ? 0 : request.inputTokens
                // A prefix-cache hit skips the prefix's prefill.
                if let use = prefixUse, use.hit, prefills, generated == 0 {
                    states[stage].prefilled[slot] = request.prefixTokens
                }
            }
            states[stage].heldPrefix[slot] = prefixUse?.holds == true ? prefixUse!.prefix : -1
        }
    }

    /// Paged KV (`ServingOptions.kvBlockTokens`): before an iteration, every decoding request whose next token
    /// needs a new block takes one in its channels, oldest request first; when a stage has no room, the running
    /// request that arrived last is preempted — its KV freed, its slot emptied, and it waits at the front of the
    /// queue to prefill its prompt and the tokens it had generated again (vLLM's recompute preemption, Kwon et al.,
    /// SOSP 2023, §4.5) — until the block fits or the request itself was preempted. Returns the preemptions.
    mutating func grow(_ states: inout [RunState]) -> Int {
        guard let block = paging else { return 0 }
        growOrder.removeAll(keepingCapacity: true)
        for slot in states[0].isActive.indices where states[0].isActive[slot] { growOrder.append(slot) }
        growOrder.sort { Self.arrivedBefore(states[0].request[$0], states[0].request[$1]) }
        var preempted = 0
        for slot in growOrder where states[0].isActive[slot] && states[0].prefilled[slot] >= states[0].prefillTarget[slot] {
            // The step writes K and V for the next token and, with speculative decoding, for every draft.
            let needed =
                states[0].request[slot].inputTokens + states[0].generated[slot]
                + (speculativeQueries > 0 ? speculativeQueries : 1)
            while states[0].isActive[slot] && needed > states[0].reservedTokens[slot] {
                guard let full = extend(slot, by: block, states: &states) else { continue }
                // The running request that arrived last among those holding room in the channels that are full gives
                // its room back (possibly this one): on PIM a block must stay in the request's own channels.
                let victim = states[full].isActive.indices.filter {
                    states[full].isActive[$0] && overlaps($0, slot, in: states[full], channels: ledgers[full]!.channels)
                }.max { Self.arrivedBefore(states[full].request[$0], states[full].request[$1]) }!
                preempt(victim, states: &states)
                preempted += 1
            }
        }
        return preempted
    }

    /// Whether `a`'s channels and `b`'s overlap in `state`'s stage of `channels` channels.
    private func overlaps(_ a: Int, _ b: Int, in state: RunState, channels: Int) -> Bool {
        func covers(_ slot: Int, _ channel: Int) -> Bool {
            (channel - state.channel[slot] + channels) % channels < state.span[slot]
        }
        for offset in 0..<state.span[a] where covers(b, (state.channel[a] + offset) % channels) { return true }
        return false
    }

    /// One more block of `block` tokens for `slot` in every stage, in the channels it already uses; nil when taken,
    /// else the first stage with no room (nothing taken).
    private mutating func extend(_ slot: Int, by block: Int, states: inout [RunState]) -> Int? {
        for stage in ledgers.indices {
            guard ledgers[stage] != nil else { continue }
            let span = states[stage].span[slot]
            let part = (Int64(block) * keyValueBytesPerToken[stage]).ceilDiv(Int64(span))
            guard ledgers[stage]!.extend(partBytes: part, channel: states[stage].channel[slot], span: span) else {
                for earlier in 0..<stage where ledgers[earlier] != nil {
                    let earlierSpan = states[earlier].span[slot]
                    ledgers[earlier]!.release(
                        partBytes: (Int64(block) * keyValueBytesPerToken[earlier]).ceilDiv(Int64(earlierSpan)),
                        channel: states[earlier].channel[slot], span: earlierSpan)
                }
                return stage
            }
        }
        for stage in states.indices {
            if ledgers[stage] != nil {
                states[stage].reservedBytes[slot] +=
                    (Int64(block) * keyValueBytesPerToken[stage]).ceilDiv(Int64(states[stage].span[slot]))
            }
            states[stage].reservedTokens[slot] += block
        }
        return nil
    }

    /// Frees `slot`'s request and queues it to be recomputed (`grow`).
    private mutating func preempt(_ slot: Int, states: inout [RunState]) {
        let state = states[0]
        let entry = Resumed(
            request: state.request[slot], generated: state.generated[slot], admittedAt: state.admittedAt[slot],
            firstTokenAt: state.firstTokenAt[slot], joinedFresh: state.joinedFresh[slot], swapped: swaps)
        let held = state.heldPrefix[slot]
        // Its own KV: a cached prefix it holds stays in memory.
        let tokens = Int64(entry.request.inputTokens + entry.generated - (held >= 0 ? entry.request.prefixTokens : 0))
        if held >= 0, let cached = prefixCache[held], cached.owner == entry.request.id, !cached.ready {
            // It was computing the prefix: kept if it got past it, else dropped (nobody can have shared it yet).
            if state.prefilled[slot] >= cached.tokens {
                prefixCache[held]!.ready = true
            } else {
                prefixCache[held]!.users -= 1
                drop(held)
                for stage in states.indices { states[stage].heldPrefix[slot] = -1 }
            }
        }
        for stage in states.indices {
            release(slot, of: states[stage], stage: stage)
            states[stage].isActive[slot] = false
            states[stage].preemptions += 1
            if swaps {
                // Its KV cache goes to the host tier before the next iteration.
                states[stage].pendingSwapBytes += tokens * keyValueBytesPerToken[stage]
            } else {
                states[stage].recomputedTokens += tokens
            }
        }
        let position = resumed.firstIndex { Self.arrivedBefore(entry.request, $0.request) } ?? resumed.count
        resumed.insert(entry, at: position)
    }

    /// Whether `a` arrived before `b` (ties by id): the order paged KV grows and preempts by (a session's later turn
    /// is numbered when its predecessor finishes, before requests that arrive ahead of it).
    static func arrivedBefore(_ a: Request, _ b: Request) -> Bool { (a.arrival, a.id) < (b.arrival, b.id) }

    /// A preempted request waiting to be admitted again, with what it had.
    struct Resumed {
        var request: Request
        var generated: Int
        var admittedAt: Picoseconds
        var firstTokenAt: Picoseconds
        var joinedFresh: Bool
        /// Whether its KV cache waits in the host tier (swap) rather than being recomputed.
        var swapped: Bool
    }

    /// Free room paged admission keeps in each channel (vLLM's `watermark`, 1 %).
    static let watermark = 0.01

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
    /// (`state` is inout only to be read in place: a copy would retain each of its lists.)
    private func channelLoads(_ state: inout RunState, stage: Int, channels: Int, into loads: inout [Int64]) {
        loads.removeAll(keepingCapacity: true)
        loads.append(contentsOf: repeatElement(0, count: channels))
        let cap = maxSequence
        loadEstimates[stage].withUnsafeBufferPointer { estimates in
            state.isActive.withUnsafeBufferPointer { isActive in
                state.request.withUnsafeBufferPointer { request in
                    state.generated.withUnsafeBufferPointer { generated in
                        state.span.withUnsafeBufferPointer { span in
                            state.channel.withUnsafeBufferPointer { channel in
                                loads.withUnsafeMutableBufferPointer { loads in
                                    for slot in 0..<isActive.count where isActive[slot] {
                                        // `RunState.sequenceLength(ofSlot:cap:)`.
                                        let load = estimates[min(request[slot].inputTokens + generated[slot] + 1, cap)]
                                        if span[slot] == 1 {
                                            loads[channel[slot]] += load
                                        } else {
                                            for offset in 0..<span[slot] {
                                                loads[(channel[slot] + offset) % channels] += load / Int64(span[slot])
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
