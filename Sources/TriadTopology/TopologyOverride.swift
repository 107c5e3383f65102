import Yams

/// A topology with some values replaced by key path — what a sweep varies. A path names a top-level key
/// (`interconnect.bandwidth_gb_per_s`), or starts at a device or group by its id as written (`pim.channels`,
/// `npu0.timing.cl`, `ternary.layers`), then walks nested keys. The value replaces the scalar there (or adds the
/// key to the mapping it names), and the result is parsed like any topology file, so every check still applies.
public enum TopologyOverride {
    /// Why a key path does not name a value of the topology.
    public struct Problem: Error, Sendable {
        public let message: String
    }

    /// `text` with every `(path, value)` applied, as YAML.
    public static func apply(_ overrides: [(path: String, value: String)], to text: String) throws -> String {
        guard var root = try? Yams.compose(yaml: text), root.mapping != nil else {
            throw Problem(message: "the topology is not a YAML mapping")
        }
        for (path, value) in overrides {
            let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !keys.contains(where: \.isEmpty) else {
                throw Problem(message: "key path '\(path)' has an empty part")
            }
            root = try replacing(in: root, keys: keys[...], value: value, path: path, top: true)
        }
        return try Yams.serialize(node: root)
    }

    private static func replacing(in node: Node, keys: ArraySlice<String>, value: String, path: String, top: Bool)
        throws -> Node
    {
        guard let key = keys.first else {
            guard case .scalar = node else {
                throw Problem(message: "key path '\(path)' names a collection, not a value")
            }
            return Node(value)
        }
        guard var mapping = node.mapping else {
            throw Problem(message: "key path '\(path)' goes through a value at '\(key)'")
        }
        if let child = mapping[key] {
            mapping[key] = try replacing(in: child, keys: keys.dropFirst(), value: value, path: path, top: false)
            return .mapping(mapping)
        }
        if top {
            for list in ["devices", "groups"] {
                guard case .sequence(var entries)? = mapping[list] else { continue }
                if let index = entries.firstIndex(where: { $0.mapping?["id"]?.string == key }) {
                    guard keys.count > 1 else {
                        throw Problem(
                            message:
                                "key path '\(path)' names \(list == "devices" ? "a device" : "a group"), not one of its values"
                        )
                    }
                    entries[index] = try replacing(
                        in: entries[index], keys: keys.dropFirst(), value: value, path: path, top: false)
                    mapping[list] = .sequence(entries)
                    return .mapping(mapping)
                }
            }
        }
        guard keys.count == 1, !top else {
            throw Problem(
                message:
                    "key path '\(path)': no '\(key)' in the topology\(top ? " (a top-level key, a device id or a group id)" : "")"
            )
        }
        mapping[key] = Node(value)
        return .mapping(mapping)
    }
}
