public import TriadCore

/// One busy interval on a device or the memory port, for timeline viewers (Chrome trace / Perfetto).
public struct TraceEvent: Sendable, Hashable {
    /// Track: "npu", "pim", "fpga" or "memory port".
    public var track: String
    public var name: String
    public var start: Picoseconds
    public var duration: Picoseconds
    public var iteration: Int
    public var subBatch: Int
    public var layer: Int
}

extension TraceEvent {
    /// Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one process per run, one thread per
    /// track, times in microseconds.
    public static func chromeTrace(_ runs: [(label: String, events: [TraceEvent])]) -> String {
        let tracks = ["npu", "pim", "fpga", "memory port"]
        var items: [String] = []
        for (pid, run) in runs.enumerated() {
            items.append(
                "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(pid + 1),\"args\":{\"name\":\(jsonString(run.label))}}"
            )
            for (tid, track) in tracks.enumerated() {
                items.append(
                    "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":\(pid + 1),\"tid\":\(tid + 1),\"args\":{\"name\":\(jsonString(track))}}"
                )
            }
            for event in run.events {
                let tid = (tracks.firstIndex(of: event.track) ?? 0) + 1
                items.append(
                    "{\"name\":\(jsonString(event.name)),\"ph\":\"X\",\"pid\":\(pid + 1),\"tid\":\(tid),\"ts\":\(jsonNumber(Double(event.start) / 1e6)),\"dur\":\(jsonNumber(Double(event.duration) / 1e6)),\"args\":{\"iteration\":\(event.iteration),\"sub_batch\":\(event.subBatch),\"layer\":\(event.layer)}}"
                )
            }
        }
        return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + items.joined(separator: ",\n") + "\n]}\n"
    }
}
