import Foundation
import TriadCore
import TriadScheduling
import TriadTopology
import Yams

/// Reads a sweep spec (YAML, docs/SWEEP.md) with every problem at file:line:column, like a topology file.
public enum SweepSpecParser {
    /// The most runs one sweep may have (points × seeds).
    public static let maximumRuns = 1_000_000

    /// Parses `text`; `file` names it in errors (and its directory is where relative topology paths start). Every
    /// problem is a `SweepSpecError` at its file:line:column.
    public static func parse(_ text: String, file: String) throws(SweepSpecError) -> SweepSpec {
        do {
            return try read(text, file: file)
        } catch let error as TopologyError {
            // The spec is read with the topology files' YAML reader, whose errors carry the location.
            throw SweepSpecError(file: error.file, line: error.line, column: error.column, message: error.message)
        } catch {
            throw SweepSpecError(file: file, line: 1, column: 1, message: "\(error)")
        }
    }

    /// A run limit (`Experiment.Limits`, the one set every path checks) as the parser's integer range.
    private static func range(_ limit: ClosedRange<Int>) -> ClosedRange<Int64> {
        Int64(limit.lowerBound)...Int64(limit.upperBound)
    }

    private static func read(_ text: String, file: String) throws -> SweepSpec {
        let root = try TopologyParser.document(text, file: file, what: "the sweep spec")
        var top = try MappingReader(root, what: "the sweep spec", file: file)
        var locations: [String: SourceLocation] = [:]
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()

        /// The scalars of `key` (a scalar or a list of them), each ≤ 4,096 characters, at most 10,000.
        func texts(_ key: String, required: Bool, default fallback: [String] = []) throws -> [(String, Node)] {
            guard let node = required ? try top.required(key) : top.optional(key) else {
                return fallback.map { ($0, root) }
            }
            let items = node.sequence.map(Array.init) ?? [node]
            guard !items.isEmpty, items.count <= 10_000 else {
                throw top.error(.invalidValue, at: node, "'\(key)' must list 1…10,000 values")
            }
            var seen: Set<String> = []
            return try items.map { item in
                guard case .scalar(let scalar) = item, scalar.string.count <= 4096, !scalar.string.isEmpty else {
                    throw top.error(
                        .wrongType, at: item,
                        "each value of '\(key)' must be a non-empty scalar of at most 4,096 characters")
                }
                guard seen.insert(scalar.string).inserted else {
                    throw top.error(
                        .invalidValue, at: item, "'\(key)' lists '\(MappingReader.excerpt(scalar.string))' twice")
                }
                locations[SweepSpec.locationKey(key, scalar.string)] = SourceLocation(
                    line: item.mark?.line ?? 1, column: item.mark?.column ?? 1)
                return (scalar.string, item)
            }
        }
        func integers(_ key: String, _ range: ClosedRange<Int64>, default fallback: [Int64]) throws -> [Int64] {
            guard top.optional(key) != nil else { return fallback }
            return try texts(key, required: true).map { text, node in
                guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
                    let value = Int64(text.filter { $0 != "_" }), range.contains(value)
                else {
                    throw top.error(
                        .invalidValue, at: node,
                        "each value of '\(key)' must be an integer in \(range.lowerBound)…\(range.upperBound) (got '\(MappingReader.excerpt(text))')"
                    )
                }
                return value
            }
        }
        func single(_ key: String, _ range: ClosedRange<Int64>, default fallback: Int64) throws -> Int {
            guard top.optional(key) != nil else { return Int(fallback) }
            return Int(try top.integer(key, minimum: range.lowerBound, maximum: range.upperBound))
        }

        let name = try top.string("name")
        guard !name.isEmpty, name.count <= 128, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw top.error(.invalidValue, at: top.optional("name"), "'name' must be 1…128 printable characters")
        }
        let topologies = try texts("topologies", required: true).map(\.0)
        let policies = try texts("policies", required: true).map(\.0)
        var spec = SweepSpec(
            name: name, topologies: topologies,
            models: try texts("models", required: false, default: ["gpt3-7b"]).map(\.0),
            workloads: try texts("workloads", required: false, default: ["sharegpt"]).map(\.0),
            batches: try integers("batches", Self.range(Experiment.Limits.batch), default: [256]).map { Int($0) },
            policies: policies)
        spec.file = file
        spec.directory = directory.path
        spec.seeds = try integers("seeds", 0...Int64.max, default: [1]).map { UInt64($0) }
        spec.iterations = try single("iterations", Self.range(Experiment.Limits.iterations), default: 1_000)
        spec.warmup = try single("warmup", Self.range(Experiment.Limits.warmup), default: 0)
        spec.maxSequence = try single("max_sequence", Self.range(Experiment.Limits.maxSequence), default: 2048)
        if top.optional("arrival_rates") != nil {
            spec.arrivalRates = try texts("arrival_rates", required: true).map { text, node -> Double? in
                guard let rate = Double(text), rate.isFinite, rate >= 1e-6, rate <= 1e6 else {
                    throw top.error(
                        .invalidValue, at: node,
                        "each value of 'arrival_rates' must be requests per second in 0.000001…1000000 (got '\(MappingReader.excerpt(text))')"
                    )
                }
                return rate
            }
        }
        if let node = top.optional("prefill") {
            guard let mode = node.string.flatMap(ServingOptions.Prefill.init) else {
                throw top.error(.invalidValue, at: node, "'prefill' must be \(ServingOptions.Prefill.accepted)")
            }
            spec.prefill = mode
        }
        if top.optional("slo_ttft_ms") != nil {
            spec.sloTtftMilliseconds = try top.number("slo_ttft_ms", minimum: 1e-6, allowZero: false)
        }
        if top.optional("slo_tpot_ms") != nil {
            spec.sloTpotMilliseconds = try top.number("slo_tpot_ms", minimum: 1e-6, allowZero: false)
        }
        if let node = top.optional("baseline") {
            guard let baseline = node.string, policies.contains(baseline) else {
                throw top.error(
                    .invalidValue, at: node,
                    "'baseline' must be one of the sweep's policies (\(policies.joined(separator: ", ")))")
            }
            spec.baseline = baseline
        }
        if let node = top.optional("parallelism") {
            spec.parallelism = try parallelism(node, top: top)
        }
        if let node = top.optional("parameters") {
            spec.parameters = try parameters(node, top: top, locations: &locations)
        }
        if let node = top.optional("capacity") {
            var reader = try MappingReader(node, what: "'capacity'", file: top.file)
            let ttft = reader.optional("slo_ttft_ms") == nil
                ? nil : try reader.number("slo_ttft_ms", minimum: 1e-6, allowZero: false)
            let tpot = reader.optional("slo_tpot_ms") == nil
                ? nil : try reader.number("slo_tpot_ms", minimum: 1e-6, allowZero: false)
            guard ttft != nil || tpot != nil else {
                throw top.error(.invalidValue, at: node, "'capacity' needs slo_ttft_ms and/or slo_tpot_ms")
            }
            var criterion = CapacityCriterion(ttftLimitMilliseconds: ttft, tpotLimitMilliseconds: tpot)
            if reader.optional("percentile") != nil {
                let percentile = try reader.number("percentile", minimum: 1e-9, allowZero: false)
                guard percentile <= 100 else {
                    throw top.error(.invalidValue, at: reader.optional("percentile"), "'percentile' must be in 0…100")
                }
                criterion.percentile = percentile
            }
            if reader.optional("attainment") != nil {
                let attainment = try reader.number("attainment", minimum: 1e-9, allowZero: false)
                guard attainment <= 1 else {
                    throw top.error(.invalidValue, at: reader.optional("attainment"), "'attainment' must be in 0…1")
                }
                criterion.attainment = attainment
            }
            if reader.optional("requests") != nil {
                spec.capacityRequests = Int(try reader.integer("requests", maximum: 10_000_000))
                guard spec.capacityRequests >= 20 else {
                    throw top.error(.invalidValue, at: reader.optional("requests"), "'requests' must be at least 20")
                }
            }
            try reader.rejectUnknownKeys()
            guard spec.arrivalRates == [nil] else {
                throw top.error(.invalidValue, at: node, "'capacity' chooses the arrival rate: drop 'arrival_rates'")
            }
            spec.capacity = criterion
            if spec.prefill == .none { spec.prefill = .whole }
        }
        try top.rejectUnknownKeys()
        spec.locations = locations
        let points =
            spec.topologies.count * spec.parameters.reduce(1) { $0 * $1.count } * spec.models.count
            * spec.workloads.count * spec.parallelism.count * spec.arrivalRates.count * spec.batches.count
            * spec.policies.count
        guard points * spec.seeds.count <= maximumRuns else {
            throw top.error(
                .invalidValue, at: root, "the sweep has \(points * spec.seeds.count) runs; at most \(maximumRuns)")
        }
        return spec
    }

    /// `parallelism: [{tensor: T, pipeline: P}, …]` (or one mapping).
    private static func parallelism(_ node: Node, top: MappingReader) throws -> [SweepSpec.Parallelism?] {
        let items = node.sequence.map(Array.init) ?? [node]
        guard !items.isEmpty, items.count <= 1_000 else {
            throw top.error(.invalidValue, at: node, "'parallelism' must list 1…1,000 {tensor, pipeline} mappings")
        }
        return try items.map { item in
            var reader = try MappingReader(item, what: "a parallelism entry", file: top.file)
            let degrees = SweepSpec.Parallelism(
                tensor: Int(try reader.integer("tensor", maximum: 65_536)),
                pipeline: Int(try reader.integer("pipeline", maximum: 65_536)))
            try reader.rejectUnknownKeys()
            return degrees
        }
    }

    /// `parameters: {key.path: [values], zip: {path: [values], …}}`: topology values varied by key path, each path an
    /// axis of the grid — except those under `zip`, whose lists (of one length) vary together as one axis.
    private static func parameters(_ node: Node, top: MappingReader, locations: inout [String: SourceLocation])
        throws -> [SweepSpec.Parameter]
    {
        guard let mapping = node.mapping, mapping.count <= 64 else {
            throw top.error(
                .wrongType, at: node, "'parameters' must map up to 64 topology key paths to lists of values")
        }
        var axes: [SweepSpec.Parameter] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            if key.string == "zip" {
                guard let zipped = value.mapping, zipped.count >= 1, zipped.count <= 64 else {
                    throw top.error(
                        .wrongType, at: value, "'zip' must map 1…64 topology key paths to lists of one length")
                }
                var paths: [String] = []
                var columns: [[String]] = []
                for (zippedKey, zippedValue) in zipped {
                    let (path, values) = try axis(zippedKey, zippedValue, top: top, locations: &locations)
                    if let first = columns.first, first.count != values.count {
                        throw top.error(
                            .invalidValue, at: zippedValue,
                            "'\(path)' lists \(values.count) values but '\(paths[0])' \(first.count): zipped lists vary together and must be as long"
                        )
                    }
                    guard seen.insert(path).inserted else {
                        throw top.error(.invalidValue, at: zippedKey, "'\(path)' is varied twice")
                    }
                    paths.append(path)
                    columns.append(values)
                }
                let rows = columns[0].indices.map { index in columns.map { $0[index] } }
                guard Set(rows).count == rows.count else {
                    throw top.error(.invalidValue, at: value, "'zip' lists the same values twice")
                }
                axes.append(SweepSpec.Parameter(zipping: paths, rows: rows))
                continue
            }
            let (path, values) = try axis(key, value, top: top, locations: &locations)
            guard Set(values).count == values.count else {
                throw top.error(.invalidValue, at: value, "'\(path)' lists a value twice")
            }
            guard seen.insert(path).inserted else {
                throw top.error(.invalidValue, at: key, "'\(path)' is varied twice")
            }
            axes.append(SweepSpec.Parameter(path: path, values: values))
        }
        return axes
    }

    /// One key path and its values (each a scalar, located for errors).
    private static func axis(_ key: Node, _ value: Node, top: MappingReader, locations: inout [String: SourceLocation])
        throws -> (path: String, values: [String])
    {
        guard let path = key.string, !path.isEmpty, path.count <= 256 else {
            throw top.error(.wrongType, at: key, "a parameter must be a topology key path (e.g. pim.channels)")
        }
        let items = value.sequence.map(Array.init) ?? [value]
        guard !items.isEmpty, items.count <= 10_000 else {
            throw top.error(.invalidValue, at: value, "'\(path)' must list 1…10,000 values")
        }
        let values = try items.map { item -> String in
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty, scalar.string.count <= 256 else {
                throw top.error(
                    .wrongType, at: item, "each value of '\(path)' must be a scalar of at most 256 characters")
            }
            locations[SweepSpec.locationKey(path, scalar.string)] = SourceLocation(
                line: item.mark?.line ?? 1, column: item.mark?.column ?? 1)
            return scalar.string
        }
        return (path, values)
    }
}
