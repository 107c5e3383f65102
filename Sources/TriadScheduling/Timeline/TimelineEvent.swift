public import TriadCore

/// One busy interval on a device or the memory port, for timeline viewers (Chrome trace / Perfetto).
public struct TimelineEvent: Sendable, Hashable {
    /// Track: "npu", "pim", "fpga", "memory port" or "links" (prefixed "stage S " in a staged pipeline).
    public var track: String
    public var name: String
    public var start: Picoseconds
    public var duration: Picoseconds
    public var iteration: Int
    public var subBatch: Int
    public var layer: Int
}

extension TimelineEvent {
    /// Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one process per run, one thread per
    /// track, times in microseconds.
    public static func chromeTrace(_ runs: [(label: String, events: [TimelineEvent])]) -> String {
        var items: [String] = []
        for (pid, run) in runs.enumerated() {
            // The usual tracks, then any others (a staged pipeline's "stage S npu" …) in order of appearance.
            let staged = run.events.contains { $0.track.hasPrefix("stage ") }
            var tracks = staged ? [] : ["npu", "pim", "fpga", "memory port", "links"]
            var known = Set(tracks)
            for event in run.events where known.insert(event.track).inserted { tracks.append(event.track) }
            let process = JSON.integer(Int64(pid + 1))
            items.append(
                JSON.object([
                    "name": .string("process_name"), "ph": .string("M"), "pid": process,
                    "args": .object(["name": .string(run.label)]),
                ]).rendered)
            for (tid, track) in tracks.enumerated() {
                items.append(
                    JSON.object([
                        "name": .string("thread_name"), "ph": .string("M"), "pid": process,
                        "tid": .integer(Int64(tid + 1)), "args": .object(["name": .string(track)]),
                    ]).rendered)
            }
            for event in run.events {
                let tid = (tracks.firstIndex(of: event.track) ?? 0) + 1
                items.append(
                    JSON.object([
                        "name": .string(event.name), "ph": .string("X"), "pid": process, "tid": .integer(Int64(tid)),
                        "ts": .number(Double(event.start) / 1e6), "dur": .number(Double(event.duration) / 1e6),
                        "args": .object([
                            "iteration": .integer(Int64(event.iteration)), "sub_batch": .integer(Int64(event.subBatch)),
                            "layer": .integer(Int64(event.layer)),
                        ]),
                    ]).rendered)
            }
        }
        return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + items.joined(separator: ",\n") + "\n]}\n"
    }
}
