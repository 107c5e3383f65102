/// The timings a coordinator and its workers run on, milliseconds. Defined once in `Proto/triad.proto`
/// (`ProtocolDefaults`, generated into Swift and the C SDK); the coordinator announces its own in `RegisterAck`
/// and a registered worker follows them.
public struct SessionTimings: Sendable, Equatable {
    /// Period of application heartbeats on both sides (any message counts).
    public var heartbeatMilliseconds: Int64
    /// Silence after which the coordinator declares a worker dead.
    public var coordinatorLivenessMilliseconds: Int64
    /// Silence after which a worker presumes the coordinator gone and registers again (twice this: a fresh socket).
    public var workerLivenessMilliseconds: Int64

    public init(heartbeatMilliseconds: Int64, coordinatorLivenessMilliseconds: Int64, workerLivenessMilliseconds: Int64)
    {
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.coordinatorLivenessMilliseconds = coordinatorLivenessMilliseconds
        self.workerLivenessMilliseconds = workerLivenessMilliseconds
    }

    /// The protocol's defaults.
    public static let defaults = SessionTimings(
        heartbeatMilliseconds: Int64(Triad_V1_ProtocolDefaults.heartbeatMs.rawValue),
        coordinatorLivenessMilliseconds: Int64(Triad_V1_ProtocolDefaults.coordinatorLivenessMs.rawValue),
        workerLivenessMilliseconds: Int64(Triad_V1_ProtocolDefaults.workerLivenessMs.rawValue))

    /// A connection dropped and not retried for this long gets a fresh socket, milliseconds.
    public static let droppedConnectionGraceMilliseconds = Int64(
        Triad_V1_ProtocolDefaults.droppedConnectionGraceMs.rawValue)
    /// Shortest interval between registrations a worker sends after an error reply, milliseconds.
    public static let registerIntervalMilliseconds = Int64(Triad_V1_ProtocolDefaults.registerIntervalMs.rawValue)

    /// Heartbeats from 10 ms to a minute; each liveness window longer than the heartbeat and at most an hour.
    public static let heartbeatRange: ClosedRange<Int64> = 10...60_000
    public static let livenessLimit: Int64 = 3_600_000

    /// Whether every timing is in range (a liveness window at most one heartbeat long would expire between two
    /// heartbeats of a healthy peer).
    public var isValid: Bool {
        Self.heartbeatRange.contains(heartbeatMilliseconds)
            && (heartbeatMilliseconds + 1...Self.livenessLimit).contains(coordinatorLivenessMilliseconds)
            && (heartbeatMilliseconds + 1...Self.livenessLimit).contains(workerLivenessMilliseconds)
    }

    /// The timings a `RegisterAck` announces; nil when any is out of range (the worker keeps what it has).
    public init?(announcedIn ack: Triad_V1_RegisterAck) {
        self.init(
            heartbeatMilliseconds: Int64(ack.heartbeatMs),
            coordinatorLivenessMilliseconds: Int64(ack.livenessMs),
            workerLivenessMilliseconds: Int64(ack.workerLivenessMs))
        guard isValid else { return nil }
    }

    /// Writes these timings into `ack`.
    public func announce(in ack: inout Triad_V1_RegisterAck) {
        ack.heartbeatMs = UInt32(clamping: heartbeatMilliseconds)
        ack.livenessMs = UInt32(clamping: coordinatorLivenessMilliseconds)
        ack.workerLivenessMs = UInt32(clamping: workerLivenessMilliseconds)
    }
}
