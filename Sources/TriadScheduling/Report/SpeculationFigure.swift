/// What speculative decoding did in a run (`RunReport.speculation`).
public struct SpeculationFigure: Sendable, Hashable {
    public var draftTokens: Int
    public var acceptance: Double
    /// Decode steps of requests, and the tokens they yielded per step: measured, and the closed form.
    public var steps: Int64
    public var tokensPerStep: Double
    public var expectedTokensPerStep: Double
}
