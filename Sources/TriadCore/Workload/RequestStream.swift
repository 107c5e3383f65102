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

    /// The longest sequence (prompt + output) a request of this stream can reach once capped at `maxSequence`:
    /// what KV capacity must hold for one request, from the workload's real lengths.
    public func longestSequence(cappedAt maxSequence: Int) -> Int {
        switch self {
        case .sampled(let distribution):
            return distribution.longestSequence(cappedAt: maxSequence)
        case .fixed(let input, let output):
            return Request(id: 0, inputTokens: input, outputTokens: output).capped(at: maxSequence).totalTokens
        case .trace(_, let requests):
            return requests.map { $0.capped(at: maxSequence).totalTokens }.max() ?? 1
        }
    }

    /// Whether some request starts with a prefix it may share (a trace's system prompts or sessions).
    public var hasPrefixes: Bool {
        if case .trace(_, let requests) = self { return requests.contains { $0.prefix >= 0 } }
        return false
    }

    /// Whether some request is a turn of a conversation (a trace with sessions).
    public var hasSessions: Bool {
        if case .trace(_, let requests) = self { return requests.contains { $0.session >= 0 } }
        return false
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
    /// The length-biased distribution of requests in flight, for `nextInFlight()`.
    private let inFlight: LengthDistribution?

    public init(stream: RequestStream, maxSequence: Int, generator: SplitMix64) {
        self.stream = stream
        self.maxSequence = maxSequence
        self.generator = generator
        if case .sampled(let distribution) = stream {
            inFlight = distribution.inFlight(maxSequence: maxSequence)
        } else {
            inFlight = nil
        }
    }

    /// Requests handed out shorter than they came (prompt + output over `maxSequence`).
    public private(set) var cappedRequests = 0

    private mutating func counted(_ capped: Request, from original: Request) -> Request {
        if capped != original { cappedRequests += 1 }
        return capped
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
        return counted(request.capped(at: maxSequence), from: request)
    }

    /// A request found in the batch of a closed-loop steady state, and how many of its output tokens it
    /// has generated already: drawn in proportion to its output length, at a uniform position in it
    /// (see `LengthDistribution.inFlight(maxSequence:)`). Nil for traces, which start from their first request.
    public mutating func nextInFlight() -> (request: Request, generated: Int)? {
        let request: Request
        switch stream {
        case .sampled:
            let pair = inFlight!.sample(using: &generator)
            let drawn = Request(id: nextID, inputTokens: pair.input, outputTokens: pair.output)
            request = counted(drawn.capped(at: maxSequence), from: drawn)
        case .fixed(let input, let output):
            let given = Request(id: nextID, inputTokens: input, outputTokens: output)
            request = counted(given.capped(at: maxSequence), from: given)
        case .trace:
            return nil
        }
        nextID += 1
        return (request, generator.nextIndex(below: request.outputTokens))
    }
}
