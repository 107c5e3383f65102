import TriadCore
import TriadDevices

/// The run loop over simulated time — the one place a run advances: an event queue of iteration starts and ends
/// for the pipeline stages that decode one batch together (a run of one simulator is one stage). At each start,
/// `Admission` fills the empty slots and every stage simulates its layers of the iteration on its own devices; the
/// iteration lasts as long as the slowest stage (with every micro-batch in flight, the bottleneck stage sets the
/// pace). At each end, every slot that decoded gets its token, finished requests leave and free their KV room, and
/// the steady-state checkpoints are taken.
struct RunLoop {
    private enum Event: Sendable {
        case startIteration(replica: Int)
        case endIteration(replica: Int, duration: Picoseconds)
        /// The next request of the shared stream arrives (replicated runs: the router places it).
        case arrival
        /// A request prefilled by the prefill pool reaches the decode devices with its KV cache.
        case handOver(Request)
        /// A session's next turn arrives (`Sessions`).
        case turn(Request)
    }

    /// One copy of the topology: its stages, their planners, and, while running, their states and admission.
    struct Replica {
        var stages: [Simulator]
        /// The `auto` policy's schedulers, one per stage it plans (nil where the stage's plan is fixed), each choosing
        /// its stage's plan before each iteration: the iteration lasts as long as the slowest stage, so each stage's
        /// fastest plan is the pipeline's.
        var planners: [AutoPlanner?]
        var states: [RunState] = []
        var admission: Admission?
        /// Whether an iteration is in flight or scheduled (an idle replica waits for the router).
        var isBusy = false
        /// Whether it has run all its iterations.
        var isDone = false
        /// The draft model's simulator (speculative decoding with a draft model), on the first stage's devices.
        var draft: Simulator?
    }

    /// The replicas (`Experiment.replicas`; one unless replicated), each starting as the stages given.
    var replicas: [Replica]
    /// Where the time of each request the prefill pool (`Experiment.prefillPool`) handled went, by request id, until
    /// the request finishes.
    private var handlings: [Int: PrefillInstances.Handling] = [:]
    /// Session turns that finished in the iteration being counted, with when (their next turns follow).
    private var finishedTurns: [(request: Request, at: Picoseconds)] = []
    /// The replica each session's turns go to (`Router.sessionAffinity`).
    private var sessionReplica: [Int: Int] = [:]
    /// Scratch of `finishIteration`: the slots whose token is a first or a last one.
    private var pendingTokens: [Int] = []
    /// The run's speculative decoding, whether it is a serving run (requests recorded) and its warm-up iterations
    /// (the same for every stage and replica; read once, not per iteration).
    private let speculation: Speculation?
    private let isServing: Bool
    private let warmupIterations: Int

    /// The first replica's stages and planners (the only ones of an unreplicated run).
    var stages: [Simulator] { replicas[0].stages }
    var planners: [AutoPlanner?] { replicas[0].planners }

    init(stages: [Simulator], planners: [AutoPlanner?] = []) {
        precondition(!stages.isEmpty)
        precondition(planners.isEmpty || planners.count == stages.count)
        let replica = Replica(
            stages: stages, planners: planners.isEmpty ? Array(repeating: nil, count: stages.count) : planners)
        replicas = Array(repeating: replica, count: max(1, stages[0].experiment.replicas))
        speculation = stages[0].experiment.serving.speculation
        isServing = stages[0].experiment.serving.isServing
        warmupIterations = stages[0].experiment.warmupIterations
    }

    /// A run of one stage planned by `planner`.
    init(stage: Simulator, planner: AutoPlanner) {
        self.init(stages: [stage], planners: [planner])
    }

    /// A replica's empty states and its admission, with the batch the run starts from admitted: closed-loop
    /// workloads start in steady state (the first batch holds requests as a long run finds them, length-biased,
    /// each part-way through its output); open-loop arrivals start from an empty system. A replicated run's
    /// admissions take requests from the router instead of drawing them.
    private func start(_ stages: [Simulator], routed: Bool) throws -> (states: [RunState], admission: Admission) {
        let lead = stages[0].experiment
        var states = stages.map { _ in RunState(batchSize: lead.batch) }
        for index in states.indices { states[index].acceptance = SplitMix64(seed: lead.seed).substream(3) }
        var admission = Admission(
            ledgers: try stages.map { try $0.makeLedger() }, keyValueBytesPerToken: stages.map(\.keyValueBytesPerToken),
            loadEstimates: stages.map(\.loadEstimate), spanOptions: stages.map(\.keyValueSpans), experiment: lead,
            routed: routed)
        admission.fill(&states, now: 0, stagger: !lead.workload.isFinite && lead.serving.arrivalRate == nil)
        return (states, admission)
    }

    /// The batch the first iteration would decode, admitted as `run` admits it, without running anything.
    func firstBatch() throws -> RunState {
        var (states, admission) = try start(replicas[0].stages, routed: false)
        admission.fill(&states, now: 0, stagger: false)
        return states[0]
    }

    /// Simulates the whole run; returns every replica's stages' totals (a replica's batch is the same in all its
    /// stages), the requests the stream shortened to `--max-sequence`, and, with several replicas, every token's
    /// latency over all of them.
    mutating func run() throws -> (replicas: [[RunState]], cappedRequests: Int, tokenLatency: WeightedSamples?) {
        let lead = replicas[0].stages[0].experiment
        let routed = replicas.count > 1 || lead.prefillPool != nil || lead.serving.sessions != nil
        var prefillInstances = try lead.prefillPool.map {
            try PrefillInstances($0, experiment: lead, costs: replicas[0].stages[0].costService)
        }
        var source = routed ? RequestSource(lead) : nil
        var centralQueue: [Request] = []
        var arrived = 0
        for index in replicas.indices {
            if let draft = lead.serving.speculation?.draft {
                let stage = replicas[index].stages[0]
                var drafting = stage.experiment
                drafting.model = draft
                drafting.serving.speculation = nil
                replicas[index].draft = try Simulator(
                    drafting, policy: stage.policy, devices: stage.devices, costs: stage.costService)
            }
            let (states, admission) = try start(replicas[index].stages, routed: routed)
            replicas[index].states = states
            replicas[index].admission = admission
            for stage in replicas[index].states.indices {
                replicas[index].states[stage].isWarmingUp = lead.warmupIterations > 0
            }
        }
        var queue = EventQueue<Event>()
        var upcoming: Request?
        if routed {
            upcoming = source!.next()
            if let upcoming { queue.schedule(.arrival, at: upcoming.arrival) }
        } else {
            queue.schedule(.startIteration(replica: 0), at: 0)
            replicas[0].isBusy = true
        }
        let checkpointEvery = lead.iterations / RunReport.steadyStateBatches
        run: while let (now, event) = queue.pop() {
            switch event {
            case .arrival, .handOver, .turn:
                var arriving: Request
                if case .handOver(let request) = event {
                    arriving = request
                } else {
                    // Arrivals stop once a replica has run its iterations (the others then finish what they hold): a
                    // replica that stopped would leave its share unserved and load the others beyond the offered rate.
                    guard !replicas.contains(where: \.isDone) else { continue run }
                    let request: Request
                    if case .turn(let next) = event {
                        request = next
                    } else {
                        guard let next = upcoming else { continue run }
                        request = next
                        upcoming = source!.next()
                        if let upcoming { queue.schedule(.arrival, at: upcoming.arrival) }
                    }
                    if prefillInstances != nil {
                        // The prompt goes to the prefill pool first; its KV reaches the decode devices later.
                        let handling = try prefillInstances!.prefill(request, now: now)
                        handlings[request.id] = handling
                        if request.outputTokens <= 1 {
                            finishAtPrefill(request, handling: handling)
                            handlings[request.id] = nil
                            scheduleTurns(&queue, source: &source!)
                        } else {
                            queue.schedule(.handOver(request), at: handling.handedOver)
                        }
                        continue run
                    }
                    arriving = request
                }
                let request = arriving
                if lead.router == .centralQueue {
                    centralQueue.append(request)
                    if let idle = replicas.indices.first(where: { !replicas[$0].isBusy && !replicas[$0].isDone }) {
                        replicas[idle].isBusy = true
                        queue.schedule(.startIteration(replica: idle), at: now)
                    }
                } else {
                    let target = route(request, ordinal: arrived, router: lead.router)
                    replicas[target].admission!.enqueue(request, firstToken: handlings[request.id]?.firstToken)
                    if !replicas[target].isBusy && !replicas[target].isDone {
                        replicas[target].isBusy = true
                        queue.schedule(.startIteration(replica: target), at: now)
                    }
                }
                arrived += 1
            case .startIteration(let r):
                if lead.router == .centralQueue && routed {
                    // The replica's free slots take the oldest requests waiting at the router.
                    let free = replicas[r].states[0].isActive.count - replicas[r].states[0].activeCount
                        - replicas[r].admission!.waiting
                    let taken = min(max(0, free), centralQueue.count)
                    for request in centralQueue.prefix(taken) {
                        replicas[r].admission!.enqueue(request, firstToken: handlings[request.id]?.firstToken)
                    }
                    centralQueue.removeFirst(taken)
                }
                // The states and the admission are moved out while they change (no copy of either).
                var states: [RunState] = []
                swap(&states, &replicas[r].states)
                var moved: Admission?
                swap(&moved, &replicas[r].admission)
                moved!.fill(&states, now: now, stagger: false)
                _ = moved!.grow(&states)
                swap(&moved, &replicas[r].admission)
                swap(&states, &replicas[r].states)
                if !replicas[r].states[0].isActive.contains(true) {
                    if let arrival = replicas[r].admission!.nextArrival(after: now) {
                        queue.schedule(.startIteration(replica: r), at: arrival)
                    } else {
                        replicas[r].isBusy = false
                    }
                    continue run
                }
                let duration = try simulateIteration(replica: r, at: now)
                queue.schedule(.endIteration(replica: r, duration: duration), at: now +| duration)
            case .endIteration(let r, let duration):
                for index in replicas[r].stages.indices {
                    finishIteration(replica: r, stage: index, duration: duration, at: now)
                    // The state's fields are read in place (a copy of the state would retain each of its lists).
                    if !replicas[r].states[index].isWarmingUp && checkpointEvery > 0
                        && replicas[r].states[index].iterations % checkpointEvery == 0
                        && replicas[r].states[index].checkpoints.count < RunReport.steadyStateBatches
                    {
                        let elapsed = replicas[r].states[index].elapsed - replicas[r].states[index].measuredFrom
                        replicas[r].states[index].checkpoints.append((elapsed, replicas[r].states[index].tokens))
                    }
                }
                if source != nil { scheduleTurns(&queue, source: &source!) }
                if replicas[r].states[0].isWarmingUp || replicas[r].states[0].iterations < lead.iterations {
                    queue.schedule(.startIteration(replica: r), at: now)
                } else {
                    replicas[r].isBusy = false
                    replicas[r].isDone = true
                }
            }
        }
        for replica in replicas
        where lead.warmupIterations > 0 && (replica.states[0].isWarmingUp || replica.states[0].iterations == 0) {
            throw SimulationError(
                .incompatible,
                "the trace ran out within the --warmup of \(lead.warmupIterations) iterations: nothing was measured (use a smaller --warmup)"
            )
        }
        for r in replicas.indices {
            for stage in replicas[r].states.indices {
                replicas[r].states[stage].prefixEvictions = replicas[r].admission!.prefixEvictions
            }
        }
        let capped = routed ? source!.cappedRequests : replicas[0].admission!.cappedRequests
        var tokenLatency: WeightedSamples?
        if replicas.count > 1 {
            var merged = WeightedSamples()
            for replica in replicas { merged.merge(replica.states[replica.states.count - 1].tokenLatency) }
            tokenLatency = merged
        }
        return (replicas.map(\.states), capped, tokenLatency)
    }

    /// Schedules the next turn of every session whose turn just finished (`Sessions`).
    private mutating func scheduleTurns(_ queue: inout EventQueue<Event>, source: inout RequestSource) {
        for (request, at) in finishedTurns {
            if let next = source.followUp(of: request, at: at) { queue.schedule(.turn(next), at: next.arrival) }
        }
        finishedTurns.removeAll(keepingCapacity: true)
    }

    /// Records a one-token request that the prefill pool finished (its only token is the prefill's).
    private mutating func finishAtPrefill(_ request: Request, handling: PrefillInstances.Handling) {
        if request.session >= 0 { finishedTurns.append((request, handling.firstToken)) }
        guard !replicas[0].states[0].isWarmingUp else { return }
        var record = RequestRecord(
            id: request.id, inputTokens: request.inputTokens, outputTokens: request.outputTokens,
            arrival: request.arrival, admitted: request.arrival +| handling.queueing, firstToken: handling.firstToken,
            finished: handling.firstToken)
        record.prefillQueueing = handling.queueing
        record.prefillDuration = handling.prefill
        replicas[0].states[0].records.append(record)
    }

    /// The replica `request` goes to (`Router`); `ordinal` counts the arrivals before it.
    private mutating func route(_ request: Request, ordinal: Int, router: Router) -> Int {
        switch router {
        case .roundRobin, .centralQueue: return ordinal % replicas.count
        case .sessionAffinity:
            if request.session >= 0, let replica = sessionReplica[request.session], !replicas[replica].isDone {
                return replica
            }
            let replica = route(request, ordinal: ordinal, router: .leastOutstandingTokens)
            if request.session >= 0 { sessionReplica[request.session] = replica }
            return replica
        case .leastOutstandingTokens:
            var best = 0
            var fewest = Int.max
            for (index, replica) in replicas.enumerated() where !replica.isDone {
                let tokens = replica.admission!.outstandingTokens(replica.states[0])
                if tokens < fewest {
                    fewest = tokens
                    best = index
                }
            }
            return best
        }
    }

    /// Plans (under `auto`) and simulates one iteration of replica `r`'s stages starting at `now`; the iteration
    /// lasts as long as its slowest stage.
    private mutating func simulateIteration(replica r: Int, at now: Picoseconds) throws -> Picoseconds {
        // The replica's stages, planners and states are moved out while they run (no copy of their arrays).
        var stages: [Simulator] = []
        var planners: [AutoPlanner?] = []
        var states: [RunState] = []
        swap(&stages, &replicas[r].stages)
        swap(&planners, &replicas[r].planners)
        swap(&states, &replicas[r].states)
        // With workers per replica, this replica's costs are asked of its own.
        let perReplica = stages[0].costService as? ReplicaCostService
        perReplica?.replica = r
        defer {
            perReplica?.replica = 0
            swap(&stages, &replicas[r].stages)
            swap(&planners, &replicas[r].planners)
            swap(&states, &replicas[r].states)
        }
        let draftTokens = stages[0].experiment.serving.speculation?.draftTokens
        let timelineIterations = stages[0].experiment.timelineIterations
        var duration: Picoseconds = 0
        let iteration = states[0].iterations
        // A draft model proposes the k tokens first: k of its decode steps over the batch (each costed at the step's
        // contexts), then the target verifies them.
        var drafting: Picoseconds = 0
        if var draft = replicas[r].draft, let k = draftTokens {
            replicas[r].draft = nil
            defer { replicas[r].draft = draft }
            let step = try draft.draftStep(&states[0], iteration: iteration)
            drafting = scaled(step.duration, times: Int64(k), over: 1, roundingUp: false)
            for _ in 0..<k { states[0].usage += step.usage }
            states[0].draftTime +|= drafting
            if drafting > 0 && !states[0].isWarmingUp && iteration < timelineIterations {
                stages[0].timeline.append(
                    TimelineEvent(
                        track: "draft", name: "\(k) draft steps (\(draft.experiment.model.name))", start: now,
                        duration: drafting, iteration: iteration, subBatch: 0, layer: 0))
            }
        }
        for index in stages.indices where planners[index] != nil {
            if try planners[index]!.prepare(&stages[index], state: states[index], iteration: iteration),
                !states[index].isWarmingUp, iteration < timelineIterations
            {
                stages[index].timeline.append(
                    TimelineEvent(
                        track: "plan", name: "re-plan: \(planners[index]!.currentName)", start: now, duration: 0,
                        iteration: iteration, subBatch: 0, layer: 0))
            }
        }
        for index in stages.indices {
            duration = max(
                duration,
                try stages[index].simulateIteration(&states[index], iteration: iteration, startingAt: now +| drafting))
        }
        return drafting +| duration
    }

    /// Counts `stage`'s iteration: its tokens, every request advanced and the finished ones retired; ends the
    /// warm-up when it is over.
    private mutating func finishIteration(replica r: Int, stage: Int, duration: Picoseconds, at now: Picoseconds) {
        // The state and admission are moved out while they change (no copy of their arrays).
        var state = RunState(batchSize: 0)
        swap(&state, &replicas[r].states[stage])
        var admission: Admission?
        swap(&admission, &replicas[r].admission)
        // Only what is needed of the experiment (a copy of it all would cost more than the iteration's bookkeeping).
        let speculation = self.speculation
        let isServing = self.isServing
        let warmupIterations = self.warmupIterations
        defer {
            swap(&state, &replicas[r].states[stage])
            swap(&admission, &replicas[r].admission)
        }
        if state.kvLimited { state.kvLimitedIterations += 1 }
        state.kvLimited = false
        if let occupancy = admission!.occupancy(stage: stage) {
            state.kvOccupancySum += occupancy
            state.kvOccupancyPeak = max(state.kvOccupancyPeak, occupancy)
        }
        // A token from every slot that decoded (with speculative decoding, its accepted drafts too), and the first token
        // of every prompt whose prefill finished.
        var tokens: Int64 = 0
        if speculation == nil {
            // One token per decoding slot. A request neither at its first nor at its last token only counts it (one
            // pass through pointers); the others — first tokens, finished requests — then emit theirs in slot order.
            // Nothing emitToken does for one slot reads another slot's count, so the split keeps every result.
            var pending: [Int] = []
            swap(&pending, &pendingTokens)
            pending.removeAll(keepingCapacity: true)
            state.requestSteps += Int64(state.activeSlots.count)
            state.activeSlots.withUnsafeBufferPointer { slots in
                state.isActive.withUnsafeBufferPointer { isActive in
                    state.request.withUnsafeBufferPointer { request in
                        state.generated.withUnsafeMutableBufferPointer { generated in
                            for slot in slots where isActive[slot] {
                                tokens += 1
                                let next = generated[slot] + 1
                                if next > 1 && next < request[slot].outputTokens {
                                    generated[slot] = next
                                } else {
                                    pending.append(slot)
                                }
                            }
                        }
                    }
                }
            }
            for slot in pending {
                emitToken(&state, slot: slot, stage: stage, admission: &admission!, isServing: isServing, at: now)
            }
            swap(&pending, &pendingTokens)
        }
        for slot in state.activeSlots {
            guard let speculation else { break }
            var count = 1
            do {
                // Drafts are accepted one by one until the first rejection; the same draws in every stage.
                while count <= speculation.draftTokens
                    && Double(state.acceptance.next() >> 11) / Double(UInt64(1) << 53) < speculation.acceptance
                {
                    count += 1
                }
                count = min(count, state.request[slot].outputTokens - state.generated[slot])
                state.speculativeSteps += 1
                state.speculativeTokens += Int64(count)
            }
            state.requestSteps += 1
            for _ in 0..<count where state.isActive[slot] {
                tokens += 1
                emitToken(&state, slot: slot, stage: stage, admission: &admission!, isServing: isServing, at: now)
            }
        }
        for (slot, count) in state.prefillStep {
            state.prefilled[slot] += count
            if state.prefilled[slot] >= state.prefillTarget[slot] {
                tokens += 1
                state.requestSteps += 1
                emitToken(&state, slot: slot, stage: stage, admission: &admission!, isServing: isServing, at: now)
            }
        }
        state.prefillStep.removeAll(keepingCapacity: true)
        state.tokens += tokens
        state.tokenLatency.add(duration, weight: tokens)
        state.iterations += 1
        state.elapsed = now
        if state.isWarmingUp && state.iterations == warmupIterations {
            state.startMeasuring(at: now)
        }
    }

    /// One generated token for `slot`'s request at `now`: its first (time to first token), or its last (the request
    /// leaves the batch, its KV room is freed and, in a serving run, its record kept).
    private mutating func emitToken(
        _ state: inout RunState, slot: Int, stage: Int, admission: inout Admission, isServing: Bool,
        at now: Picoseconds
    ) {
        state.generated[slot] += 1
        if state.generated[slot] == 1 { state.firstTokenAt[slot] = now }
        guard state.generated[slot] >= state.request[slot].outputTokens else { return }
        state.isActive[slot] = false
        state.completedRequests += 1
        admission.release(slot, of: state, stage: stage, finished: true)
        if isServing && !state.isWarmingUp && state.joinedFresh[slot] {
            let request = state.request[slot]
            var record = RequestRecord(
                id: request.id, inputTokens: request.inputTokens, outputTokens: request.outputTokens,
                arrival: request.arrival, admitted: state.admittedAt[slot], firstToken: state.firstTokenAt[slot],
                finished: now)
            if let handling = handlings[request.id] {
                record.prefillQueueing = handling.queueing
                record.prefillDuration = handling.prefill
                record.transfer = handling.transfer
            }
            state.records.append(record)
        }
        // Every stage has recorded the request once the last one has.
        if stage == replicas.first!.stages.count - 1 {
            handlings[state.request[slot].id] = nil
            if state.request[slot].session >= 0 { finishedTurns.append((state.request[slot], now)) }
        }
    }
}
