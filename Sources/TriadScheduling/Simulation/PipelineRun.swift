import TriadCore
import TriadDevices

/// The run loop over simulated time for the stages of a pipeline that decode one batch together: an event
/// queue of iteration starts and ends. Every stage simulates its layers of the iteration on its own devices
/// and the iteration lasts as long as the slowest stage (with every micro-batch in flight, the bottleneck stage
/// sets the pace). A run of one simulator is a pipeline of one stage.
struct PipelineRun {
    private enum Event: Sendable {
        case startIteration
        case endIteration(Picoseconds)
    }

    var stages: [Simulator]
    /// Scratch: the channel each stage placed the request being admitted on.
    private var placed: [Int]
    /// Poisson arrival times replacing the workload's (serving runs with an arrival rate).
    private var arrivals: PoissonArrivals?

    init(stages: [Simulator]) {
        precondition(!stages.isEmpty)
        self.stages = stages
        placed = Array(repeating: 0, count: stages.count)
    }

    /// Simulates the whole run; returns every stage's totals (the batch is the same in all) and the requests the
    /// stream shortened to `--max-sequence`.
    mutating func run() throws -> (states: [RunState], cappedRequests: Int) {
        let lead = stages[0].experiment
        var states = stages.map { _ in RunState(batchSize: lead.batch) }
        let root = SplitMix64(seed: lead.seed)
        var requests = RequestGenerator(
            stream: lead.workload, maxSequence: lead.maxSequence, generator: root.substream(1))
        var ledgers = try stages.map { try $0.makeLedger() }
        var queue = EventQueue<Event>()
        arrivals = lead.serving.arrivalRate.map { PoissonArrivals(rate: $0, generator: root.substream(2)) }
        // Closed-loop workloads start in steady state: the first batch holds requests as a long run finds them
        // (length-biased, each part-way through its output). Open-loop arrivals start from an empty system.
        fillSlots(
            &states, ledgers: &ledgers, requests: &requests, now: 0,
            stagger: !lead.workload.isFinite && lead.serving.arrivalRate == nil)
        queue.schedule(.startIteration, at: 0)
        for index in states.indices { states[index].isWarmingUp = lead.warmupIterations > 0 }
        run: while let (now, event) = queue.pop() {
            switch event {
            case .startIteration:
                fillSlots(&states, ledgers: &ledgers, requests: &requests, now: now, stagger: false)
                if states[0].activeCount == 0 {
                    if states[0].pendingHead < states[0].pending.count, states[0].pending[states[0].pendingHead].arrival > now {
                        queue.schedule(.startIteration, at: states[0].pending[states[0].pendingHead].arrival)
                    }
                    continue run
                }
                var duration: Picoseconds = 0
                let iteration = states[0].iterations
                for index in stages.indices {
                    duration = max(
                        duration, try stages[index].simulateIteration(&states[index], iteration: iteration, startingAt: now))
                }
                queue.schedule(.endIteration(duration), at: now +| duration)
            case .endIteration(let duration):
                for index in stages.indices {
                    stages[index].finishIteration(&states[index], ledger: &ledgers[index], duration: duration, at: now)
                    let checkpointEvery = lead.iterations / RunReport.steadyStateBatches
                    if !states[index].isWarmingUp && checkpointEvery > 0 && states[index].iterations % checkpointEvery == 0
                        && states[index].checkpoints.count < RunReport.steadyStateBatches
                    {
                        states[index].checkpoints.append(
                            (states[index].elapsed - states[index].measuredFrom, states[index].tokens))
                    }
                }
                if states[0].isWarmingUp || states[0].iterations < lead.iterations {
                    queue.schedule(.startIteration, at: now)
                }
            }
        }
        if lead.warmupIterations > 0 && (states[0].isWarmingUp || states[0].iterations == 0) {
            throw SimulationError(
                .incompatible,
                "the trace ran out within the --warmup of \(lead.warmupIterations) iterations: nothing was measured (use a smaller --warmup)")
        }
        return (states, requests.cappedRequests)
    }

    /// Admits waiting requests into empty slots, in order, while they have arrived and their KV cache fits a
    /// channel of every stage (each stage holds its layers' share), placed round-robin or on the channel of least
    /// estimated attention load. A request that fits in some stages but not all gives back what it took (a
    /// round-robin cursor stays advanced: deterministic, and only possible with several stages).
    private mutating func fillSlots(
        _ states: inout [RunState], ledgers: inout [KVCacheLedger?], requests: inout RequestGenerator,
        now: Picoseconds, stagger: Bool
    ) {
        var loads: [[Int64]] = []
        let maxSequence = stages[0].experiment.maxSequence
        let prefills = stages[0].experiment.serving.prefill != .none
        for slot in states[0].isActive.indices where !states[0].isActive[slot] {
            var generated = 0
            if states[0].pendingHead == states[0].pending.count {
                if stagger, let inFlight = requests.nextInFlight() {
                    states[0].pending.append(inFlight.request)
                    generated = inFlight.generated
                } else {
                    guard var next = requests.next() else { return }
                    if arrivals != nil { next.arrival = arrivals!.next() }
                    states[0].pending.append(next)
                }
            }
            let candidate = states[0].pending[states[0].pendingHead]
            guard candidate.arrival <= now else { return }
            if loads.isEmpty && ledgers.contains(where: { $0?.rule == .greedyMinLoad }) {
                loads = stages.indices.map { index in
                    ledgers[index].map { stages[index].channelLoads(states[index], channels: $0.channels) } ?? []
                }
            }
            let tokens = Int64(candidate.inputTokens + candidate.outputTokens)
            for index in stages.indices {
                guard ledgers[index] != nil else { continue }
                let bytes = tokens * stages[index].shard.keyValueBytesPerToken
                guard let channel = ledgers[index]!.place(bytes: bytes, loads: loads.isEmpty ? [] : loads[index]) else {
                    for earlier in 0..<index where ledgers[earlier] != nil {
                        ledgers[earlier]!.release(
                            bytes: tokens * stages[earlier].shard.keyValueBytesPerToken, channel: placed[earlier])
                    }
                    for state in states.indices { states[state].kvLimited = true }
                    return
                }
                placed[index] = channel
            }
            states[0].pendingHead += 1
            if states[0].pendingHead > 1024 && states[0].pendingHead * 2 > states[0].pending.count {
                states[0].pending.removeFirst(states[0].pendingHead)
                states[0].pendingHead = 0
            }
            let length = min(candidate.inputTokens + generated + 1, maxSequence)
            for index in stages.indices {
                let ledger = ledgers[index]
                if ledger != nil && !loads.isEmpty && !loads[index].isEmpty {
                    loads[index][placed[index]] += stages[index].loadEstimate[length]
                }
                states[index].request[slot] = candidate
                states[index].generated[slot] = generated
                states[index].channel[slot] = ledger == nil ? 0 : placed[index]
                states[index].reservedBytes[slot] = ledger == nil ? 0 : tokens * stages[index].shard.keyValueBytesPerToken
                states[index].isActive[slot] = true
                states[index].admittedAt[slot] = now
                states[index].joinedFresh[slot] = generated == 0
                states[index].firstTokenAt[slot] = 0
                states[index].prefilled[slot] = prefills && generated == 0 ? 0 : candidate.inputTokens
            }
        }
    }
}
