import TriadCore
package import Yams

/// Reads typed fields of one YAML mapping, reporting each problem at its line and column, and
/// rejecting keys nobody read (typos).
package struct MappingReader {
    package let file: String
    package let what: String
    package let node: Node
    private(set) var pairs: [(key: String, value: Node, keyNode: Node)] = []
    private var used: Set<String> = []

    package init(_ node: Node, what: String, file: String) throws {
        self.file = file
        self.what = what
        self.node = node
        guard let mapping = node.mapping else {
            throw MappingReader.error(.wrongType, file: file, at: node, "\(what) must be a mapping of key: value")
        }
        for (key, value) in mapping {
            guard let name = key.string else {
                throw MappingReader.error(.wrongType, file: file, at: key, "\(what) has a key that is not a string")
            }
            pairs.append((name, value, key))
        }
    }

    package static func error(_ code: TopologyError.Code, file: String, at node: Node?, _ message: String)
        -> TopologyError
    {
        TopologyError(code, file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message)
    }

    package func error(_ code: TopologyError.Code, at node: Node?, _ message: String) -> TopologyError {
        MappingReader.error(code, file: file, at: node, message)
    }

    /// The value node of `key`, or nil.
    package mutating func optional(_ key: String) -> Node? {
        used.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    package mutating func required(_ key: String) throws -> Node {
        guard let value = optional(key) else {
            let unread = pairs.filter { !used.contains($0.key) && !TopologyKeys.all.contains($0.key) }
            if let typo = NearestName.suggestion(for: key, among: unread.map(\.key)),
                let pair = unread.first(where: { $0.key == typo })
            {
                throw error(
                    .unknownField, at: pair.keyNode, "unknown field '\(typo)' in \(what) (did you mean '\(key)'?)")
            }
            throw error(.missingField, at: node, "\(what) is missing required field '\(key)'")
        }
        return value
    }

    /// A plain (unquoted) scalar's text, or a type error naming what `key` must be: a quoted "128" is a
    /// string, not a number.
    private func plainScalar(_ key: String, _ value: Node, mustBe kind: String) throws -> String {
        guard case .scalar(let scalar) = value else {
            throw error(.wrongType, at: value, "'\(key)' of \(what) must be \(kind), got a collection")
        }
        guard scalar.style == .plain || scalar.style == .any else {
            throw error(
                .wrongType, at: value,
                "'\(key)' of \(what) must be \(kind), got the quoted string '\(Self.excerpt(scalar.string))'")
        }
        return scalar.string
    }

    /// `text` from the file as an error message may quote it: control characters escaped, at most 40 characters.
    package static func excerpt(_ text: String) -> String { LogSafe.text(text, limit: 40) }

    package mutating func string(_ key: String) throws -> String {
        let value = try required(key)
        guard case .scalar(let scalar) = value else {
            throw error(.wrongType, at: value, "'\(key)' of \(what) must be a string, got a collection")
        }
        return scalar.string
    }

    /// An integer in `minimum…maximum` (counts and cycles default to at most 2^20).
    package mutating func integer(_ key: String, minimum: Int64 = 1, maximum: Int64 = 1 << 20) throws -> Int64 {
        let value = try required(key)
        let text = try plainScalar(key, value, mustBe: "an integer")
        guard let number = Int64(text.filter { $0 != "_" }) else {
            let hint = Double(text).map { $0.isFinite && abs($0) >= 9.2e18 ? " (too large)" : "" } ?? ""
            throw error(
                .wrongType, at: value, "'\(key)' of \(what) must be an integer, got '\(Self.excerpt(text))'\(hint)")
        }
        guard number >= minimum else {
            let rule = minimum == 1 ? "positive" : minimum == 0 ? "zero or more" : "at least \(minimum)"
            throw error(.invalidValue, at: value, "'\(key)' of \(what) must be \(rule), got \(number)")
        }
        guard number <= maximum else {
            throw error(.invalidValue, at: value, "'\(key)' of \(what) must be at most \(maximum), got \(number)")
        }
        return number
    }

    /// A finite number above `minimum` (or equal, with `allowZero`) and at most `maximum`.
    package mutating func number(_ key: String, minimum: Double = 0, allowZero: Bool = true, maximum: Double = 1e9)
        throws
        -> Double
    {
        let value = try required(key)
        let text = try plainScalar(key, value, mustBe: "a number")
        let digits = text.filter { $0 != "_" }
        guard digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }), let number = Double(digits),
            number.isFinite
        else {
            throw error(
                .wrongType, at: value, "'\(key)' of \(what) must be a finite number, got '\(Self.excerpt(text))'")
        }
        guard number > minimum || (allowZero && number == minimum) else {
            throw error(
                .invalidValue, at: value,
                "'\(key)' of \(what) must be \(minimum > 0 ? "at least \(minimum)" : allowZero ? "zero or more" : "positive"), got \(Self.excerpt(text))"
            )
        }
        guard number <= maximum else {
            throw error(
                .invalidValue, at: value, "'\(key)' of \(what) must be at most \(maximum), got \(Self.excerpt(text))")
        }
        return number
    }

    package mutating func choice<T: RawRepresentable>(_ key: String, _ type: T.Type, allowed: [T]) throws -> T
    where T.RawValue == String {
        let value = try required(key)
        guard let text = value.string, let choice = T(rawValue: text) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            let hint = value.string.flatMap { NearestName.suggestion(for: $0, among: allowed.map(\.rawValue)) }
            throw error(
                .invalidValue, at: value,
                "'\(key)' of \(what) must be one of \(names), got '\(Self.excerpt(value.string ?? "a collection"))'\(hint.map { " (did you mean '\($0)'?)" } ?? "")"
            )
        }
        return choice
    }

    package mutating func boolean(_ key: String) throws -> Bool {
        let value = try required(key)
        guard let flag = Bool(try plainScalar(key, value, mustBe: "true or false")) else {
            throw error(
                .wrongType, at: value,
                "'\(key)' of \(what) must be true or false, got '\(Self.excerpt(value.string ?? ""))'")
        }
        return flag
    }

    /// Fails on the first key no reader asked for.
    package func rejectUnknownKeys() throws {
        for pair in pairs where !used.contains(pair.key) {
            let hint = NearestName.suggestion(for: pair.key, among: used.sorted()).map { " (did you mean '\($0)'?)" }
            throw error(
                .unknownField, at: pair.keyNode, "unknown field '\(Self.excerpt(pair.key))' in \(what)\(hint ?? "")")
        }
    }
}
