import Testing
import TriadCore

/// The first batch of a closed-loop run must look like the batch of a long run (length-biased requests,
/// uniform positions), or iteration 0 under-counts long requests.
struct SteadyStateTests {
    /// Mean KV length (prompt + generated + this token) of the requests in flight.
    private static func context(_ request: Request, generated: Int) -> Double {
        Double(request.inputTokens + generated + 1)
    }

    /// Replays a long closed-loop run: `slots` requests, each replaced by a fresh one when it finishes.
    private static func longRunMean(_ stream: RequestStream, slots: Int, iterations: Int, skip: Int) -> Double {
        var generator = RequestGenerator(stream: stream, maxSequence: 2048, generator: SplitMix64(seed: 5))
        var requests = (0..<slots).map { _ in generator.next()! }
        var generated = Array(repeating: 0, count: slots)
        var sum = 0.0
        var count = 0.0
        for iteration in 0..<iterations {
            for slot in 0..<slots {
                if iteration >= skip {
                    sum += context(requests[slot], generated: generated[slot])
                    count += 1
                }
                generated[slot] += 1
                if generated[slot] >= requests[slot].outputTokens {
                    requests[slot] = generator.next()!
                    generated[slot] = 0
                }
            }
        }
        return sum / count
    }

    @Test func firstBatchMatchesTheLongRunMeanContext() {
        // Skewed on purpose: most requests are short, a few long ones dominate the batch in steady state.
        let distribution = LengthDistribution(
            name: "skewed", pairs: [(10, 2, 60), (40, 50, 30), (100, 600, 9), (300, 1500, 1)])
        let stream = RequestStream.sampled(distribution)
        var generator = RequestGenerator(stream: stream, maxSequence: 2048, generator: SplitMix64(seed: 9))
        var sum = 0.0
        let draws = 200_000
        for _ in 0..<draws {
            let (request, generated) = generator.nextInFlight()!
            #expect(generated >= 0 && generated < request.outputTokens)
            sum += Self.context(request, generated: generated)
        }
        let first = sum / Double(draws)
        let long = Self.longRunMean(stream, slots: 256, iterations: 12_000, skip: 3_000)
        #expect(abs(first / long - 1) < 0.02, "iteration 0 mean \(first) vs long-run mean \(long)")
        // A uniformly chosen request at a uniform position would sit far below (the bias this fixes).
        var plain = RequestGenerator(stream: stream, maxSequence: 2048, generator: SplitMix64(seed: 9))
        var position = SplitMix64(seed: 10)
        var uniformSum = 0.0
        for _ in 0..<draws {
            let request = plain.next()!
            uniformSum += Self.context(request, generated: position.nextIndex(below: request.outputTokens))
        }
        #expect(uniformSum / Double(draws) < 0.8 * long)
    }

    @Test func tracesHaveNoInFlightDraw() {
        let trace = RequestStream.trace(name: "t", requests: [Request(id: 0, inputTokens: 1, outputTokens: 2)])
        var generator = RequestGenerator(stream: trace, maxSequence: 2048, generator: SplitMix64(seed: 1))
        #expect(generator.nextInFlight() == nil)
    }
}
