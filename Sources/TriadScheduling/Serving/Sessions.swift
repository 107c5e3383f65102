/// Multi-turn conversations (`--sessions T:THINK`, docs/MODEL.md §9.9): sessions start as a Poisson process at the
/// arrival rate over T, so that requests still arrive at the arrival rate; a session's next turn is sent THINK seconds
/// on average (exponential) after the reply to the previous one finished, as a user answers a chatbot (SGLang's
/// multi-turn benchmark and Mooncake's conversation traces follow the same shape). Turn k's prompt is the history —
/// every earlier prompt and reply — followed by new tokens drawn from the workload, its output drawn likewise; the
/// history is turn k's prefix, which a prefix cache can keep from the previous turn. A session ends after T turns or
/// when its next prompt would not fit the longest sequence.
public struct Sessions: Sendable, Hashable {
    /// Turns per session.
    public var turns: Int
    /// Mean time between a reply and the next turn, seconds.
    public var thinkSeconds: Double

    /// `T:THINK` (T in 1…1,000 turns, THINK in 0…3,600 seconds); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let turns = Int(parts[0]), (1...1_000).contains(turns),
            let think = Double(parts[1]), think.isFinite, (0...3_600).contains(think)
        else { return nil }
        self.turns = turns
        thinkSeconds = think
    }

    /// What the flag accepts, for error messages.
    public static let accepted = "T:THINK with T in 1…1000 turns and THINK in 0…3600 seconds"
}
