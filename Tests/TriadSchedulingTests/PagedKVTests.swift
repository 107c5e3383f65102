import Testing
import TriadCore
import TriadDevices
@testable import TriadScheduling

/// Paged KV with recompute preemption on a hand-built case (docs/MODEL.md §9.5). NPU attention pools the KV over the
/// stack; the memory is sized to hold the weights and 3.5 blocks of B = 4,096 tokens. Two requests arrive together
/// with prompts of B − 1 tokens: each is admitted with one block (prompt + its first token). Iteration 1 prefills
/// both (first tokens). In iteration 2 each needs a second block: the older (0) takes the third block of the pool;
/// the younger (1) finds 0.5 block free, is the last-arrived running request and is preempted — B − 1 + 1 = B tokens
/// to recompute. It cannot come back (two blocks and the 1 % watermark do not fit in 1.5) until request 0 finishes:
/// request 0's B tokens end with iteration B (its KV then 2B − 1 tokens, two blocks). In iteration B + 1 request 1
/// prefills its B tokens again (its second token), then decodes its other B − 2 in B + 2 … 2B − 1 (never more than
/// two blocks): 2B − 1 iterations in all.
struct PagedKVTests {
    static let block = 4_096

    static func experiment() throws -> Experiment {
        let requests = [
            Request(id: 0, inputTokens: block - 1, outputTokens: block, arrival: 0),
            Request(id: 1, inputTokens: block - 1, outputTokens: block, arrival: 0),
        ]
        var experiment = Experiment(
            devices: try Fixtures.npuWithMemory(channelBytes: 1 << 40), model: ModelPresets.named("gpt3-7b")!,
            workload: .trace(name: "two", requests: requests))
        experiment.batch = 2
        experiment.maxSequence = 2 * block
        experiment.iterations = 100_000
        experiment.serving.prefill = .whole
        experiment.serving.kvBlockTokens = block
        experiment.serving.recordsRequests = true
        // Room for 3.5 blocks.
        return try Fixtures.withKVRoom(experiment, tokens: Int64(block) * 7 / 2)
    }

    @Test func theYoungerRequestIsPreemptedOnceAndRecomputed() throws {
        let report = try Self.experiment().run([.npuOnly]).reports[0]
        let records = report.requestRecords.sorted { $0.id < $1.id }
        #expect(records.count == 2)
        #expect(report.kvPaging?.preemptions == 1)
        #expect(report.kvPaging?.recomputedTokens == Int64(Self.block))
        #expect(report.iterations == 2 * Self.block - 1)
        // Both first tokens at the end of iteration 1; request 1 keeps its own and finishes after request 0.
        #expect(records[0].firstToken == records[1].firstToken)
        #expect(records[1].finished > records[0].finished)
        #expect(records[1].admitted == 0)
    }

    @Test func withoutPagingBothReserveTheirFullLengthAndOneWaits() throws {
        var experiment = try Self.experiment()
        experiment.serving.kvBlockTokens = nil
        let report = try experiment.run([.npuOnly]).reports[0]
        let records = report.requestRecords.sorted { $0.id < $1.id }
        // Two requests of 2B − 1 tokens cannot both be held in 3.5 blocks: request 1 waits for request 0 (admitted at
        // its finish), and nothing is preempted.
        #expect(report.kvPaging == nil)
        #expect(records.count == 2 && records[1].admitted == records[0].finished)
    }

    /// The same case with swap preemption over a 64 GB/s host link: request 1's KV cache (its 4,096 tokens) goes out
    /// before iteration 2 and comes back in iteration B + 1, where it decodes its second token without a prefill;
    /// nothing is recomputed, 2 × 4,096 tokens' KV bytes cross the link, and the run takes the same 2B − 1 iterations.
    @Test func swapMovesTheKVCacheOutAndBack() throws {
        var experiment = try Self.experiment()
        experiment.serving.swapBytesPerSecond = 64_000_000_000
        let report = try experiment.run([.npuOnly]).reports[0]
        let bytesPerToken = try Simulator(experiment, policy: .npuOnly).keyValueBytesPerToken
        let paging = try #require(report.kvPaging)
        #expect(paging.preemptions == 1 && paging.recomputedTokens == 0)
        #expect(paging.swappedBytes == 2 * Int64(Self.block) * bytesPerToken)
        #expect(abs(paging.swapMilliseconds - Double(paging.swappedBytes) / 64e9 * 1e3) < 1e-6)
        #expect(report.iterations == 2 * Self.block - 1)
    }
}
