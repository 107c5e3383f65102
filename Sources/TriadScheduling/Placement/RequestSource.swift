import TriadCore

/// The requests a run draws, in arrival order: the workload's stream (lengths capped at the longest sequence), with
/// Poisson arrival times when the run has an arrival rate, ending after the run's request limit. One admission owns
/// it, or, with replicas, the run loop's router.
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

    init(_ experiment: Experiment) {
        let root = SplitMix64(seed: experiment.seed)
        requests = RequestGenerator(
            stream: experiment.workload, maxSequence: experiment.maxSequence, generator: root.substream(1))
        arrivals = experiment.serving.arrivalRate.map { PoissonArrivals(rate: $0, generator: root.substream(2)) }
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
        if arrivals != nil { next.arrival = arrivals!.next() }
        // A request that names its prefix (a trace's) keeps it; the others draw one.
        if let sharedPrefix, next.prefix < 0 {
            var prefixed = Request(
                id: next.id, inputTokens: sharedPrefix.tokens + next.inputTokens, outputTokens: next.outputTokens,
                arrival: next.arrival
            ).capped(at: maxSequence)
            prefixed.prefix = Int(prefixDraws.next() % UInt64(sharedPrefix.count))
            prefixed.prefixTokens = min(sharedPrefix.tokens, prefixed.inputTokens)
            next = prefixed
        }
        return next
    }

    /// A request part-way through its output, as a long closed-loop run finds them (closed loops only).
    mutating func nextInFlight() -> (request: Request, generated: Int)? { requests.nextInFlight() }
}
