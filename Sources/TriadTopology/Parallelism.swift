/// How a topology maps a model onto its groups: `tensor` ranks per pipeline stage and `pipeline` stages
/// (each nil when the file leaves it to the model preset or the command line).
public struct Parallelism: Sendable, Hashable {
    public var tensor: Int?
    public var pipeline: Int?
    public var location: SourceLocation

    public init(tensor: Int?, pipeline: Int?, location: SourceLocation) {
        self.tensor = tensor
        self.pipeline = pipeline
        self.location = location
    }
}
