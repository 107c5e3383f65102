import Testing
import TriadCore
import TriadDevices
import TriadScheduling

struct SimulatorTests {
    @Test func sameSeedGivesByteIdenticalReports() throws {
        let first = RunReport.json([try Fixtures.run(.neupims, seed: 5)])
        let second = RunReport.json([try Fixtures.run(.neupims, seed: 5)])
        #expect(first == second)
        let other = RunReport.json([try Fixtures.run(.neupims, seed: 6)])
        #expect(first != other)
    }

    @Test(arguments: [Policy.npuOnly, .npuPIM, .neupims])
    func throughputGrowsWithBatch(policy: Policy) throws {
        var previous = 0.0
        for batch in [16, 64, 256] {
            let report = try Fixtures.run(policy, batch: batch, stream: .fixed(input: 200, output: 400))
            #expect(report.tokensPerSecond > previous)
            previous = report.tokensPerSecond
        }
    }

    @Test(arguments: [Policy.npuOnly, .npuPIM, .neupims])
    func timePerTokenGrowsWithSequenceLength(policy: Policy) throws {
        var previous = 0.0
        for input in [64, 512, 1536] {
            let report = try Fixtures.run(policy, batch: 64, stream: .fixed(input: input, output: 300))
            #expect(report.interTokenLatencyMeanMilliseconds > previous)
            previous = report.interTokenLatencyMeanMilliseconds
        }
    }

    @Test func dualRowBuffersAreNeverSlowerThanBlocked() throws {
        for batch in [32, 128] {
            let blocked = try Fixtures.run(.npuPIM, batch: batch)
            let dual = try Fixtures.run(.npuPIMDualRowBuffers, batch: batch)
            #expect(dual.tokensPerSecond >= blocked.tokensPerSecond)
        }
    }

    @Test func continuousBatchingReplacesFinishedRequests() throws {
        let report = try Fixtures.run(.npuPIM, batch: 8, iterations: 30, stream: .fixed(input: 10, output: 10))
        #expect(report.tokens == 8 * 30)
        #expect(report.completedRequests >= 8 * 2)
    }

    @Test func traceRequestsWaitForTheirArrival() throws {
        let trace = RequestStream.trace(
            name: "t",
            requests: [
                Request(id: 0, inputTokens: 10, outputTokens: 3, arrival: 0),
                Request(id: 1, inputTokens: 10, outputTokens: 3, arrival: 1_000_000_000_000),
            ])
        let report = try Fixtures.run(.npuPIM, batch: 4, iterations: 100, stream: trace)
        #expect(report.tokens == 6)
        #expect(report.completedRequests == 2)
        #expect(report.simulatedPicoseconds > 1_000_000_000_000)
    }

    @Test func policiesRefuseHardwareTheyLack() throws {
        let devices = [DeviceDescription(id: "npu0", configuration: .npu(.neupims))]
        let set = try DeviceSet(devices: devices, links: [])
        #expect(throws: SimulationError.self) {
            _ = try Policy.neupims.plan(for: ModelPresets.named("gpt3-7b")!, on: set)
        }
        let (blockedSet, _) = try Fixtures.neupims(rowBuffers: .single)
        #expect(throws: SimulationError.self) {
            _ = try Policy.neupims.plan(for: ModelPresets.named("gpt3-7b")!, on: blockedSet)
        }
        // npu+pim drives a dual-buffer PIM in single-buffer mode.
        let (dualSet, _) = try Fixtures.neupims(rowBuffers: .dual)
        #expect(try Policy.npuPIM.plan(for: ModelPresets.named("gpt3-7b")!, on: dualSet).rowBuffers == .single)
    }

    @Test func kvCacheStaysWithinCapacity() throws {
        let report = try Fixtures.run(.neupims, batch: 512, iterations: 10, stream: .fixed(input: 1500, output: 500))
        #expect(report.kvOccupancyPeak <= 1.0)
        #expect(report.kvOccupancyPeak > 0.5)
    }

    /// A batch the KV capacity cannot hold is reported, not silently shrunk; one that fits reports 0.
    @Test func kvLimitedBatchesAreReported() throws {
        let limited = try Fixtures.run(.neupims, batch: 4096, iterations: 5, stream: .fixed(input: 1500, output: 500))
        #expect(limited.meanActiveRequests < 4096)
        #expect(limited.kvLimitedFraction == 1)
        let fits = try Fixtures.run(.neupims, batch: 16, iterations: 5, stream: .fixed(input: 100, output: 50))
        #expect(fits.kvLimitedFraction == 0)
        #expect(fits.cappedRequests == 0)
    }

    /// Requests longer than the sequence cap are counted when they are shortened.
    @Test func cappedRequestsAreCounted() throws {
        let stream = RequestStream.trace(
            name: "t",
            requests: [
                Request(id: 0, inputTokens: 100, outputTokens: 5000), Request(id: 1, inputTokens: 10, outputTokens: 5),
            ])
        let report = try Fixtures.run(.neupims, batch: 2, iterations: 3, stream: stream)
        #expect(report.cappedRequests == 1)
    }
}

/// Records how an iteration's requests reach the devices.
final class RecordingCostService: CostService, @unchecked Sendable {
    private(set) var calls: [(iteration: Int, devices: [String])] = []
    let local: LocalCostService

    init(_ local: LocalCostService) { self.local = local }

    func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        calls.append((requests.first?.iteration ?? -1, requests.map(\.deviceID)))
        return try local.costs(requests)
    }
}

struct WorkerRequestTests {
    /// At most one request per worker per decode iteration, whether or not costs are reused.
    @Test(arguments: [true, false])
    func atMostOneRequestPerWorkerPerIteration(reusesCosts: Bool) throws {
        let (devices, costs) = try Fixtures.neupims()
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: .sampled(Fixtures.uniformLengths),
            topologyName: "fixture")
        (experiment.batch, experiment.iterations, experiment.seed) = (64, 40, 3)
        experiment.reusesCosts = reusesCosts
        let broker = RecordingCostService(costs)
        var simulator = try Simulator(experiment, policy: .neupims, costs: broker)
        let report = try simulator.run()
        let iterations = broker.calls.map(\.iteration)
        #expect(Set(iterations).count == iterations.count)
        #expect(broker.calls.allSatisfy { Set($0.devices).count == $0.devices.count })
        if reusesCosts {
            #expect(broker.calls.count < 40)
        } else {
            #expect(broker.calls.count == 40)
        }
        // Reusing costs or not changes nothing in the report.
        var other = experiment
        other.reusesCosts = !reusesCosts
        var baseline = try Simulator(other, policy: .neupims, costs: costs)
        #expect(RunReport.json([try baseline.run()]) == RunReport.json([report]))
    }
}

struct WarmupTests {
    /// `--warmup`: the first iterations run but are neither measured nor traced.
    @Test func warmupIterationsAreNotMeasured() throws {
        let (devices, costs) = try Fixtures.neupims()
        let trace = RequestStream.trace(
            name: "t", requests: (0..<64).map { Request(id: $0, inputTokens: 100, outputTokens: 400) })
        func run(warmup: Int) throws -> (RunReport, [TimelineEvent]) {
            var experiment = Experiment(
                devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: trace, topologyName: "fixture")
            (experiment.batch, experiment.iterations, experiment.seed) = (32, 10, 1)
            experiment.warmupIterations = warmup
            experiment.timelineIterations = 1
            var simulator = try Simulator(experiment, policy: .neupims, costs: costs)
            let report = try simulator.run()
            return (report, simulator.timeline)
        }
        let (cold, coldTrace) = try run(warmup: 0)
        let (warm, warmTrace) = try run(warmup: 50)
        #expect(cold.iterations == 10 && warm.iterations == 10)
        #expect(warm.tokens == 10 * 32)
        // Later iterations carry longer KV caches, so a measured iteration after warm-up takes longer.
        #expect(warm.simulatedPicoseconds > cold.simulatedPicoseconds)
        // Only one measured iteration is traced, starting after the warm-up.
        #expect(Set(warmTrace.map(\.iteration)) == [0] && Set(coldTrace.map(\.iteration)) == [0])
        #expect(warmTrace.map(\.start).min()! > coldTrace.map(\.start).max()!)
    }
}

struct ExperimentTests {
    /// The library entry point runs each policy as its own simulation and keeps timelines only when asked.
    @Test func experimentRunsEachPolicyLikeTheSimulator() throws {
        let (devices, costs) = try Fixtures.neupims()
        var experiment = Experiment(
            devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: .sampled(Fixtures.uniformLengths),
            topologyName: "fixture")
        experiment.batch = 64
        experiment.iterations = 20
        let outcome = try experiment.run([.npuOnly, .neupims], costs: costs)
        #expect(outcome.reports.map(\.policy) == ["npu-only", "neupims"])
        #expect(outcome.timelines.allSatisfy { $0.events.isEmpty })
        let alone = try Fixtures.run(.neupims, batch: 64, iterations: 20)
        #expect(RunReport.json([outcome.reports[1]]) == RunReport.json([alone]))
        experiment.timelineIterations = 1
        #expect(try experiment.run([.neupims]).timelines[0].events.isEmpty == false)
    }
}
