import Foundation
import Synchronization
public import TriadCore
public import TriadScheduling

/// `triad capacity`: the highest Poisson arrival rate at which a policy still meets a latency SLO on a topology,
/// model and workload (docs/MODEL.md §9.2).
///
/// For each seed, a bracket grown from 1 request/s (or from a finished seed's capacity), then a geometric bisection
/// until the bracket is within `precision`; the seed's capacity is the highest rate that met the criterion. A seed fixes the request
/// lengths and the arrival gaps before they are scaled by the rate (common random numbers), so the rates a seed
/// tries differ only in load. Capacity is the mean over seeds with its 95 % Student-t interval. Then, the
/// latency-versus-rate curve at fixed fractions of that capacity.
public struct CapacitySearch: Sendable {
    /// The run every probe starts from (topology, model, workload, batch, prefill, max sequence).
    public var experiment: Experiment
    public var policy: Policy
    public var criterion: CapacityCriterion
    public var seeds: [UInt64] = Array(1...10)
    /// Requests per probe (the run ends when they have all finished).
    public var requests = 1_000
    /// Relative width of the bracket at which a seed's bisection stops.
    public var precision = 0.01
    /// Runs simulated at once.
    public var jobs = 1

    /// The first requests of each probe, left out of its figures: they meet an empty system.
    public static let warmupShare = 0.1
    /// Rates a bracket may reach, requests per second.
    public static let rates = 1e-3...1e6
    /// Seeds the curve averages over (the first of the search's).
    public static let curveSeeds = 3
    /// The curve's rates, as fractions of the capacity found.
    public static let curveFractions = [0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5]

    public init(experiment: Experiment, policy: Policy, criterion: CapacityCriterion) {
        self.experiment = experiment
        self.policy = policy
        self.criterion = criterion
    }

    /// What the search found for one policy.
    public struct Outcome: Sendable {
        public var policy: String
        /// Each seed's capacity (0: not even the lowest rate met the criterion), requests per second.
        public var perSeed: [Double]
        public var capacity: SampleSummary
        /// Every probe the bisections ran, in seed order then the order tried.
        public var probes: [CapacityProbe]
        /// The curve: per fraction of the capacity, one probe per seed.
        public var curve: [(rate: Double, probes: [CapacityProbe])]
        /// Why no rate met the criterion, when none did (the lowest rate's figures).
        public var unreachable: String?
    }

    /// Runs the bisections and the curve; `progress` hears each finished seed.
    public func run(progress: @Sendable (String) -> Void = { _ in }) throws -> Outcome {
        // The first seed brackets from 1 request/s; the others start from its capacity (a bracket within ±10 % then
        // takes two or three runs instead of doubling up from 1 request/s) — the same starts however many run at once.
        @Sendable func search(_ seed: UInt64, from start: Double?) throws -> (capacity: Double, probes: [CapacityProbe]) {
            let found = try threshold(seed: seed, from: start)
            progress(
                "\(policy.name) seed \(seed): \(found.capacity > 0 ? JSON.format(found.capacity) + " req/s" : "none") after \(found.probes.count) runs"
            )
            return found
        }
        let lead = try search(seeds[0], from: nil)
        let start = lead.capacity > 0 ? lead.capacity : nil
        let results = try [lead] + parallel(Array(seeds.dropFirst())) { try search($0, from: start) }
        let perSeed = results.map(\.capacity)
        let capacity = SampleSummary(perSeed)
        var unreachable: String?
        if perSeed.contains(0), let lowest = results.first(where: { $0.capacity == 0 })?.probes.last {
            unreachable =
                "even at \(JSON.format(lowest.rate)) req/s the SLO is missed (TTFT p\(JSON.format(criterion.percentile)) \(JSON.format(lowest.ttftAtPercentile)) ms, TPOT \(JSON.format(lowest.tpotAtPercentile)) ms)"
        }
        var curve: [(rate: Double, probes: [CapacityProbe])] = []
        if capacity.mean > 0 {
            let curveSeeds = Array(seeds.prefix(Self.curveSeeds))
            let points = Self.curveFractions.flatMap { fraction in curveSeeds.map { (fraction * capacity.mean, $0) } }
            let probes = try parallel(points) { try probe(rate: $0.0, seed: $0.1) }
            for (index, fraction) in Self.curveFractions.enumerated() {
                curve.append(
                    (
                        fraction * capacity.mean,
                        Array(probes[(index * curveSeeds.count)..<((index + 1) * curveSeeds.count)])
                    ))
            }
        }
        return Outcome(
            policy: policy.name, perSeed: perSeed, capacity: capacity, probes: results.flatMap(\.probes), curve: curve,
            unreachable: unreachable)
    }

    /// One seed's capacity: the highest rate that met the criterion (0 if none down to the lowest rate). The bracket
    /// grows from `start` (1 request/s unless given) by a step that doubles: ×1.1, ×1.21, ×1.46, … (×2 from 1).
    func threshold(seed: UInt64, from start: Double? = nil) throws -> (capacity: Double, probes: [CapacityProbe]) {
        var probes: [CapacityProbe] = []
        func meets(_ rate: Double) throws -> Bool {
            let result = try probe(rate: rate, seed: seed)
            probes.append(result)
            return result.meets
        }
        var step = start == nil ? 2.0 : 1.1
        let first = min(max(start ?? 1, Self.rates.lowerBound), Self.rates.upperBound)
        var low: Double
        var high: Double
        if try meets(first) {
            low = first
            high = min(first * step, Self.rates.upperBound)
            while try meets(high) {
                low = high
                guard high < Self.rates.upperBound else { return (low, probes) }
                step *= step
                high = min(high * step, Self.rates.upperBound)
            }
        } else {
            high = first
            low = max(first / step, Self.rates.lowerBound)
            while !(try meets(low)) {
                high = low
                guard low > Self.rates.lowerBound else { return (0, probes) }
                step *= step
                low = max(low / step, Self.rates.lowerBound)
            }
        }
        while high / low > 1 + precision {
            let middle = (low * high).squareRoot()
            if try meets(middle) { low = middle } else { high = middle }
        }
        return (low, probes)
    }

    /// One run at `rate` with `seed`, judged by the criterion.
    func probe(rate: Double, seed: UInt64) throws -> CapacityProbe {
        var run = experiment
        run.seed = seed
        run.serving.arrivalRate = rate
        run.serving.requestLimit = requests
        run.serving.recordsRequests = true
        run.iterations = Experiment.Limits.iterations.upperBound
        run.warmupIterations = 0
        run.timelineIterations = 0
        let report = try run.run([policy]).reports[0]
        return CapacityProbe(
            rate: rate, seed: seed, records: report.requestRecords, requests: requests,
            simulatedSeconds: Double(report.simulatedPicoseconds) * 1e-12, criterion: criterion)
    }

    /// `work` over `items` on up to `jobs` threads, results in the items' order; the first error is thrown.
    private func parallel<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ work: @Sendable (Item) throws -> Result
    ) throws -> [Result] {
        let slots = Mutex((next: 0, results: [Result?](repeating: nil, count: items.count), error: (any Error)?.none))
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, items.count))) { _ in
            while true {
                let index: Int? = slots.withLock { state in
                    guard state.error == nil, state.next < items.count else { return nil }
                    state.next += 1
                    return state.next - 1
                }
                guard let index else { return }
                do {
                    let result = try work(items[index])
                    slots.withLock { $0.results[index] = result }
                } catch {
                    slots.withLock { if $0.error == nil { $0.error = error } }
                }
            }
        }
        return try slots.withLock { state in
            if let error = state.error { throw error }
            return state.results.map { $0! }
        }
    }
}
