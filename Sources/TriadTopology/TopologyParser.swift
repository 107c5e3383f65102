import TriadCore
import TriadDevices
package import Yams

/// Parses topology YAML into a `Topology`, with every problem reported as file:line:column.
public enum TopologyParser {
    /// The YAML document in `text`, or its syntax error (or a duplicate key) at file:line:column.
    package static func document(_ text: String, file: String, what: String) throws -> Node {
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw TopologyError(.syntax, file: file, line: 1, column: 1, "\(what) is empty")
            }
            return composed
        } catch let error as TopologyError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: file, text: text)
        }
    }

    /// A device's `worker:` program (1…4,096 printable characters), or nil.
    static func workerProgram(_ node: Node, file: String) throws -> (program: String, location: SourceLocation)? {
        guard let value = node.mapping?["worker"] else { return nil }
        guard case .scalar(let scalar) = value, !scalar.string.isEmpty, scalar.string.count <= 4096,
            scalar.string.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw MappingReader.error(
                .wrongType, file: file, at: value,
                "'worker' must be the path of a program (1…4,096 printable characters)")
        }
        return (scalar.string, SourceLocation(line: value.mark?.line ?? 1, column: value.mark?.column ?? 1))
    }

    /// Parses `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Topology {
        let root = try document(text, file: file, what: "the topology file")
        var top = try MappingReader(root, what: "the topology", file: file)
        let name = try top.string("name")
        guard !name.isEmpty, name.count <= 128, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw top.error(
                .invalidValue, at: top.optional("name"),
                "'name' must be 1…128 printable characters (no control characters)")
        }
        let description =
            try top.optional("description").map { node -> String in
                guard let text = node.string, text.count <= 4096,
                    text.unicodeScalars.allSatisfy({ ($0.value >= 0x20 && $0.value != 0x7F) || $0 == "\n" })
                else {
                    throw top.error(
                        .wrongType, at: node,
                        "'description' of the topology must be text of at most 4096 printable characters")
                }
                return text
            } ?? ""
        let deviceList = try top.required("devices")
        guard let deviceNodes = deviceList.sequence else {
            throw top.error(.wrongType, at: deviceList, "'devices' must be a list of devices")
        }
        guard deviceNodes.count > 0 else {
            throw top.error(.invalidValue, at: deviceList, "'devices' must list at least one device")
        }
        var devices: [DeviceDescription] = []
        var workers: [String: (program: String, location: SourceLocation)] = [:]
        var locations: [String: SourceLocation] = [:]
        for node in deviceNodes {
            let location = SourceLocation(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
            let program = try workerProgram(node, file: file)
            for device in try DeviceParser.parseDevices(node, file: file) {
                if let program { workers[device.id] = program }
                if let first = locations[device.id] {
                    throw top.error(
                        .duplicateID, at: node,
                        "duplicate device id '\(device.id)' (first defined at line \(first.line))")
                }
                locations[device.id] = location
                devices.append(device)
            }
        }
        let devicesLocation = SourceLocation(line: deviceList.mark?.line ?? 1, column: deviceList.mark?.column ?? 1)
        let system = SystemParser(file: file, devices: locations)
        let groups = try top.optional("groups").map { try system.groups($0, top: top) } ?? []
        let linked =
            try top.optional("links").map { try system.links($0, top: top, groups: groups) } ?? (
                attachments: [], groupLinks: []
            )
        let interconnect = try top.optional("interconnect").map { node -> LinkProperties in
            var reader = try MappingReader(node, what: "'interconnect'", file: file)
            let properties = try SystemParser.properties(&reader)
            try reader.rejectUnknownKeys()
            return properties
        }
        if (!linked.groupLinks.isEmpty || interconnect != nil) && groups.isEmpty {
            throw top.error(
                .invalidValue, at: top.optional("interconnect") ?? top.optional("links"),
                "links between groups need a 'groups' section")
        }
        try system.checkConnected(groups, links: linked.groupLinks, interconnect: interconnect != nil)
        let parallelism = try top.optional("parallelism").map { try system.parallelism($0) }
        try top.rejectUnknownKeys()
        var topology = Topology(
            name: name, description: description, devices: devices, links: linked.attachments,
            deviceLocations: locations, devicesLocation: devicesLocation)
        topology.groups = groups
        topology.groupLinks = linked.groupLinks
        topology.interconnect = interconnect
        topology.parallelism = parallelism
        topology.workers = workers
        return topology
    }

    private static func syntaxError(_ error: YamlError, file: String, text: String) -> TopologyError {
        switch error {
        case .duplicatedKeysInMapping(let keys, let context):
            let key = keys.first ?? "?"
            let duplicate = DuplicateKeyLocator.second(of: key, after: context.mark, in: text)
            return TopologyError(
                .syntax, file: file, line: duplicate?.line ?? context.mark.line,
                column: duplicate?.column ?? context.mark.column,
                "duplicate key '\(MappingReader.excerpt(key))' (first at line \(context.mark.line))")
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \(MappingReader.excerpt($0.text))" } ?? problem
            return TopologyError(
                .syntax, file: file, line: mark.line, column: mark.column, "YAML syntax error: \(detail)")
        default:
            return TopologyError(.syntax, file: file, line: 1, column: 1, "YAML syntax error")
        }
    }
}
