/// Where requests come from: an endless seeded sample of a length distribution, fixed lengths, or a
/// finite trace.
public enum RequestStream: Sendable {
    case sampled(LengthDistribution)
    case fixed(input: Int, output: Int)
    case trace(name: String, requests: [Request])

    /// A short label for reports: `sharegpt`, `fixed:80:296`, or the trace name.
    public var label: String {
        switch self {
        case .sampled(let distribution): return distribution.name
        case .fixed(let input, let output): return "fixed:\(input):\(output)"
        case .trace(let name, _): return name
        }
    }

    /// Whether the stream ends (a trace) rather than running forever.
    public var isFinite: Bool {
        if case .trace = self { return true }
        return false
    }
}

/// Draws requests from a `RequestStream` in order, capped at the maximum sequence length.
public struct RequestGenerator: Sendable {
    public let stream: RequestStream
    public let maxSequence: Int
    private var generator: SplitMix64
    private var nextID = 0

    public init(stream: RequestStream, maxSequence: Int, generator: SplitMix64) {
        self.stream = stream
        self.maxSequence = maxSequence
        self.generator = generator
    }

    /// The next request, or nil when a trace is exhausted.
    public mutating func next() -> Request? {
        let id = nextID
        let request: Request
        switch stream {
        case .sampled(let distribution):
            let pair = distribution.sample(using: &generator)
            request = Request(id: id, inputTokens: pair.input, outputTokens: pair.output)
        case .fixed(let input, let output):
            request = Request(id: id, inputTokens: input, outputTokens: output)
        case .trace(_, let requests):
            guard id < requests.count else { return nil }
            request = requests[id]
        }
        nextID += 1
        return request.capped(at: maxSequence)
    }

    /// A value in 0..<bound from the same seeded stream (used to stagger the first batch).
    public mutating func uniform(below bound: Int) -> Int { generator.nextIndex(below: bound) }
}
