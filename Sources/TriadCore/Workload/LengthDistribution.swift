/// An empirical joint distribution of (input, output) token counts, sampled with a seeded generator.
public struct LengthDistribution: Sendable {
    public let name: String
    private let inputs: [Int32]
    private let outputs: [Int32]
    /// Running totals of the pair weights (counts), for sampling by binary search.
    private let cumulative: [Int64]

    /// A distribution over `pairs`, each drawn with probability proportional to its count.
    public init(name: String, pairs: [(input: Int, output: Int, count: Int)]) {
        precondition(!pairs.isEmpty, "a length distribution needs at least one pair")
        self.name = name
        inputs = pairs.map { Int32($0.input) }
        outputs = pairs.map { Int32($0.output) }
        var running: Int64 = 0
        cumulative = pairs.map {
            running += Int64($0.count)
            return running
        }
    }

    public var totalCount: Int64 { cumulative.last! }

    /// The longest prompt + output of any pair once capped at `maxSequence` (`Request.capped(at:)`).
    public func longestSequence(cappedAt maxSequence: Int) -> Int {
        zip(inputs, outputs).map {
            Request(id: 0, inputTokens: Int($0.0), outputTokens: Int($0.1)).capped(at: maxSequence).totalTokens
        }.max() ?? 1
    }

    /// The distribution of the requests *in flight* in a closed-loop steady state, where each finished
    /// request is replaced at once: a request stays in the batch for its output length (capped as
    /// `Request.capped(at:)` caps it), so it is found there with probability proportional to its count
    /// times that length (the inspection paradox of renewal processes). Pair it with a uniform position
    /// in the output to start a run in steady state.
    public func inFlight(maxSequence: Int) -> LengthDistribution {
        var previous: Int64 = 0
        var pairs: [(input: Int, output: Int, count: Int)] = []
        pairs.reserveCapacity(cumulative.count)
        for index in cumulative.indices {
            let count = cumulative[index] - previous
            previous = cumulative[index]
            let residence = Request(id: 0, inputTokens: Int(inputs[index]), outputTokens: Int(outputs[index]))
                .capped(at: maxSequence).outputTokens
            pairs.append((Int(inputs[index]), Int(outputs[index]), Int(count) * residence))
        }
        return LengthDistribution(name: name, pairs: pairs)
    }

    /// Mean input and output length over the distribution.
    public var means: (input: Double, output: Double) {
        var previous: Int64 = 0
        var inputSum = 0.0
        var outputSum = 0.0
        for index in cumulative.indices {
            let count = Double(cumulative[index] - previous)
            previous = cumulative[index]
            inputSum += count * Double(inputs[index])
            outputSum += count * Double(outputs[index])
        }
        return (inputSum / Double(totalCount), outputSum / Double(totalCount))
    }

    /// One (input, output) pair.
    public func sample(using generator: inout SplitMix64) -> (input: Int, output: Int) {
        let target = Int64(generator.next(upperBound: UInt64(totalCount)))
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return (Int(inputs[low]), Int(outputs[low]))
    }
}
