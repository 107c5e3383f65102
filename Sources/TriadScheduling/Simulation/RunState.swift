import TriadCore
import TriadDevices

/// The batch and the running totals of one simulation.
struct RunState {
    // The batch: one slot per request position.
    var request: [Request]
    var generated: [Int]
    var channel: [Int]
    /// Consecutive channels the slot's KV spans from `channel` (1 unless larger than a channel), and the bytes it
    /// reserved in each.
    var span: [Int]
    var reservedBytes: [Int64]
    var isActive: [Bool]
    /// Serving: when each slot's request was admitted and got its first token, and how much of its prompt is
    /// prefilled (all of it in the decode-only mode).
    var admittedAt: [Picoseconds]
    var firstTokenAt: [Picoseconds]
    var prefilled: [Int]
    /// Tokens the slot prefills before it decodes: its prompt, or for a request preempted and recomputed its prompt
    /// and the tokens it had generated (paged KV).
    var prefillTarget: [Int]
    /// Tokens of KV room the slot holds: its full length, or with paged KV whole blocks as it grows.
    var reservedTokens: [Int]
    /// The cached prefix the slot's request uses (-1: none; prefix caching).
    var heldPrefix: [Int]
    /// Whether the slot's request joined the run from its start (not part-way through, as the closed loop's first
    /// batch does): only those have a time to first token and a record.
    var joinedFresh: [Bool]
    /// The prompt tokens this iteration prefills, per slot (`prefillStep`).
    var prefillStep: [(slot: Int, tokens: Int)] = []
    /// Whether this iteration's decodes wait for the prompts it prefills (`--prefill prefill-first:N`).
    var decodesPaused = false
    /// Requests finished while measuring (serving runs).
    var records: [RequestRecord] = []

    // Totals.
    var iterations = 0
    /// Iterations that ran with more than one sub-batch.
    var interleavedIterations = 0
    var tokens: Int64 = 0
    var completedRequests = 0
    var elapsed: Picoseconds = 0
    var usage = ResourceUsage()
    var channelImbalanceSum = 0.0
    var tokenLatency = WeightedSamples()
    var kvOccupancySum = 0.0
    var kvOccupancyPeak = 0.0
    /// Time spent waiting on links, and bytes each rank sent over them (multi-group topologies).
    var communication: Picoseconds = 0
    var tensorBytes: Int64 = 0
    var pipelineBytes: Int64 = 0
    /// Measured time and tokens at the end of each tenth of the measured iterations (the steady-state check).
    var checkpoints: [(elapsed: Picoseconds, tokens: Int64)] = []
    /// Whether admission stopped this iteration because no channel had room for the next request's KV cache.
    var kvLimited = false
    /// Iterations whose batch the KV capacity kept below the nominal batch size.
    var kvLimitedIterations = 0
    /// Paged KV: requests preempted, and the prompt and generated tokens they prefill again.
    var preemptions = 0
    var recomputedTokens: Int64 = 0
    /// Swap preemption: bytes to move to or from the host tier before the next iteration, and the totals.
    var pendingSwapBytes: Int64 = 0
    var swappedBytes: Int64 = 0
    var swapTime: Picoseconds = 0
    /// Steps of requests that gave them tokens (`RunReport.requestSteps`).
    var requestSteps: Int64 = 0
    /// Time the draft model's steps took (speculative decoding with a draft model).
    var draftTime: Picoseconds = 0
    /// Speculative decoding: the draws of draft acceptance, and the decode steps and tokens they gave (measured).
    var acceptance = SplitMix64(seed: 0)
    var speculativeSteps: Int64 = 0
    /// Prefix caching: admissions that found their prefix cached, that computed it, and the prompt tokens skipped.
    var prefixHits = 0
    var prefixMisses = 0
    var prefixTokensSaved: Int64 = 0
    var prefixEvictions = 0
    var speculativeTokens: Int64 = 0

    // Scratch reused every iteration.
    var activeSlots: [Int] = []
    var sequences: [Int] = []
    /// Each active slot's KV span (parallel to `sequences`).
    var spans: [Int] = []

    /// Whether the iterations so far are warm-up (not measured, not traced).
    var isWarmingUp = false
    /// Simulated time when measurement began (after the warm-up).
    var measuredFrom: Picoseconds = 0

    /// Forgets everything measured so far (the warm-up is over) but keeps the batch.
    mutating func startMeasuring(at now: Picoseconds) {
        var fresh = RunState(batchSize: 0)
        fresh.request = request
        fresh.generated = generated
        fresh.channel = channel
        fresh.span = span
        fresh.reservedBytes = reservedBytes
        fresh.isActive = isActive
        fresh.admittedAt = admittedAt
        fresh.firstTokenAt = firstTokenAt
        fresh.prefilled = prefilled
        fresh.prefillTarget = prefillTarget
        fresh.reservedTokens = reservedTokens
        fresh.heldPrefix = heldPrefix
        fresh.joinedFresh = joinedFresh
        fresh.acceptance = acceptance
        fresh.measuredFrom = now
        fresh.elapsed = now
        self = fresh
    }

    init(batchSize: Int) {
        request = Array(repeating: Request(id: -1, inputTokens: 0, outputTokens: 0), count: batchSize)
        generated = Array(repeating: 0, count: batchSize)
        channel = Array(repeating: 0, count: batchSize)
        span = Array(repeating: 1, count: batchSize)
        reservedBytes = Array(repeating: 0, count: batchSize)
        isActive = Array(repeating: false, count: batchSize)
        admittedAt = Array(repeating: 0, count: batchSize)
        firstTokenAt = Array(repeating: 0, count: batchSize)
        prefilled = Array(repeating: 0, count: batchSize)
        prefillTarget = Array(repeating: 0, count: batchSize)
        reservedTokens = Array(repeating: 0, count: batchSize)
        heldPrefix = Array(repeating: -1, count: batchSize)
        joinedFresh = Array(repeating: false, count: batchSize)
    }

    var activeCount: Int { isActive.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Tokens in the KV cache for the token being generated now (prompt, generated so far, this one).
    func sequenceLength(ofSlot slot: Int, cap: Int) -> Int {
        min(request[slot].inputTokens + generated[slot] + 1, cap)
    }
}
