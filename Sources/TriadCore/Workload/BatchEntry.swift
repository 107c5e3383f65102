/// One request of a fixed decode batch: how many tokens its KV cache holds (this step's included) and the
/// PIM channel that holds it.
public struct BatchEntry: Sendable, Hashable {
    /// KV length in tokens, including the token being generated.
    public var sequenceLength: Int
    /// KV channel (0-based).
    public var channel: Int

    public init(sequenceLength: Int, channel: Int) {
        self.sequenceLength = sequenceLength
        self.channel = channel
    }
}
