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
        case startIteration
        case endIteration(Picoseconds)
    }

    var stages: [Simulator]
    /// The `auto` policy's schedulers, one per stage it plans (nil where the stage's plan is fixed), each choosing its
    /// stage's plan before each iteration: the iteration lasts as long as the slowest stage, so each stage's fastest
    /// plan is the pipeline's.
    var planners: [AutoPlanner?]

    init(stages: [Simulator], planners: [AutoPlanner?] = []) {
        precondition(!stages.isEmpty)
        precondition(planners.isEmpty || planners.count == stages.count)
        self.stages = stages
        self.planners = planners.isEmpty ? Array(repeating: nil, count: stages.count) : planners
    }

    /// A run of one stage planned by `planner`.
    init(stage: Simulator, planner: AutoPlanner) {
        self.init(stages: [stage], planners: [planner])
    }

    /// Every stage's empty state and the admission, with the batch the run starts from admitted: closed-loop
    /// workloads start in steady state (the first batch holds requests as a long run finds them, length-biased,
    /// each part-way through its output); open-loop arrivals start from an empty system.
    private func start() throws -> (states: [RunState], admission: Admission) {
        let lead = stages[0].experiment
        var states = stages.map { _ in RunState(batchSize: lead.batch) }
        var admission = Admission(
            ledgers: try stages.map { try $0.makeLedger() }, keyValueBytesPerToken: stages.map(\.keyValueBytesPerToken),
            loadEstimates: stages.map(\.loadEstimate), spanOptions: stages.map(\.keyValueSpans), experiment: lead)
        admission.fill(&states, now: 0, stagger: !lead.workload.isFinite && lead.serving.arrivalRate == nil)
        return (states, admission)
    }

    /// The batch the first iteration would decode, admitted as `run` admits it, without running anything.
    func firstBatch() throws -> RunState {
        var (states, admission) = try start()
        admission.fill(&states, now: 0, stagger: false)
        return states[0]
    }

    /// Simulates the whole run; returns every stage's totals (the batch is the same in all) and the requests the
    /// stream shortened to `--max-sequence`.
    mutating func run() throws -> (states: [RunState], cappedRequests: Int) {
        let lead = stages[0].experiment
        var (states, admission) = try start()
        var queue = EventQueue<Event>()
        queue.schedule(.startIteration, at: 0)
        for index in states.indices { states[index].isWarmingUp = lead.warmupIterations > 0 }
        let checkpointEvery = lead.iterations / RunReport.steadyStateBatches
        run: while let (now, event) = queue.pop() {
            switch event {
            case .startIteration:
                admission.fill(&states, now: now, stagger: false)
                if states[0].activeCount == 0 {
                    if let arrival = admission.nextArrival(after: now) { queue.schedule(.startIteration, at: arrival) }
                    continue run
                }
                var duration: Picoseconds = 0
                let iteration = states[0].iterations
                for index in stages.indices where planners[index] != nil {
                    if try planners[index]!.prepare(&stages[index], state: states[index], iteration: iteration),
                        !states[index].isWarmingUp, iteration < lead.timelineIterations
                    {
                        stages[index].timeline.append(
                            TimelineEvent(
                                track: "plan", name: "re-plan: \(planners[index]!.currentName)", start: now,
                                duration: 0, iteration: iteration, subBatch: 0, layer: 0))
                    }
                }
                for index in stages.indices {
                    duration = max(
                        duration,
                        try stages[index].simulateIteration(&states[index], iteration: iteration, startingAt: now))
                }
                queue.schedule(.endIteration(duration), at: now +| duration)
            case .endIteration(let duration):
                for index in stages.indices {
                    finishIteration(&states[index], stage: index, admission: &admission, duration: duration, at: now)
                    if !states[index].isWarmingUp && checkpointEvery > 0
                        && states[index].iterations % checkpointEvery == 0
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
                "the trace ran out within the --warmup of \(lead.warmupIterations) iterations: nothing was measured (use a smaller --warmup)"
            )
        }
        return (states, admission.cappedRequests)
    }

    /// Counts `stage`'s iteration: its tokens, every request advanced and the finished ones retired; ends the
    /// warm-up when it is over.
    private func finishIteration(
        _ state: inout RunState, stage: Int, admission: inout Admission, duration: Picoseconds, at now: Picoseconds
    ) {
        if state.kvLimited { state.kvLimitedIterations += 1 }
        state.kvLimited = false
        if let occupancy = admission.occupancy(stage: stage) {
            state.kvOccupancySum += occupancy
            state.kvOccupancyPeak = max(state.kvOccupancyPeak, occupancy)
        }
        // A token from every slot that decoded, and the first token of every prompt whose prefill finished.
        var tokens: Int64 = 0
        for slot in state.activeSlots {
            tokens += 1
            emitToken(&state, slot: slot, stage: stage, admission: &admission, at: now)
        }
        for (slot, count) in state.prefillStep {
            state.prefilled[slot] += count
            if state.prefilled[slot] >= state.request[slot].inputTokens {
                tokens += 1
                emitToken(&state, slot: slot, stage: stage, admission: &admission, at: now)
            }
        }
        state.prefillStep.removeAll(keepingCapacity: true)
        state.tokens += tokens
        state.tokenLatency.add(duration, weight: tokens)
        state.iterations += 1
        state.elapsed = now
        if state.isWarmingUp && state.iterations == stages[stage].experiment.warmupIterations {
            state.startMeasuring(at: now)
        }
    }

    /// One generated token for `slot`'s request at `now`: its first (time to first token), or its last (the request
    /// leaves the batch, its KV room is freed and, in a serving run, its record kept).
    private func emitToken(
        _ state: inout RunState, slot: Int, stage: Int, admission: inout Admission, at now: Picoseconds
    ) {
        state.generated[slot] += 1
        if state.generated[slot] == 1 { state.firstTokenAt[slot] = now }
        guard state.generated[slot] >= state.request[slot].outputTokens else { return }
        state.isActive[slot] = false
        state.completedRequests += 1
        admission.release(slot, of: state, stage: stage)
        if stages[stage].experiment.serving.isServing && !state.isWarmingUp && state.joinedFresh[slot] {
            let request = state.request[slot]
            state.records.append(
                RequestRecord(
                    id: request.id, inputTokens: request.inputTokens, outputTokens: request.outputTokens,
                    arrival: request.arrival, admitted: state.admittedAt[slot], firstToken: state.firstTokenAt[slot],
                    finished: now))
        }
    }
}
