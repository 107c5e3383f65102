import Foundation
import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Serving runs: time to first token against the prefill's hand-summed cost, the prefill schedulers, replicas against
/// M/D/c, disaggregated prefill, speculation, the prefix cache and the per-request records (queueing against M/D/1
/// and capacity against Erlang: the integration tier's `QueueingTests` and `CapacityTests`).
struct ServingTests {
    static func experiment(workload: RequestStream, batch: Int, iterations: Int, serving: ServingOptions) throws
        -> Experiment
    {
        let (devices, _) = try Fixtures.neupims()
        var experiment = Experiment(devices: devices, model: ModelPresets.named("gpt3-7b")!, workload: workload)
        experiment.batch = batch
        experiment.iterations = iterations
        experiment.serving = serving
        return experiment
    }

    /// The prefill of a 128-token prompt, summed by hand: every layer's GEMMs and vector operations with 128 rows,
    /// attention as Q·Kᵀ over every head (128 × 128 × 32 heads), softmax and P·V, all on the NPU, 32 layers, and the
    /// LM head for one token.
    static func handPrefill(tokens: Int, context: Int? = nil) throws -> Picoseconds {
        let context = context ?? tokens
        let (devices, costs) = try Fixtures.neupims()
        let model = ModelPresets.named("gpt3-7b")!
        let shard = ModelShard(model)
        let template = LayerTemplate(shard: shard, rows: tokens)
        let layer =
            template.beforeAttention + [
                Operation(
                    kind: .qkvProjection, rows: tokens, inner: model.headDimension, columns: context * shard.heads),
                Operation(kind: .softmax, rows: tokens * shard.heads, inner: context),
                Operation(
                    kind: .outputProjection, rows: tokens, inner: context, columns: shard.heads * model.headDimension),
            ] + template.afterAttention
        let head = LayerTemplate.head(shard: shard, rows: 1)
        let npu = devices.npu!.id
        let answers = try costs.costs([CostRequest(deviceID: npu, iteration: 0, operations: layer + head)])[0]
        let perLayer = answers.prefix(layer.count).reduce(Picoseconds(0)) { $0 + $1.duration }
        return perLayer * Picoseconds(shard.layers) + answers.suffix(head.count).reduce(0) { $0 + $1.duration }
    }

    @Test func timeToFirstTokenIsThePrefillWithoutAQueue() throws {
        var serving = ServingOptions()
        serving.prefill = .whole
        serving.arrivalRate = 0.01  // one request per 100 s: never a queue
        serving.recordsRequests = true
        let report = try Self.experiment(
            workload: .fixed(input: 128, output: 4), batch: 1, iterations: 40, serving: serving
        ).run([.npuOnly]).reports[0]
        let expected = try Self.handPrefill(tokens: 128)
        #expect(report.requestRecords.count == 10)
        for record in report.requestRecords {
            #expect(record.queueing == 0)
            #expect(record.timeToFirstToken == expected, "TTFT \(record.timeToFirstToken) ps, prefill \(expected) ps")
        }
        #expect(abs(report.serving!.timeToFirstToken.p50 - Double(expected) * 1e-9) < 1e-6)
    }

    /// Chunked prefill spreads a prompt over iterations: its first token comes later than with a whole prefill,
    /// after ⌈128 / 32⌉ = 4 prefill iterations, and every request still produces all its tokens.
    @Test func chunkedPrefillTakesSeveralIterations() throws {
        var whole = ServingOptions()
        whole.prefill = .whole
        whole.recordsRequests = true
        var chunked = whole
        chunked.prefill = .chunked(32)
        let run = { (serving: ServingOptions) in
            try Self.experiment(workload: .fixed(input: 128, output: 8), batch: 4, iterations: 200, serving: serving)
                .run([.npuOnly]).reports[0]
        }
        let a = try run(whole)
        let b = try run(chunked)
        #expect(b.serving!.timeToFirstToken.mean > a.serving!.timeToFirstToken.mean)
        for report in [a, b] {
            #expect(report.requestRecords.allSatisfy { $0.firstToken > $0.admitted && $0.finished > $0.firstToken })
            #expect(report.tokens >= Int64(report.requestRecords.count * 8))
        }
        // Decode-only runs report no serving block; serving runs do.
        let decode = try Self.experiment(
            workload: .fixed(input: 128, output: 8), batch: 4, iterations: 50, serving: ServingOptions()
        ).run([.npuOnly]).reports[0]
        #expect(decode.serving == nil && a.serving != nil)
    }

    /// A mixed batch whose budget holds the whole prompt prefills it in one iteration through the iteration's own
    /// composition: alone (no decode to join), its time to first token is the hand-summed prefill exactly.
    @Test func mixedBatchAloneIsTheHandSummedPrefill() throws {
        var serving = ServingOptions()
        serving.prefill = .mixed(512)
        serving.arrivalRate = 0.01
        serving.recordsRequests = true
        let report = try Self.experiment(
            workload: .fixed(input: 128, output: 4), batch: 1, iterations: 40, serving: serving
        ).run([.npuOnly]).reports[0]
        let expected = try Self.handPrefill(tokens: 128)
        #expect(report.requestRecords.count == 10)
        for record in report.requestRecords {
            #expect(record.timeToFirstToken == expected, "TTFT \(record.timeToFirstToken) ps, prefill \(expected) ps")
        }
    }

    /// Sarathi-Serve's rule against vLLM's, on two requests where the second arrives during the first's prefill.
    /// `mixed:32`: request 0 prefills in iterations 1–2 (32 + 32 tokens), then decodes in every iteration 3–41
    /// (its 39 tokens after the first) while request 1's 128-token prompt takes the other 31 tokens of each budget,
    /// ⌈128 / 31⌉ = 5 iterations: 41 iterations, no pause. `prefill-first:4096`: request 0's prompt in iteration 1,
    /// request 1's whole prompt alone in iteration 2 (request 0's decode waits), then both decode: request 1's first
    /// token comes exactly one 128-token prefill after request 0's, and request 0's one 64-token prefill after its
    /// arrival.
    @Test func decodeFirstNeverPausesDecodesAndPrefillFirstDoes() throws {
        func run(_ prefill: ServingOptions.Prefill) throws -> (iterations: Int, records: [RequestRecord]) {
            var serving = ServingOptions()
            serving.prefill = prefill
            serving.recordsRequests = true
            let requests = [
                Request(id: 0, inputTokens: 64, outputTokens: 40, arrival: 0),
                Request(id: 1, inputTokens: 128, outputTokens: 4, arrival: 100_000_000),  // 0.1 ms
            ]
            let report = try Self.experiment(
                workload: .trace(name: "two", requests: requests), batch: 2, iterations: 200, serving: serving
            ).run([.npuOnly]).reports[0]
            return (report.iterations, report.requestRecords.sorted { $0.id < $1.id })
        }
        let mixed = try run(.mixed(32))
        let first = try run(.prefillFirst(4096))
        #expect(mixed.records.count == 2 && first.records.count == 2)
        #expect(mixed.iterations == 41)
        #expect(first.iterations == 41)
        #expect(first.records[0].firstToken == (try Self.handPrefill(tokens: 64)))
        #expect(first.records[1].firstToken - first.records[0].firstToken == (try Self.handPrefill(tokens: 128)))
        // Request 1's prompt waits behind request 0's chunks and then shares each budget with a decode.
        #expect(mixed.records[1].firstToken > first.records[1].firstToken)
    }

    /// Replicas behind a router against M/D/c: c replicas of one slot, a request that decodes one token (service D,
    /// one iteration of a 2-layer GPT3-7B), Poisson arrivals at ρ = 0.7 per replica. With deterministic service and
    /// first-come first-served replicas, request n waits on request n − c: W_n = max(0, W_{n−c} + D − T), T the sum of c
    /// exponential gaps (Erlang-c) — so the central queue and round-robin give the same waits, and the stationary
    /// Lindley equation, solved on a grid (step D/20 and D/40, Richardson-extrapolated: M/D/1 at ρ = 0.5 gives
    /// 0.4996 D against the closed form's 0.5 D), gives the mean wait.
    @Test(arguments: [(2, Router.centralQueue), (3, Router.roundRobin)])
    func replicasQueueAsMDc(replicas: Int, router: Router) throws {
        let (devices, _) = try Fixtures.neupims()
        var model = ModelPresets.named("gpt3-7b")!
        model.layers = 2
        var experiment = Experiment(devices: devices, model: model, workload: .fixed(input: 64, output: 1))
        experiment.batch = 1
        var probe = experiment
        probe.serving.arrivalRate = 1e-3
        probe.serving.recordsRequests = true
        probe.iterations = 4
        let alone = try probe.run([.npuOnly]).reports[0].requestRecords[0]
        let service = Double(alone.finished - alone.admitted) / 1e12
        let rho = 0.7
        experiment.replicas = replicas
        experiment.router = router
        experiment.serving.arrivalRate = rho * Double(replicas) / service
        experiment.serving.requestLimit = 100_000
        experiment.iterations = Experiment.Limits.iterations.upperBound
        let report = try experiment.run([.npuOnly]).reports[0]
        let mean = report.serving!.queueing.mean / 1e3
        let coarse = Self.lindleyMeanWait(replicas: replicas, rho: rho, step: 1.0 / 20)
        let fine = Self.lindleyMeanWait(replicas: replicas, rho: rho, step: 1.0 / 40)
        let theory = (2 * fine - coarse) * service
        #expect(report.serving!.requests == 100_000)
        #expect(report.replicaFigures.count == replicas)
        #expect(abs(mean / theory - 1) < 0.05, "mean wait \(mean) s, M/D/\(replicas) \(theory) s")
        print("M/D/\(replicas) \(router.rawValue): mean wait \(mean * 1e3) ms, Lindley \(theory * 1e3) ms")
    }

    /// The mean of the stationary W = max(0, W + D − T) with D = 1 and T ~ Erlang(c, cρ), by iterating its
    /// distribution on a grid of `step` (trapezoidal mean).
    static func lindleyMeanWait(replicas c: Int, rho: Double, step h: Double) -> Double {
        let rate = rho * Double(c)
        let shift = Int((1 / h).rounded())
        let count = Int(30 / h)
        var factorial = 1.0
        for k in 1..<max(c, 1) { factorial *= Double(k) }
        var weights = (0..<count).map { j -> Double in
            let t = (Double(j) + 0.5) * h
            return Foundation.pow(rate, Double(c)) * Foundation.pow(t, Double(c - 1)) * Foundation.exp(-rate * t)
                / factorial * h
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        var tail = Array(repeating: 0.0, count: count + 1)
        for j in stride(from: count - 1, through: 0, by: -1) { tail[j] = tail[j + 1] + weights[j] }
        var cdf = Array(repeating: 1.0, count: count)
        var next = cdf
        for _ in 0..<5_000 {
            var change = 0.0
            for i in 0..<count {
                let low = max(0, shift - i)
                let high = min(count, count - i + shift)
                var sum = high < count ? tail[high] : 0
                if low < high { for j in low..<high { sum += weights[j] * cdf[i - shift + j] } }
                next[i] = sum
                change = max(change, abs(sum - cdf[i]))
            }
            swap(&cdf, &next)
            if change < 1e-10 { break }
        }
        return (cdf.reduce(0) { $0 + (1 - $1) } - 0.5 * (1 - cdf[0])) * h
    }

    /// A linear iteration cost replaces the simulated time exactly: a 64-token prompt alone takes 5 + 0.05 · 64 = 8.2 ms
    /// to its first token, and each of its 3 further tokens 5 + 0.05 · 1 = 5.05 ms.
    @Test func linearIterationCostIsExact() throws {
        var serving = ServingOptions()
        serving.prefill = .whole
        serving.arrivalRate = 0.01
        serving.recordsRequests = true
        var experiment = try Self.experiment(
            workload: .fixed(input: 64, output: 4), batch: 1, iterations: 20, serving: serving)
        experiment.iterationCost = LinearIterationCost("linear:5,0.05,0.05")
        let records = try experiment.run([.npuOnly]).reports[0].requestRecords
        #expect(!records.isEmpty)
        for record in records {
            #expect(record.timeToFirstToken == 8_200_000_000)
            #expect(record.finished - record.firstToken == 3 * 5_050_000_000)
        }
        #expect(LinearIterationCost("linear:5,0.05") == nil && LinearIterationCost("linear:nan,1,1") == nil)
        #expect(LinearIterationCost("linear:-1,1,1") == nil && LinearIterationCost("linear:1e300,1,1") == nil)
    }

    /// Disaggregated prefill by hand: one request alone. Its first token comes from the prefill instance after the
    /// hand-summed prefill of its 128-token prompt (the instance's NPU is the NeuPIMs NPU; like the decode group it
    /// stands for one of GPT3-7B's 4 tensor-parallel ranks); the rank's KV cache — 128 tokens × 2 (K, V) × 4,096 / 4 ×
    /// 2 bytes × 32 layers = 16,777,216 bytes — then crosses a 50 GB/s, 2 µs link (337,544,320 ps), and the decode
    /// device admits it at once.
    @Test func disaggregatedPrefillIsPrefillThenTransfer() throws {
        let instance = try DeviceSet(
            devices: [
                DeviceDescription(id: "npup0", configuration: .npu(.neupims)),
                DeviceDescription(id: "hbmp0", configuration: .hbm(.neupimsHBM2)),
            ], links: [("npup0", "hbmp0")])
        var serving = ServingOptions()
        serving.prefill = .whole
        serving.arrivalRate = 0.01
        serving.recordsRequests = true
        var experiment = try Self.experiment(
            workload: .fixed(input: 128, output: 4), batch: 1, iterations: 30, serving: serving)
        experiment.prefillPool = PrefillPool(
            instances: [instance], groupIDs: ["prefill0"],
            link: LinkProperties(bandwidthBytesPerSecond: 50_000_000_000, latency: 2_000_000))
        let report = try experiment.run([.neupims]).reports[0]
        let prefill = try Self.handPrefill(tokens: 128)
        let transfer: Picoseconds = 2_000_000 + 335_544_320
        #expect(report.requestRecords.count >= 5)
        for record in report.requestRecords {
            #expect(record.timeToFirstToken == prefill)
            #expect(record.prefillQueueing == 0 && record.prefillDuration == prefill && record.transfer == transfer)
            #expect(record.admitted == record.firstToken + transfer)
        }
        let breakdown = report.serving!.prefillBreakdown!
        #expect(abs(breakdown.transfer - Double(transfer) * 1e-9) < 1e-9)
    }

    /// Speculative decoding's accepted drafts follow the i.i.d. closed form (Leviathan et al., 2023): with k = 4 and
    /// α = 0.6 a step yields (1 − 0.6⁵) / (1 − 0.6) = 2.3056 tokens on average; long outputs keep the end-of-request
    /// cap mostly out of it (a request's last step yields only what its output has left). With α = 0 a step yields
    /// exactly one token.
    @Test(arguments: [0.0, 0.6, 1.0])
    func speculativeStepsYieldTheClosedForm(acceptance: Double) throws {
        var serving = ServingOptions()
        serving.speculation = Speculation("4:\(acceptance)")
        let report = try Self.experiment(
            workload: .fixed(input: 64, output: 1_000_000), batch: 8, iterations: 3_000, serving: serving
        ).run([.npuOnly]).reports[0]
        let figure = try #require(report.speculation)
        #expect(figure.steps == 8 * 3_000)
        #expect(abs(figure.tokensPerStep / figure.expectedTokensPerStep - 1) < 0.01, "\(figure)")
        if acceptance == 0 { #expect(figure.tokensPerStep == 1) }
        #expect(Speculation("0:0.5") == nil && Speculation("4:1.5") == nil && Speculation("4:nan") == nil)
    }

    /// A prefix cache by hand: two requests whose 256-token prompts start with the same 512-token system prompt, the
    /// second arriving after the first has finished. The first prefills all 768 tokens; the second finds the prefix
    /// cached and prefills only its own 256, attending to all 768 — each time to first token the hand-summed prefill.
    /// Without the cache both prefill 768.
    @Test func aCachedPrefixIsNotPrefilledAgain() throws {
        func run(caching: Bool) throws -> RunReport {
            var serving = ServingOptions()
            serving.prefill = .whole
            serving.recordsRequests = true
            serving.sharedPrefix = SharedPrefix("512:1")
            serving.cachesPrefixes = caching
            let requests = [
                Request(id: 0, inputTokens: 256, outputTokens: 4, arrival: 0),
                Request(id: 1, inputTokens: 256, outputTokens: 4, arrival: 1_000_000_000_000),
            ]
            return try Self.experiment(
                workload: .trace(name: "two", requests: requests), batch: 1, iterations: 100, serving: serving
            ).run([.npuOnly]).reports[0]
        }
        let cached = try run(caching: true)
        let records = cached.requestRecords.sorted { $0.id < $1.id }
        #expect(records.count == 2)
        #expect(records[0].timeToFirstToken == (try Self.handPrefill(tokens: 768)))
        #expect(records[1].timeToFirstToken == (try Self.handPrefill(tokens: 256, context: 768)))
        let figure = try #require(cached.prefixCache)
        #expect(figure.hits == 1 && figure.misses == 1 && figure.tokensSaved == 512 && figure.evictions == 0)
        let plain = try run(caching: false).requestRecords
        #expect(plain.allSatisfy { $0.timeToFirstToken == (try! Self.handPrefill(tokens: 768)) })
    }
}
