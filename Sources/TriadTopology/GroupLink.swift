public import TriadCore
/// A link between two device groups (undirected), with its speed and where the file declares it.
public struct GroupLink: Sendable, Hashable {
    public var from: String
    public var to: String
    public var properties: LinkProperties
    public var location: SourceLocation

    public init(from: String, to: String, properties: LinkProperties, location: SourceLocation) {
        self.from = from
        self.to = to
        self.properties = properties
        self.location = location
    }

    /// Whether the link joins `a` and `b` (either way round).
    public func joins(_ a: String, _ b: String) -> Bool { (from == a && to == b) || (from == b && to == a) }
}
