import TriadCore

/// The `auto` policy's scheduler (docs/MODEL.md §11): every named plan that can run the model on the devices is a
/// candidate simulator sharing the run's batch. Every `spacing` iterations — 16 after a switch, doubling after each
/// review that keeps the plan, up to 1,024 — it reviews: when the batch has changed since the last look (its size or
/// mean context by an eighth) every candidate composes the current batch's next iteration from the same cost
/// service, otherwise only the contenders (within `contenderMargin` of the last best); the run moves to the best if
/// it beats the plan in use by more than `threshold` (hysteresis: no flapping between near-equal plans). It sees only
/// the batch in hand, never requests to come.
struct AutoPlanner {
    /// The candidates, in the presets' order; `current` runs the iterations.
    private(set) var candidates: [Simulator]
    private(set) var current: Int
    /// Iterations each candidate ran, plan switches after the first choice, and times the candidates were composed.
    private(set) var iterations: [Int]
    private(set) var switches = 0
    private(set) var reviews = 0
    private(set) var switchLog: [AutoPlanSummary.Switch] = []
    /// The gain a switch must promise, as a fraction of the plan in use's iteration time (not at the first
    /// review, which picks the fastest outright).
    let threshold = 0.005
    private var lastReview: (iteration: Int, active: Int, context: Int)?
    /// The least iterations between two reviews: 16 after a switch, doubling after each review that keeps the plan
    /// up to 1,024.
    static let initialSpacing = 16
    static let maximumSpacing = 1024
    /// A review the batch did not prompt (only time passed) composes only the candidates that came within this
    /// fraction of the best at the last review; one the batch prompted composes them all.
    static let contenderMargin = 0.1
    /// The plan the first review chose, handed over at the first `prepare` (`init`'s `firstReview`).
    private var pending: Int?
    /// The candidates' scores at the last review (nil: not composed then).
    private var lastScores: [(misses: Int, value: Double)?]
    private var spacing = initialSpacing

    /// What a review optimizes, and the TPOT bound (picoseconds) it keeps when it can.
    let objective: PlanObjective
    let bound: Picoseconds?

    /// The candidates' plan names (a running candidate's slot holds a spent value).
    let names: [String]

    /// With `firstReview` (the scores every candidate got on the batch the run starts from, composed while choosing
    /// the KV layout), that is the first review: the best of them runs from the start, and nothing is composed twice.
    init(
        candidates: [Simulator], lead: Int, objective: PlanObjective = .throughput, bound: Picoseconds? = nil,
        firstReview: (batch: RunState, scores: [(misses: Int, value: Double)])? = nil
    ) {
        precondition(!candidates.isEmpty)
        names = candidates.map(\.policy.name)
        lastScores = Array(repeating: nil, count: candidates.count)
        self.objective = objective
        self.bound = bound
        self.candidates = candidates
        current = lead
        iterations = Array(repeating: 0, count: candidates.count)
        if let firstReview, firstReview.scores.count == candidates.count {
            var active = 0
            var context = 0
            for slot in firstReview.batch.isActive.indices where firstReview.batch.isActive[slot] {
                active += 1
                context += firstReview.batch.request[slot].inputTokens + firstReview.batch.generated[slot]
            }
            if active > 0 {
                var best = 0
                for index in firstReview.scores.indices where firstReview.scores[index] < firstReview.scores[best] {
                    best = index
                }
                // The lead (whose KV layout the run keeps) starts the run; the first `prepare` hands over to the best.
                pending = best
                lastScores = firstReview.scores.map { Optional($0) }
                lastReview = (0, active, context / active)
                reviews = 1
            }
        }
    }

    /// Before iteration `iteration` of `state`: reviews the plans if due and puts the chosen one in `running`
    /// (handing the one that ran back to the candidates, its learnt costs kept). Returns whether it switched.
    /// The simulators move between `running` and the candidates by swapping, never copying, so the running one's
    /// arrays stay uniquely owned (a copy would make its next iteration copy them all); while one runs, its slot
    /// among the candidates holds a spent value.
    mutating func prepare(_ running: inout Simulator, state: RunState, iteration: Int) throws -> Bool {
        if let target = pending {
            pending = nil
            guard target != current else {
                iterations[current] += 1
                return false
            }
            swap(&running, &candidates[current])
            current = target
            swap(&running, &candidates[current])
            iterations[current] += 1
            return true
        }
        iterations[current] += 1
        if let last = lastReview, iteration - last.iteration < spacing { return false }
        var active = 0
        var context = 0
        for slot in state.isActive.indices where state.isActive[slot] {
            active += 1
            context += state.request[slot].inputTokens + state.generated[slot]
        }
        guard active > 0 else { return false }
        let mean = context / active
        let first = lastReview == nil
        var prompted = true
        if let last = lastReview {
            func moved(_ now: Int, _ then: Int) -> Bool { abs(now - then) * 8 > max(then, 1) }
            let since = iteration - last.iteration
            prompted = moved(active, last.active) || moved(mean, last.context) || since >= 4 * Self.maximumSpacing
        }
        // The best score at the last review, for a review only time prompted.
        var lastBest: (misses: Int, value: Double)?
        for score in lastScores { if let score, lastBest == nil || score < lastBest! { lastBest = score } }
        swap(&running, &candidates[current])
        iterations[current] -= 1
        defer {
            swap(&running, &candidates[current])
            iterations[current] += 1
        }
        lastReview = (iteration, active, mean)
        reviews += 1
        var scores: [(misses: Int, value: Double)] = []
        for index in candidates.indices {
            if !prompted, index != current, let lastBest {
                guard let last = lastScores[index], last.misses == lastBest.misses,
                    last.value <= lastBest.value * (1 + Self.contenderMargin)
                else {
                    scores.append((misses: Int.max, value: .infinity))
                    lastScores[index] = nil
                    continue
                }
            }
            // A candidate that costs attention as the running plan or an earlier candidate does takes their
            // (identical) costs instead of asking again: the running plan knows every length it has decoded.
            if index != current, candidates[current].sharesAttentionCosts(with: candidates[index]) {
                candidates[index].adoptAttentionCosts(from: candidates[current])
            } else if let earlier = candidates.indices.prefix(index).first(where: {
                scores[$0].misses != Int.max && candidates[$0].sharesAttentionCosts(with: candidates[index])
            }) {
                candidates[index].adoptAttentionCosts(from: candidates[earlier])
            }
            scores.append(try candidates[index].predictIteration(state, iteration: iteration).score(objective, bound: bound))
            lastScores[index] = scores[index]
        }
        var best = current
        for index in scores.indices where scores[index] < scores[best] { best = index }
        // The first choice is free; later ones must promise more than the threshold (or meet a bound the plan in use
        // misses). A review that changes nothing doubles the least spacing to the next one (up to 1,024 iterations);
        // a switch resets it.
        let gains =
            scores[best].misses < scores[current].misses || scores[best].value < scores[current].value * (1 - threshold)
        guard best != current, first || gains else {
            spacing = min(spacing * 2, Self.maximumSpacing)
            return false
        }
        spacing = Self.initialSpacing
        if !first {
            switches += 1
            if switchLog.count < AutoPlanSummary.switchLogLimit {
                let left = scores[current].value
                switchLog.append(
                    AutoPlanSummary.Switch(
                        iteration: iteration, from: names[current], to: names[best],
                        predictedGain: left > 0 ? 1 - scores[best].value / left : 0))
            }
        }
        current = best
        return true
    }

    /// The plan in use's name.
    var currentName: String { names[current] }

    /// What ran: each plan's share of the iterations (those that ran, in the presets' order), the switches and the
    /// reviews.
    func summary() -> AutoPlanSummary {
        let total = max(1, iterations.reduce(0, +))
        return AutoPlanSummary(
            plans: candidates.indices.filter { iterations[$0] > 0 }.map {
                AutoPlanSummary.Share(name: names[$0], share: Double(iterations[$0]) / Double(total))
            },
            switches: switches, reviews: reviews, candidates: names,
            objective: objective.rawValue
                + (bound.map { " within TPOT " + TextTable.fixed(Double($0) / 1e9, 3) + " ms" } ?? ""),
            switchLog: switchLog)
    }
}
