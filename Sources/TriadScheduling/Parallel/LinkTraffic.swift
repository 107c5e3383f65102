/// Bytes that crossed one directed link between groups during a run.
public struct LinkTraffic: Sendable, Hashable {
    public var link: DirectedLink
    public var bytes: Int64

    public init(link: DirectedLink, bytes: Int64) {
        self.link = link
        self.bytes = bytes
    }
}
