import HeapModule

/// A deterministic discrete-event queue: events pop in order of (time, scheduling order).
///
/// Modelled on SwiftNIO's `EmbeddedEventLoop`: simulated time only moves when the owner pops an event,
/// and events scheduled for the same instant pop in the order they were scheduled (the sequence number
/// is part of the key because `Heap` is not stable for equal keys).
public struct EventQueue<Event: Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        let time: Picoseconds
        let sequence: UInt64
        let event: Event
        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence)
        }
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time == rhs.time && lhs.sequence == rhs.sequence
        }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0
    /// The time of the last popped event.
    public private(set) var now: Picoseconds = 0

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }

    /// Schedules `event` at `time`, which must not be in the past.
    public mutating func schedule(_ event: Event, at time: Picoseconds) {
        precondition(time >= now, "cannot schedule an event in the past (\(time) < \(now))")
        heap.insert(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
    }

    /// Removes the next event and advances `now` to its time.
    public mutating func pop() -> (time: Picoseconds, event: Event)? {
        guard let entry = heap.popMin() else { return nil }
        now = entry.time
        return (entry.time, entry.event)
    }
}
