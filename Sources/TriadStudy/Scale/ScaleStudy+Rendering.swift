import TriadCore

/// The scale study as `triad bench --scale` prints it: a table (or JSON) of the points, then each model's and mode's
/// growth exponent of wall time per iteration against devices.
extension ScaleStudy {
    /// The growth fit of `points` of one model and mode (those measured), or nil with fewer than two.
    public static func fit(_ points: [ScalePoint]) -> (exponent: Double, rSquared: Double)? {
        GrowthFit.exponent(
            points.filter { $0.skipped == nil }.map { (Double($0.devices), $0.secondsPerIteration) })
    }

    /// The (model, mode) pairs of `points` in their first order.
    static func series(_ points: [ScalePoint]) -> [(model: String, mode: ScalePoint.Mode)] {
        var seen: [(model: String, mode: ScalePoint.Mode)] = []
        for point in points where !seen.contains(where: { $0.model == point.model && $0.mode == point.mode }) {
            seen.append((point.model, point.mode))
        }
        return seen
    }

    public static func table(_ points: [ScalePoint]) -> String {
        var rows = [["model", "mode", "devices", "TP×PP", "batch", "iterations", "ms/iteration", "ns/request-step", ""]]
        for point in points {
            rows.append([
                point.model, point.mode.rawValue, String(point.devices),
                "\(point.tensorParallel)×\(point.pipelineParallel)", String(point.batch),
                point.skipped == nil ? String(point.iterations) : "–",
                point.skipped == nil ? TextTable.fixed(point.secondsPerIteration * 1e3, 3) : "–",
                point.skipped == nil ? TextTable.fixed(point.secondsPerRequestStep * 1e9, 1) : "–",
                point.skipped.map { "skipped: \($0)" } ?? (point.mode == .processes ? "\(2 * point.devices) worker processes" : ""),
            ])
        }
        var text = TextTable.render(rows)
        for (model, mode) in series(points) {
            let members = points.filter { $0.model == model && $0.mode == mode }
            if let fit = fit(members) {
                text +=
                    "\(model) \(mode.rawValue): wall time per iteration ∝ devices^\(TextTable.fixed(fit.exponent, 2)) (R² \(TextTable.fixed(fit.rSquared, 3)), \(members.filter { $0.skipped == nil }.count) points)\n"
            } else {
                text += "\(model) \(mode.rawValue): fewer than two measured points, no exponent\n"
            }
        }
        return text
    }

    public static func json(_ points: [ScalePoint]) -> String {
        let items = points.map { point -> JSON in
            var members: [JSON.Member] = [
                .init("model", .string(point.model)), .init("mode", .string(point.mode.rawValue)),
                .init("devices", .integer(Int64(point.devices))),
                .init("tensor_parallel", .integer(Int64(point.tensorParallel))),
                .init("pipeline_parallel", .integer(Int64(point.pipelineParallel))),
                .init("batch", .integer(Int64(point.batch))),
            ]
            if let skipped = point.skipped {
                members.append(.init("skipped", .string(skipped)))
            } else {
                members += [
                    .init("iterations", .integer(Int64(point.iterations))),
                    .init("wall_seconds", .number(point.wallSeconds)),
                    .init("seconds_per_iteration", .number(point.secondsPerIteration)),
                    .init("seconds_per_request_step", .number(point.secondsPerRequestStep)),
                ]
            }
            return .object(members)
        }
        let fits = series(points).map { model, mode -> JSON in
            let fit = fit(points.filter { $0.model == model && $0.mode == mode })
            return .object([
                .init("model", .string(model)), .init("mode", .string(mode.rawValue)),
                .init("exponent", fit.map { .number($0.exponent) } ?? .null),
                .init("r_squared", fit.map { .number($0.rSquared) } ?? .null),
            ])
        }
        return JSON.object([
            "triad_version": .string(TriadVersion.current), "points": .array(items), "growth": .array(fits),
        ]).rendered
    }
}
