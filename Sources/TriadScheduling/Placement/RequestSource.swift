import Foundation
import TriadCore

/// The requests a run draws, in arrival order: the workload's stream (lengths capped at the longest sequence), with
/// Poisson arrival times when the run has an arrival rate, ending after the run's request limit; with sessions, the
/// stream gives each session's first turn and `followUp` its later ones. One admission owns it, or, with replicas,
/// prefill groups or sessions, the run loop's router. Requests are numbered in the order they are handed out.
struct RequestSource {
    private var requests: RequestGenerator
    /// Poisson arrival times replacing the workload's (serving runs with an arrival rate).
    private var arrivals: PoissonArrivals?
    /// Requests the stream may still hand out (`ServingOptions.requestLimit`).
    private var remaining: Int
    /// Shared prefixes and the draws of which one each request starts with.
    private let sharedPrefix: SharedPrefix?
    private var prefixDraws: SplitMix64
    private let maxSequence: Int
    /// Multi-turn sessions: their shape, the sessions started so far, and the draws of the think times.
    private let sessions: Sessions?
    private var sessionsStarted = 0
    private var thinkDraws: SplitMix64
    /// The next request's id.
    private var nextID = 0

    init(_ experiment: Experiment) {
        let root = SplitMix64(seed: experiment.seed)
        requests = RequestGenerator(
            stream: experiment.workload, maxSequence: experiment.maxSequence, generator: root.substream(1))
        sessions = experiment.serving.sessions
        // With sessions, first turns arrive at the rate over the turns: requests still arrive at the rate.
        let turns = Double(sessions?.turns ?? 1)
        arrivals = experiment.serving.arrivalRate.map {
            PoissonArrivals(rate: $0 / turns, generator: root.substream(2))
        }
        thinkDraws = root.substream(5)
        remaining = experiment.serving.requestLimit ?? .max
        sharedPrefix = experiment.serving.sharedPrefix
        prefixDraws = root.substream(4)
        maxSequence = experiment.maxSequence
    }

    /// Requests the stream shortened to the longest sequence.
    var cappedRequests: Int { requests.cappedRequests }

    /// The next request to arrive, nil when the stream has ended.
    mutating func next() -> Request? {
        guard remaining > 0, var next = requests.next() else { return nil }
        remaining -= 1
        next.id = nextID
        nextID += 1
        if arrivals != nil { next.arrival = arrivals!.next() }
        if sessions != nil {
            next.session = sessionsStarted
            sessionsStarted += 1
        }
        // A request that names its prefix (a trace's) keeps it; the others draw one.
        if let sharedPrefix, next.prefix < 0 {
            var prefixed = Request(
                id: next.id, inputTokens: sharedPrefix.tokens + next.inputTokens, outputTokens: next.outputTokens,
                arrival: next.arrival
            ).capped(at: maxSequence)
            prefixed.prefix = Int(prefixDraws.next() % UInt64(sharedPrefix.count))
            prefixed.prefixTokens = min(sharedPrefix.tokens, prefixed.inputTokens)
            prefixed.session = next.session
            next = prefixed
        }
        return next
    }

    /// The next turn of `finished`'s session, sent a think time after `finished` ended at `now`: its prompt is the
    /// session's history (`finished`'s prompt and reply, its prefix) and new tokens from the workload. Nil when the
    /// session has had its turns, the stream has ended, or the prompt would not fit the longest sequence.
    mutating func followUp(of finished: Request, at now: Picoseconds) -> Request? {
        guard let sessions, finished.session >= 0, finished.turn + 1 < sessions.turns, remaining > 0,
            let drawn = requests.next()
        else { return nil }
        let history = finished.inputTokens + finished.outputTokens
        guard history + drawn.inputTokens < maxSequence else { return nil }
        remaining -= 1
        let uniform = (Double(thinkDraws.next() >> 11) + 0.5) / Double(UInt64(1) << 53)
        let think = -Foundation.log(uniform) * sessions.thinkSeconds * Double(picosecondsPerSecond)
        var turn = Request(
            id: nextID, inputTokens: history + drawn.inputTokens, outputTokens: drawn.outputTokens,
            arrival: now +| Picoseconds(min(think, 1e18))
        ).capped(at: maxSequence)
        nextID += 1
        turn.session = finished.session
        turn.turn = finished.turn + 1
        turn.prefix = Request.sessionPrefix(of: finished.session)
        turn.prefixTokens = history
        return turn
    }

    /// A request part-way through its output, as a long closed-loop run finds them (closed loops only).
    mutating func nextInFlight() -> (request: Request, generated: Int)? { requests.nextInFlight() }
}
