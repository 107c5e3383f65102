import Testing
import TriadCore

struct SplitMix64Tests {
    @Test func sameSeedSameStream() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test func differentSeedsAndSubstreamsDiffer() {
        var a = SplitMix64(seed: 1)
        var b = SplitMix64(seed: 2)
        #expect(a.next() != b.next())
        let root = SplitMix64(seed: 7)
        var first = root.substream(1)
        var second = root.substream(2)
        #expect(first.next() != second.next())
    }

    @Test(arguments: [1, 7, 1000])
    func indicesStayInRange(bound: Int) {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<1000 {
            let value = generator.nextIndex(below: bound)
            #expect(value >= 0 && value < bound)
        }
    }
}

struct WorkloadTests {
    @Test func sampledFrequenciesFollowTheCounts() {
        let distribution = LengthDistribution(name: "t", pairs: [(1, 1, 1), (2, 2, 3)])
        var generator = SplitMix64(seed: 11)
        var twos = 0
        for _ in 0..<40_000 where distribution.sample(using: &generator).input == 2 { twos += 1 }
        #expect(abs(Double(twos) / 40_000 - 0.75) < 0.01)
        #expect(distribution.means.input == 1.75)
    }

    @Test func requestsAreCappedAtTheMaximumSequence() {
        let long = Request(id: 0, inputTokens: 3000, outputTokens: 500).capped(at: 2048)
        #expect(long.inputTokens == 2047)
        #expect(long.outputTokens == 1)
        let empty = Request(id: 1, inputTokens: 10, outputTokens: 0).capped(at: 2048)
        #expect(empty.outputTokens == 1)
        let fits = Request(id: 2, inputTokens: 100, outputTokens: 200).capped(at: 2048)
        #expect(fits.inputTokens == 100 && fits.outputTokens == 200)
    }

    @Test func generatorIsReproducibleAndEndsTraces() {
        let trace = RequestStream.trace(name: "t", requests: [Request(id: 0, inputTokens: 5, outputTokens: 6)])
        var generator = RequestGenerator(stream: trace, maxSequence: 2048, generator: SplitMix64(seed: 1))
        #expect(generator.next()?.outputTokens == 6)
        #expect(generator.next() == nil)
    }
}

struct WeightedSamplesTests {
    @Test func percentilesAreNearestRankByWeight() {
        var samples = WeightedSamples()
        samples.add(10, weight: 98)
        samples.add(20, weight: 1)
        samples.add(30, weight: 1)
        #expect(samples.percentile(0.5) == 10)
        #expect(samples.percentile(0.99) == 20)
        #expect(samples.percentile(1.0) == 30)
        #expect(abs(samples.mean - 10.3) < 1e-9)
    }
}
