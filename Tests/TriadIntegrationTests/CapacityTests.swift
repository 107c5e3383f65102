import Foundation
import Testing
import TriadCore
import TriadDevices
import TriadScheduling
import TriadStudy
import TriadTestSupport

/// `triad capacity` against queueing theory: one slot, one fixed request, Poisson arrivals — an M/D/1 queue whose
/// service time D is the request's whole run and whose time to first token is the wait W plus the prefill P.
/// Erlang's M/D/1 waiting-time distribution (1909; e.g. Gross & Harris, Fundamentals of Queueing Theory, §5.1.6),
/// P(W ≤ t) = (1 − ρ) Σ_{k=0}^{⌊t/D⌋} (λ(kD − t))^k / k! · e^{−λ(kD − t)}, gives the highest rate at which the p90 TTFT
/// meets a limit; without a binding limit, the capacity is the service rate 1/D (ρ < 1), found by the overload check.
/// Integration tier: a few hundred thousand simulated iterations in a debug build.
@Suite(.integrationTier, .tags(.integration))
struct CapacityTests {
    static func experiment() throws -> Experiment {
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
        ]
        let set = try DeviceSet(devices: devices, links: [("npu0", "pim0")])
        var experiment = Experiment(
            devices: set, model: ModelPresets.named("gpt3-7b")!, workload: .fixed(input: 64, output: 4))
        experiment.batch = 1
        experiment.serving.prefill = .whole
        return experiment
    }

    /// The request's service time D and prefill P (its first token), seconds, from a run without a queue.
    static func serviceAndPrefill() throws -> (service: Double, prefill: Double) {
        var alone = try experiment()
        alone.serving.arrivalRate = 1e-3
        alone.serving.recordsRequests = true
        alone.iterations = 10
        let record = try alone.run([.npuOnly]).reports[0].requestRecords[0]
        return (Double(record.finished - record.admitted) * 1e-12, Double(record.timeToFirstToken) * 1e-12)
    }

    /// Erlang's P(W ≤ t) for M/D/1.
    static func waitCDF(rate: Double, service: Double, t: Double) -> Double {
        var sum = 0.0
        for k in 0...Int((t / service).rounded(.down)) {
            let x = rate * (Double(k) * service - t)
            sum += Foundation.pow(x, Double(k)) / Double((1...max(k, 1)).reduce(1, *)) * Foundation.exp(-x)
        }
        return (1 - rate * service) * sum
    }

    /// The highest rate whose p-quantile wait is at most `t` (bisection; the CDF falls as the rate grows).
    static func rate(quantile: Double, wait t: Double, service: Double) -> Double {
        var (low, high) = (1e-3, 1 / service * (1 - 1e-9))
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if waitCDF(rate: middle, service: service, t: t) >= quantile { low = middle } else { high = middle }
        }
        return low
    }

    func capacity(ttftMilliseconds: Double, percentile: Double) throws -> SampleSummary {
        var criterion = CapacityCriterion(ttftLimitMilliseconds: ttftMilliseconds, tpotLimitMilliseconds: nil)
        criterion.percentile = percentile
        var search = CapacitySearch(experiment: try Self.experiment(), policy: .npuOnly, criterion: criterion)
        search.jobs = 2
        return try search.run().capacity
    }

    @Test(arguments: [30.0, 50.0])
    func p90TimeToFirstTokenMatchesErlang(limit: Double) throws {
        let (service, prefill) = try Self.serviceAndPrefill()
        let theory = Self.rate(quantile: 0.9, wait: limit / 1000 - prefill, service: service)
        let found = try capacity(ttftMilliseconds: limit, percentile: 90)
        #expect(abs(found.mean / theory - 1) < 0.05, "capacity \(found.mean) req/s, M/D/1 \(theory) req/s")
    }

    @Test func withoutABindingLimitCapacityIsTheServiceRate() throws {
        let (service, _) = try Self.serviceAndPrefill()
        let found = try capacity(ttftMilliseconds: 1e6, percentile: 99)
        #expect(abs(found.mean * service - 1) < 0.05, "capacity \(found.mean) req/s, 1/D \(1 / service) req/s")
    }
}
