/// What speculative decoding did in a run (`RunReport.speculation`).
public struct SpeculationFigure: Sendable, Hashable {
    public var draftTokens: Int
    public var acceptance: Double
    /// Decode steps of requests, and the tokens they yielded per step: measured, and the closed form.
    public var steps: Int64
    public var tokensPerStep: Double
    public var expectedTokensPerStep: Double
    /// The draft model (nil: free drafts) and the time its steps took, milliseconds, and as a share of the run.
    public var draftModel: String?
    public var draftMilliseconds = 0.0
    public var draftFraction = 0.0
}
