public import TriadCore

/// An iteration time that replaces the simulated one: a + b_prefill · prompt tokens + b_decode · decoding requests
/// (`--iteration-cost linear:A,BP,BD`, milliseconds). It exists to compare scheduling with another simulator given
/// the same cost (`scripts/vidur-check`, docs/MODEL.md §9.4): the devices still run, but only their order of events
/// is kept, not their time.
public struct LinearIterationCost: Sendable, Hashable {
    public var fixed: Picoseconds
    public var perPrefillToken: Picoseconds
    public var perDecodeToken: Picoseconds

    /// `linear:A,BP,BD` with A, BP and BD in milliseconds (0…10⁶, finite); nil otherwise.
    public init?(_ text: String) {
        guard text.hasPrefix("linear:") else { return nil }
        let parts = text.dropFirst("linear:".count).split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var values: [Picoseconds] = []
        for part in parts {
            guard let value = Double(part), value.isFinite, (0...1e6).contains(value) else { return nil }
            values.append(Picoseconds((value * 1e9).rounded()))
        }
        (fixed, perPrefillToken, perDecodeToken) = (values[0], values[1], values[2])
    }

    /// One iteration's time with `prefillTokens` prompt tokens and `decodeTokens` decoding requests.
    public func duration(prefillTokens: Int, decodeTokens: Int) -> Picoseconds {
        fixed +| scaled(perPrefillToken, times: Int64(prefillTokens), over: 1, roundingUp: false)
            +| scaled(perDecodeToken, times: Int64(decodeTokens), over: 1, roundingUp: false)
    }
}
