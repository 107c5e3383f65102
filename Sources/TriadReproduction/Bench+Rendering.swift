import TriadCore

/// Bench measurements as `triad bench` prints them: a JSON document or a text table.
extension Bench {
    public static func json(_ measurements: [Measurement]) -> String {
        let items = measurements.map { m -> JSON in
            var members: [JSON.Member] = [
                .init("name", .string(m.name)),
                .init("simulated_tokens_per_second", .integer(Int64(m.tokensPerSecond.rounded()))),
                .init("iterations_per_second", .integer(Int64(m.iterationsPerSecond.rounded()))),
                .init("iterations", .integer(Int64(m.iterations))), .init("tokens", .integer(m.tokens)),
                .init("wall_seconds", .number(m.wallSeconds)),
            ]
            if let local = m.inProcessWallSeconds, let messages = m.messages {
                members += [
                    .init("in_process_wall_seconds", .number(local)),
                    .init("wall_ratio_to_in_process", .number(m.wallSeconds / local)),
                    .init("run_wall_seconds", .number(m.runWallSeconds ?? 0)),
                    .init("run_ratio_to_in_process", .number((m.runWallSeconds ?? 0) / local)),
                    .init("messages", .integer(Int64(messages))),
                    .init("messages_per_second", .integer(Int64((Double(messages) / m.wallSeconds).rounded()))),
                    .init("messages_per_iteration", .number(Double(messages) / Double(max(m.iterations, 1)))),
                ]
                if let spawn = m.spawnWallSeconds, let registration = m.registrationWallSeconds {
                    members += [
                        .init("spawn_wall_seconds", .number(spawn)),
                        .init("registration_wall_seconds", .number(registration)),
                    ]
                }
                if let bytes = m.messageBytes {
                    members.append(.init("bytes_per_message", .integer(Int64(bytes / max(messages, 1)))))
                }
            }
            return .object(members)
        }
        return JSON.object(["triad_version": .string(TriadVersion.current), "scenarios": .array(items)]).rendered
    }

    public static func table(_ measurements: [Measurement]) -> String {
        var rows = [["scenario", "sim tokens/s", "iterations/s", "wall s", ""]]
        for m in measurements {
            var note = ""
            if let local = m.inProcessWallSeconds, let messages = m.messages {
                var phases = ""
                if let spawn = m.spawnWallSeconds, let registration = m.registrationWallSeconds {
                    phases = "; spawn \(Int((spawn * 1000).rounded())) ms, registration \(Int((registration * 1000).rounded())) ms"
                }
                let perMessage = m.messageBytes.map { ", \($0 / max(messages, 1)) B/message" } ?? ""
                note =
                    "(in-process \(TextTable.fixed(local, 3)) s → \(TextTable.fixed(m.wallSeconds / local, 2))×, run alone \(TextTable.fixed((m.runWallSeconds ?? 0) / local, 2))×\(phases); \(messages) messages, \(TextTable.fixed(Double(messages) / Double(max(m.iterations, 1)), 2)) /iteration\(perMessage))"
            }
            rows.append([
                m.name, String(Int64(m.tokensPerSecond.rounded())), String(Int64(m.iterationsPerSecond.rounded())),
                TextTable.fixed(m.wallSeconds, 3), note,
            ])
        }
        return TextTable.render(rows)
    }
}
