import Testing
import TriadCore
import TriadDevices
@testable import TriadScheduling

/// Multi-turn sessions, their histories in the prefix cache and the session-affinity router, by hand
/// (docs/MODEL.md §9.9). Conversations of three turns of 128 new prompt tokens and 4 replies, the next turn sent the
/// moment the reply ends (no think time), one conversation every ~300 s (never two at once): turn 1's prompt is
/// 128 + 4 + 128 = 260 tokens, turn 2's 260 + 4 + 128 = 392. With the history cached, a later turn prefills only its
/// 128 new tokens over its whole context; without, its whole prompt.
struct SessionTests {
    static func run(caching: Bool, policy: Policy = .npuOnly, replicas: Int = 1, router: Router = .roundRobin)
        throws -> RunReport
    {
        var serving = ServingOptions()
        serving.prefill = .whole
        serving.arrivalRate = 0.01
        serving.recordsRequests = true
        serving.sessions = Sessions("3:0")
        serving.cachesPrefixes = caching
        var experiment = try ServingTests.experiment(
            workload: .fixed(input: 128, output: 4), batch: 1, iterations: 60, serving: serving)
        experiment.replicas = replicas
        experiment.router = router
        return try experiment.run([policy]).reports[0]
    }

    @Test func laterTurnsCarryTheHistoryAndFollowTheReply() throws {
        let report = try Self.run(caching: false)
        let records = report.requestRecords.sorted { $0.id < $1.id }
        #expect(records.count >= 6)
        #expect(Set(records.map(\.inputTokens)) == [128, 260, 392])
        for record in records where record.inputTokens > 128 {
            // The previous turn of the same conversation ended exactly when this one arrived.
            let previous = records.filter { $0.inputTokens == record.inputTokens - 132 && $0.finished == record.arrival }
            #expect(previous.count == 1, "turn of \(record.inputTokens) tokens at \(record.arrival) ps")
            #expect(record.timeToFirstToken == (try ServingTests.handPrefill(tokens: record.inputTokens)))
        }
        #expect(report.prefixCache == nil)
    }

    @Test(arguments: [Policy.npuOnly, .neupims])
    func cachedHistoriesSkipTheirPrefill(policy: Policy) throws {
        let report = try Self.run(caching: true, policy: policy)
        let records = report.requestRecords
        let later = records.filter { $0.inputTokens > 128 }
        #expect(!later.isEmpty)
        for record in later {
            #expect(record.timeToFirstToken == (try ServingTests.handPrefill(tokens: 128, context: record.inputTokens)))
        }
        let figure = try #require(report.prefixCache)
        #expect(figure.hits == later.count && figure.misses == 0, "\(figure)")
        #expect(figure.tokensSaved == Int64(later.map { $0.inputTokens - 128 }.reduce(0, +)))
    }

    /// Three replicas, one conversation at a time: round-robin sends turn k to replica (i + k) mod 3, never where the
    /// history is (no hit); the session router keeps every turn where the first went (every later turn hits).
    @Test func sessionAffinityKeepsTheHistoryAtHand() throws {
        let scattered = try #require(try Self.run(caching: true, replicas: 3, router: .roundRobin).prefixCache)
        let sticky = try Self.run(caching: true, replicas: 3, router: .sessionAffinity)
        let figure = try #require(sticky.prefixCache)
        #expect(scattered.hits == 0 && scattered.misses > 0, "\(scattered)")
        #expect(figure.misses == 0 && figure.hits == sticky.requestRecords.filter { $0.inputTokens > 128 }.count)
    }
}

/// On PIM a request sharing a cached prefix lies in the prefix's channels (each channel's units read only the KV they
/// hold), whatever the placement rule would otherwise pick; one that cannot share goes where the rule says.
struct PrefixChannelTests {
    @Test func aHitLiesBesideItsPrefix() throws {
        let (devices, _) = try Fixtures.neupims()
        var experiment = Experiment(devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: .fixed(input: 1, output: 1))
        experiment.maxSequence = 1_024
        experiment.serving.prefill = .whole
        experiment.serving.cachesPrefixes = true
        var admission = Admission(
            ledgers: [KVCacheLedger(rule: .roundRobin, channels: 4, capacityPerChannel: 1 << 30)],
            keyValueBytesPerToken: [1], loadEstimates: [Array(repeating: 0, count: 1_025)], spanOptions: [[1]],
            experiment: experiment, routed: true)
        func request(_ id: Int) -> Request {
            var request = Request(id: id, inputTokens: 150, outputTokens: 4)
            request.prefix = 0
            request.prefixTokens = 100
            return request
        }
        var states = [RunState(batchSize: 4)]
        admission.enqueue(request(0))
        admission.enqueue(request(1))
        admission.fill(&states, now: 0, stagger: false)
        // The first computes the prefix (channel 0, the prefix beside it); the second finds it not yet computed and
        // goes where round-robin says (channel 1).
        #expect(states[0].channel[0] == 0 && states[0].channel[1] == 1)
        #expect(states[0].prefixMisses == 2 && states[0].prefixHits == 0)
        #expect(states[0].reservedBytes[0] == 54 && states[0].reservedBytes[1] == 154)
        states[0].prefilled[0] = 150
        admission.enqueue(request(2))
        admission.fill(&states, now: 0, stagger: false)
        // Round-robin would pick channel 2; the hit goes to channel 0 and holds only its own 54 bytes.
        #expect(states[0].channel[2] == 0 && states[0].reservedBytes[2] == 54)
        #expect(states[0].prefixHits == 1)
        #expect(admission.occupancy(stage: 0)! * Double(4 << 30) == Double(54 + 100 + 154 + 54))
    }
}
