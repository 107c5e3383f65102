import Testing
import TriadCore
import TriadDatasets

struct DatasetTests {
    /// data/README.md: ShareGPT input mean 80.3, output 295.0 over 391,726 pairs; Alpaca 12.1 / 55.8 over 52,002.
    @Test(arguments: [("sharegpt", 391_726, 80.3, 295.0), ("alpaca", 52_002, 12.1, 55.8)])
    func bundledDataSetsKeepTheirDistribution(name: String, count: Int64, input: Double, output: Double) throws {
        let distribution = try #require(try BundledDatasets.distribution(named: name))
        #expect(distribution.totalCount == count)
        #expect(abs(distribution.means.input - input) < 0.05)
        #expect(abs(distribution.means.output - output) < 0.05)
    }

    @Test func sampledMeansApproachTheDataSet() throws {
        let distribution = try #require(try BundledDatasets.distribution(named: "sharegpt"))
        var generator = SplitMix64(seed: 99)
        var sum = 0
        for _ in 0..<100_000 { sum += distribution.sample(using: &generator).output }
        #expect(abs(Double(sum) / 100_000 - 295.0) < 5)
    }

    @Test func vidurCSVTraceIsReadInArrivalOrder() throws {
        let csv = """
            request_id,arrived_at,num_prefill_tokens,num_decode_tokens
            0,0.5,100,20
            1,0.25,50,10\r
            """
        let requests = try TraceReader.parse(csv, file: "t.csv")
        #expect(requests.map(\.inputTokens) == [50, 100])
        #expect(requests.map(\.arrival) == [250_000_000_000, 500_000_000_000])
        #expect(requests.map(\.id) == [0, 1])
    }

    @Test func llmServingSimJSONLinesTraceIsRead() throws {
        let jsonl = """
            {"input_toks": 12, "output_toks": 7, "arrival_time_ns": 1000}
            {"input_toks": 3, "output_toks": 4, "arrival_time_ns": 0}
            """
        let requests = try TraceReader.parse(jsonl, file: "t.jsonl")
        #expect(requests.map(\.outputTokens) == [4, 7])
        #expect(requests[1].arrival == 1_000_000)
    }

    @Test(arguments: [
        "arrived_at,num_prefill_tokens\n0,1", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,-1,3",
        "{\"input_toks\": 1}", "",
    ])
    func malformedTracesAreRejectedWithTheirLine(text: String) {
        #expect(throws: DatasetError.self) { _ = try TraceReader.parse(text, file: "bad") }
    }
}
