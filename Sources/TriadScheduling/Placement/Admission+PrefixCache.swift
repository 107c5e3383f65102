import TriadCore

/// The prefix cache (`--prefix-cache lru`, docs/MODEL.md §9.8): KV caches of shared system prompts and of
/// conversation histories kept in memory so that later requests prefill only their own tokens. A cached prefix lies
/// in the channels of the request that made it, and a request sharing it takes its own room in those same channels:
/// with attention on the PIM, each channel's units read the KV they hold, so a request's whole context must lie where
/// its attention runs (NPU attention pools the stack: one channel). Live requests come first: a request that finds no
/// room evicts the least recently used prefix no request uses, as long as that can help.
extension Admission {
    /// What the request being admitted does with its prefix: shares it (`hit`), computes it for the cache (`holds`
    /// without `hit`), or neither — a miss that keeps nothing (history not kept, being computed, or no room beside it).
    struct PrefixUse {
        var prefix: Int
        var hit: Bool
        var holds: Bool
    }

    /// Where a cached prefix lies in one stage: its first channel, the channels it spans and the bytes in each.
    struct PrefixRoom: Equatable {
        var channel: Int
        var span: Int
        var part: Int64
    }

    /// A prefix in the cache: its tokens, its room in every stage, the requests using it, when it was last used, the
    /// request computing it (shared once that request has prefilled it), and, for a conversation history that began
    /// with a cached system prompt, that prompt (kept while the history is).
    struct CachedPrefix {
        var tokens: Int
        var rooms: [PrefixRoom]
        var users: Int
        var lastUse: Int
        var owner: Int
        var ready: Bool
        var parent = -1
    }

    /// Reserves `request`'s KV room in every stage (its full length; with paged KV, the blocks of its prompt and the
    /// tokens it has generated plus the next, leaving the watermark free), sharing its cached prefix when it is ready
    /// and there is room beside it, or else computing a system prompt's prefix for the cache; where it went is in
    /// `placed`, `parts` and `prefixUse`. False, with nothing reserved and the batch marked KV-limited, when some stage
    /// has no room.
    mutating func reserve(
        _ request: Request, generated: Int, states: inout [RunState], loads: inout [[Int64]]
    ) -> Bool {
        prefixUse = nil
        guard cachesPrefixes, request.prefix >= 0, request.prefixTokens > 0 else {
            return reserveEvicting(request, generated: generated, excluded: 0, states: &states, loads: &loads)
        }
        let key = request.prefix
        if let entry = prefixCache[key], entry.tokens == request.prefixTokens, isReady(entry, states: states) {
            // A hit: the request holds room for the rest of its tokens only, beside the prefix.
            if reserveEvicting(
                request, generated: generated, excluded: request.prefixTokens, beside: entry.rooms, sparing: key,
                states: &states, loads: &loads)
            {
                prefixUse = PrefixUse(prefix: key, hit: true, holds: true)
                return true
            }
        } else if prefixCache[key] == nil && !request.prefixIsHistory {
            // A miss on a system prompt: this request computes it, and the cache keeps it beside the request's room.
            guard
                reserveEvicting(
                    request, generated: generated, excluded: request.prefixTokens, states: &states, loads: &loads)
            else { return false }
            let rooms = ledgers.indices.map { stage in
                PrefixRoom(
                    channel: placed[stage], span: parts[stage].span,
                    part: ledgers[stage] == nil
                        ? 0 : (Int64(request.prefixTokens) * keyValueBytesPerToken[stage]).ceilDiv(Int64(parts[stage].span)))
            }
            var kept = keep(rooms)
            while !kept && evictOne(sparing: -1, overlapping: rooms) { kept = keep(rooms) }
            if kept {
                prefixCache[key] = CachedPrefix(
                    tokens: request.prefixTokens, rooms: rooms, users: 0, lastUse: useClock, owner: request.id,
                    ready: false)
                prefixUse = PrefixUse(prefix: key, hit: false, holds: true)
                return true
            }
            unreserve()
        }
        // Not shared: the request holds its whole length, and its prefix counts as a miss.
        guard reserveEvicting(request, generated: generated, excluded: 0, states: &states, loads: &loads) else {
            return false
        }
        prefixUse = PrefixUse(prefix: key, hit: false, holds: false)
        return true
    }

    /// `reserveRoom`, evicting unused cached prefixes (those that lie in `beside`'s channels when given) while it finds
    /// no room; a batch is marked KV-limited only when the request did not fit in the end.
    private mutating func reserveEvicting(
        _ request: Request, generated: Int, excluded: Int, beside rooms: [PrefixRoom]? = nil, sparing: Int = -1,
        states: inout [RunState], loads: inout [[Int64]]
    ) -> Bool {
        let wasLimited = states[0].kvLimited
        while !reserveRoom(
            request, generated: generated, excluded: excluded, beside: rooms, states: &states, loads: &loads)
        {
            guard cachesPrefixes, evictOne(sparing: sparing, overlapping: rooms) else { return false }
        }
        if !wasLimited { for index in states.indices { states[index].kvLimited = false } }
        return true
    }

    /// Takes a prefix's room in every stage; false, nothing taken, when some stage has none.
    private mutating func keep(_ rooms: [PrefixRoom]) -> Bool {
        for stage in ledgers.indices where ledgers[stage] != nil {
            let room = rooms[stage]
            guard ledgers[stage]!.extend(partBytes: room.part, channel: room.channel, span: room.span) else {
                for earlier in 0..<stage where ledgers[earlier] != nil {
                    ledgers[earlier]!.release(
                        partBytes: rooms[earlier].part, channel: rooms[earlier].channel, span: rooms[earlier].span)
                }
                return false
            }
        }
        return true
    }

    /// Removes `prefix` from the cache and frees its room (and its hold on the system prompt it began with).
    mutating func drop(_ prefix: Int) {
        guard let entry = prefixCache.removeValue(forKey: prefix) else { return }
        for stage in ledgers.indices where ledgers[stage] != nil {
            let room = entry.rooms[stage]
            ledgers[stage]!.release(partBytes: room.part, channel: room.channel, span: room.span)
        }
        if entry.parent >= 0, prefixCache[entry.parent] != nil { prefixCache[entry.parent]!.users -= 1 }
    }

    /// Evicts the least recently used ready prefix no request uses (not `sparing`; with `overlapping`, only one lying
    /// in some of those channels; ties to the lower id); false when there is none.
    private mutating func evictOne(sparing: Int, overlapping rooms: [PrefixRoom]?) -> Bool {
        var victim: Int?
        var victimOrder = (Int.max, Int.max)
        for (prefix, entry) in prefixCache where prefix != sparing && entry.users == 0 && entry.ready {
            if let rooms, !ledgers.indices.contains(where: { overlap(entry.rooms[$0], rooms[$0], stage: $0) }) {
                continue
            }
            if (entry.lastUse, prefix) < victimOrder { (victim, victimOrder) = (prefix, (entry.lastUse, prefix)) }
        }
        guard let victim else { return false }
        drop(victim)
        prefixEvictions += 1
        return true
    }

    /// Whether two rooms share a channel of `stage`.
    private func overlap(_ a: PrefixRoom, _ b: PrefixRoom, stage: Int) -> Bool {
        guard let channels = ledgers[stage]?.channels else { return false }
        for offset in 0..<a.span where (a.channel + offset - b.channel + 2 * channels) % channels < b.span {
            return true
        }
        return false
    }

    /// Whether `entry`'s KV has been computed: its owner finished, or has prefilled past it.
    private func isReady(_ entry: CachedPrefix, states: [RunState]) -> Bool {
        if entry.ready { return true }
        let state = states[0]
        for slot in state.isActive.indices where state.isActive[slot] && state.request[slot].id == entry.owner {
            return state.prefilled[slot] >= entry.tokens
        }
        return true
    }

    /// Frees the KV room `slot`'s request held in `stage` (preempted, or `finished`). A finished turn of a session
    /// whose next turn may come keeps its KV, with the history it shared, as its session's history in the cache.
    mutating func release(_ slot: Int, of state: RunState, stage: Int, finished: Bool = false) {
        let request = state.request[slot]
        let held = state.heldPrefix[slot]
        let lastStage = stage == ledgers.count - 1
        let retains =
            finished && cachesPrefixes && request.session >= 0 && request.turn + 1 < (sessionTurns ?? .max)
        if retains {
            // Its room (and the history it shared, which lies in the same channels) becomes the new history.
            var room = PrefixRoom(channel: state.channel[slot], span: state.span[slot], part: state.reservedBytes[slot])
            if ledgers[stage] == nil { room = PrefixRoom(channel: 0, span: 1, part: 0) }
            if held >= 0, prefixCache[held] != nil, Request.sessionPrefix(of: request.session) == held {
                room.part += prefixCache[held]!.rooms[stage].part
            }
            retaining[request.id, default: []].append(room)
        } else {
            ledgers[stage]?.release(
                partBytes: state.reservedBytes[slot], channel: state.channel[slot], span: state.span[slot])
        }
        guard lastStage else { return }
        // The cached prefix it used stays (evictable once no request uses it); counted once, at the last stage.
        if held >= 0, prefixCache[held] != nil {
            prefixCache[held]!.users -= 1
            if prefixCache[held]!.owner == request.id { prefixCache[held]!.ready = true }
        }
        guard retains, let rooms = retaining.removeValue(forKey: request.id) else { return }
        let key = Request.sessionPrefix(of: request.session)
        var parent = held >= 0 && held != key ? held : -1
        if let old = prefixCache[key] {
            if held == key && old.users == 0 {
                // Its bytes now belong to the new history, as does its hold on a system prompt.
                prefixCache[key] = nil
                parent = old.parent
            } else {
                drop(key)
            }
        }
        if parent >= 0 {
            if prefixCache[parent] != nil { prefixCache[parent]!.users += 1 } else { parent = -1 }
        }
        useClock += 1
        prefixCache[key] = CachedPrefix(
            tokens: request.inputTokens + request.outputTokens, rooms: rooms, users: 0, lastUse: useClock,
            owner: request.id, ready: true, parent: parent)
    }
}
