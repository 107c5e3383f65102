import Yams

/// Reads typed fields of one YAML mapping, reporting each problem at its line and column, and
/// rejecting keys nobody read (typos).
struct MappingReader {
    let file: String
    let what: String
    let node: Node
    private(set) var pairs: [(key: String, value: Node, keyNode: Node)] = []
    private var used: Set<String> = []

    init(_ node: Node, what: String, file: String) throws {
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

    static func error(_ code: TopologyError.Code, file: String, at node: Node?, _ message: String) -> TopologyError {
        TopologyError(code, file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message)
    }

    func error(_ code: TopologyError.Code, at node: Node?, _ message: String) -> TopologyError {
        MappingReader.error(code, file: file, at: node, message)
    }

    /// The value node of `key`, or nil.
    mutating func optional(_ key: String) -> Node? {
        used.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    mutating func required(_ key: String) throws -> Node {
        guard let value = optional(key) else {
            throw error(.missingField, at: node, "\(what) is missing required field '\(key)'")
        }
        return value
    }

    mutating func string(_ key: String) throws -> String {
        let value = try required(key)
        guard case .scalar(let scalar) = value else {
            throw error(.wrongType, at: value, "'\(key)' of \(what) must be a string, got a collection")
        }
        return scalar.string
    }

    /// An integer in `minimum…maximum` (counts and cycles default to at most 2^20).
    mutating func integer(_ key: String, minimum: Int64 = 1, maximum: Int64 = 1 << 20) throws -> Int64 {
        let value = try required(key)
        guard case .scalar(let scalar) = value, let number = Int64(scalar.string.filter { $0 != "_" }) else {
            throw error(
                .wrongType, at: value, "'\(key)' of \(what) must be an integer, got '\(value.string ?? "a collection")'"
            )
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
    mutating func number(_ key: String, minimum: Double = 0, allowZero: Bool = true, maximum: Double = 1e9) throws
        -> Double
    {
        let value = try required(key)
        guard case .scalar(let scalar) = value, let number = Double(scalar.string.filter { $0 != "_" }),
            number.isFinite
        else {
            throw error(
                .wrongType, at: value, "'\(key)' of \(what) must be a number, got '\(value.string ?? "a collection")'")
        }
        guard number > minimum || (allowZero && number == minimum) else {
            throw error(
                .invalidValue, at: value,
                "'\(key)' of \(what) must be \(allowZero ? "zero or more" : "positive"), got \(scalar.string)")
        }
        guard number <= maximum else {
            throw error(.invalidValue, at: value, "'\(key)' of \(what) must be at most \(maximum), got \(scalar.string)")
        }
        return number
    }

    mutating func choice<T: RawRepresentable>(_ key: String, _ type: T.Type, allowed: [T]) throws -> T
    where T.RawValue == String {
        let value = try required(key)
        guard let text = value.string, let choice = T(rawValue: text) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            throw error(
                .invalidValue, at: value,
                "'\(key)' of \(what) must be one of \(names), got '\(value.string ?? "a collection")'")
        }
        return choice
    }

    mutating func boolean(_ key: String) throws -> Bool {
        let value = try required(key)
        guard case .scalar(let scalar) = value, let flag = Bool(scalar.string) else {
            throw error(
                .wrongType, at: value, "'\(key)' of \(what) must be true or false, got '\(value.string ?? "a collection")'")
        }
        return flag
    }

    /// Fails on the first key no reader asked for.
    func rejectUnknownKeys() throws {
        for pair in pairs where !used.contains(pair.key) {
            throw error(.unknownField, at: pair.keyNode, "unknown field '\(pair.key)' in \(what)")
        }
    }
}
