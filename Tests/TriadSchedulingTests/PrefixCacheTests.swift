import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// The prefix cache's LRU eviction by hand (docs/MODEL.md §9.8). NPU attention pools the KV; the memory holds the
/// weights, two prefixes of 4,096 tokens and one request's own 260 tokens (with 100 to spare). Five requests, one
/// at a time, start with prefixes A, B, A, C, B: A and B are computed and kept (misses), A is found (a hit), C needs
/// room — B is the least recently used prefix no request holds, so B goes — and B, back again, is computed while
/// A (used before C) goes. Hits 1, misses 4, evictions 2, and 4,096 prompt tokens never prefilled again.
struct PrefixCacheTests {
    @Test func leastRecentlyUsedPrefixesGo() throws {
        let prefix = 4_096
        let order = [0, 1, 0, 2, 1]
        let requests = order.enumerated().map { index, id in
            var request = Request(
                id: index, inputTokens: prefix + 256, outputTokens: 4, arrival: Picoseconds(index) * 1_000_000_000_000)
            request.prefix = id
            request.prefixTokens = prefix
            return request
        }
        var experiment = Experiment(
            devices: try Fixtures.npuWithMemory(channelBytes: 1 << 40), model: ModelPresets.named("gpt3-7b")!,
            workload: .trace(name: "prefixes", requests: requests))
        experiment.batch = 1
        experiment.maxSequence = 8_192
        experiment.iterations = 1_000
        experiment.serving.prefill = .whole
        experiment.serving.sharedPrefix = SharedPrefix("\(prefix):3")
        experiment.serving.cachesPrefixes = true
        experiment.serving.recordsRequests = true
        experiment = try Fixtures.withKVRoom(experiment, tokens: Int64(2 * prefix + 260 + 100))
        let report = try experiment.run([.npuOnly]).reports[0]
        let figure = try #require(report.prefixCache)
        #expect(report.requestRecords.count == 5)
        #expect(figure.hits == 1 && figure.misses == 4 && figure.evictions == 2, "\(figure)")
        #expect(figure.tokensSaved == Int64(prefix))
    }
}
