/// A link's speed: bytes per second one way and the latency of one message over it.
public struct LinkProperties: Sendable, Hashable {
    public var bandwidthBytesPerSecond: Int64
    public var latency: Picoseconds

    public init(bandwidthBytesPerSecond: Int64, latency: Picoseconds) {
        self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
        self.latency = latency
    }
}
