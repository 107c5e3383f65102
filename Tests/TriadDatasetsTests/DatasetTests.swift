import Testing
import TriadCore
import TriadDatasets

struct DatasetTests {
    /// The bundled length tables (their headers and BundledDatasets give the provenance): ShareGPT input mean 80.3, output 295.0 over 391,726 pairs; Alpaca 12.1 / 55.8 over 52,002.
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

    /// ShareGPT in steady state: iteration 0's mean context (prompt + generated + this token, capped at 2048)
    /// equals a long closed-loop run's within 2 % and renewal theory's E[o·i + o(o+1)/2] / E[o] = 289.5 tokens
    /// (the NeuPIMs simulator's recorded batches average 300–308), where a uniformly drawn request at a uniform
    /// position would give ≈ 219.
    @Test func shareGPTStartsInSteadyState() throws {
        let stream = RequestStream.sampled(try #require(try BundledDatasets.distribution(named: "sharegpt")))
        var generator = RequestGenerator(stream: stream, maxSequence: 2048, generator: SplitMix64(seed: 4))
        var first = 0.0
        for _ in 0..<100_000 {
            let (request, generated) = generator.nextInFlight()!
            first += Double(request.inputTokens + generated + 1)
        }
        first /= 100_000
        var replay = RequestGenerator(stream: stream, maxSequence: 2048, generator: SplitMix64(seed: 5))
        var slots = (0..<256).map { _ in (replay.next()!, 0) }
        var sum = 0.0
        var count = 0.0
        for iteration in 0..<40_000 {
            for index in slots.indices {
                if iteration >= 10_000 {
                    sum += Double(slots[index].0.inputTokens + slots[index].1 + 1)
                    count += 1
                }
                slots[index].1 += 1
                if slots[index].1 >= slots[index].0.outputTokens { slots[index] = (replay.next()!, 0) }
            }
        }
        let long = sum / count
        #expect(abs(first / long - 1) < 0.02, "iteration 0: \(first), long run: \(long)")
        #expect(abs(first / 289.5 - 1) < 0.01, "\(first)")
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

    /// DynaNDE-Simulator's routing traces: a token's experts are those with a score above zero; malformed rows name
    /// their line.
    @Test func routingTracesGiveEachTokensExperts() throws {
        let csv = """
            layer_id,token_id,expert_0,expert_1,expert_2,expert_3
            0,1,0.0,0.7,0.0,0.2
            0,0,0.9,0.0,0.8,0.0
            1,0,0.0,0.0,0.0,1.0
            """
        let trace = try RoutingTraceReader.parse(csv, file: "r.csv")
        #expect(trace.experts == 4 && trace.layers.count == 2)
        #expect(trace.experts(layer: 0, token: 0) == [0, 2] && trace.experts(layer: 0, token: 3) == [1, 3])
        #expect(trace.experts(layer: 3, token: 5) == [3])
        for (bad, line) in [
            ("layer_id,token_id,expert_0,expert_1\n0,0,0,0\n", "r:2:"), ("layer_id,token_id,expert_0,expert_1\n0,0,nan,1\n", "r:2:"),
            ("layer_id,token_id,expert_1,expert_0\n", "r:1:"), ("layer_id,token_id,expert_0,expert_1\n0,1,1,0\n", "r:"),
        ] {
            do {
                _ = try RoutingTraceReader.parse(bad, file: "r")
                Issue.record("accepted \(bad)")
            } catch let error as DatasetError {
                #expect(error.message.hasPrefix(line), "\(error.message)")
            }
        }
    }

    /// A session's requests in arrival order are its turns; a turn whose prompt holds the previous prompt and reply
    /// starts with that history (its prefix), one that does not (a new context) has none.
    @Test func sessionsInATraceBecomeTurnsWithTheirHistory() throws {
        let csv = """
            arrived_at,num_prefill_tokens,num_decode_tokens,session_id
            0,100,20,chat-a
            1,30,5,chat-b
            5,150,10,chat-a
            9,40,5,chat-a
            """
        let requests = try TraceReader.parse(csv, file: "t.csv")
        #expect(requests.map(\.session) == [0, 1, 0, 0])
        #expect(requests.map(\.turn) == [0, 0, 1, 2])
        #expect(requests.map(\.prefixTokens) == [0, 0, 120, 0])
        #expect(requests[2].prefix == Request.sessionPrefix(of: 0) && requests[3].prefix == -1)
        let jsonl = """
            {"input_toks": 10, "output_toks": 2, "arrival_time_ns": 0, "session_id": 7}
            {"input_toks": 20, "output_toks": 2, "arrival_time_ns": 5, "session_id": 7}
            """
        let turns = try TraceReader.parse(jsonl, file: "t.jsonl")
        #expect(turns.map(\.prefixTokens) == [0, 12] && turns.map(\.session) == [0, 0])
        #expect(throws: DatasetError.self) {
            _ = try TraceReader.parse("arrived_at,num_prefill_tokens,num_decode_tokens,session_id\n0,1,1,\n", file: "t")
        }
    }

    @Test(arguments: [
        "arrived_at,num_prefill_tokens\n0,1", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,-1,3",
        "{\"input_toks\": 1}", "",
    ])
    func malformedTracesAreRejectedWithTheirLine(text: String) {
        #expect(throws: DatasetError.self) { _ = try TraceReader.parse(text, file: "bad") }
    }

    @Test(arguments: [
        "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n0,10,0\n",
        "{\"input_toks\": 3, \"output_toks\": 0, \"arrival_time_ns\": 0}\n",
    ])
    func requestsWithNoOutputAreRefusedWithTheirLine(text: String) {
        do {
            _ = try TraceReader.parse(text, file: "t")
            Issue.record("a 0-output request was accepted")
        } catch let error as DatasetError {
            #expect(error.message.contains("0 output tokens"))
            #expect(error.message.hasPrefix(text.hasPrefix("{") ? "t:1:" : "t:3:"), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: ["inf", "nan", "-1", "1e300"])
    func traceArrivalsOutOfRangeAreRefused(arrival: String) {
        let csv = "arrived_at,num_prefill_tokens,num_decode_tokens\n\(arrival),10,10\n"
        #expect(throws: DatasetError.self) { _ = try TraceReader.parse(csv, file: "t.csv") }
    }
}
