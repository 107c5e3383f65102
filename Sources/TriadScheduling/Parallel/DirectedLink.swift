/// One direction of a link between two groups, for traffic accounting.
public struct DirectedLink: Sendable, Hashable {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
