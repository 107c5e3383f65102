public import HeapModule

/// A deterministic discrete-event queue: events pop in order of (time, scheduling order).
///
/// Modelled on SwiftNIO's `EmbeddedEventLoop`: simulated time only moves when the owner pops an event,
/// and events scheduled for the same instant pop in the order they were scheduled (the sequence number
/// is part of the key because `Heap` is not stable for equal keys). Inlinable, so the run loop gets a copy specialised
/// to its events (no generic metadata looked up per event).
public struct EventQueue<Event: Sendable>: Sendable {
    @usableFromInline
    struct Entry: Comparable, Sendable {
        @usableFromInline let time: Picoseconds
        @usableFromInline let sequence: UInt64
        @usableFromInline let event: Event

        @inlinable
        init(time: Picoseconds, sequence: UInt64, event: Event) {
            self.time = time
            self.sequence = sequence
            self.event = event
        }

        @inlinable
        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence)
        }

        @inlinable
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time == rhs.time && lhs.sequence == rhs.sequence
        }
    }

    @usableFromInline var heap = Heap<Entry>()
    @usableFromInline var nextSequence: UInt64 = 0
    /// The time of the last popped event.
    public var now: Picoseconds { lastPopped }
    @usableFromInline var lastPopped: Picoseconds = 0

    @inlinable
    public init() {}

    @inlinable
    public var isEmpty: Bool { heap.isEmpty }
    @inlinable
    public var count: Int { heap.count }

    /// Schedules `event` at `time`, which must not be in the past.
    @inlinable
    public mutating func schedule(_ event: Event, at time: Picoseconds) {
        precondition(time >= now, "cannot schedule an event in the past (\(time) < \(now))")
        heap.insert(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
    }

    /// Removes the next event and advances `now` to its time.
    @inlinable
    public mutating func pop() -> (time: Picoseconds, event: Event)? {
        guard let entry = heap.popMin() else { return nil }
        lastPopped = entry.time
        return (entry.time, entry.event)
    }
}
