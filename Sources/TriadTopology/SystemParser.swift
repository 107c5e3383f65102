import TriadCore
import Yams

/// Parses what connects a topology's devices: `groups` (with a `count` shorthand), `links` (device to device
/// inside a group, or group to group with a speed), `interconnect` (the speed of every other group pair) and
/// `parallelism`; checks that the result is one connected system. Every problem has file:line:column.
struct SystemParser {
    let file: String
    let devices: [String: SourceLocation]

    /// The groups of `node`; `count: N` with `devices: [npu, pim]` makes groups `id0…` of `npu0, pim0`, ….
    func groups(_ node: Node, top: MappingReader) throws -> [DeviceGroup] {
        guard let entries = node.sequence, !entries.isEmpty else {
            throw top.error(.wrongType, at: node, "'groups' must be a non-empty list of {id, devices}")
        }
        var groups: [DeviceGroup] = []
        var owner: [String: String] = [:]
        for entry in entries {
            var reader = try MappingReader(entry, what: "a group", file: file)
            let id = try reader.string("id")
            if let problem = DeviceID.problem(id) {
                throw reader.error(
                    .invalidValue, at: reader.optional("id"),
                    "group \(problem.replacingOccurrences(of: "a device id", with: "id")) (got '\(MappingReader.excerpt(id))')"
                )
            }
            let listNode = try reader.required("devices")
            guard let members = listNode.sequence?.compactMap(\.string), members.count == listNode.sequence?.count,
                !members.isEmpty
            else {
                throw reader.error(.wrongType, at: listNode, "'devices' of group '\(id)' must be a list of device ids")
            }
            let count = reader.optional("count") == nil ? nil : Int(try reader.integer("count", maximum: 4096))
            let policyNode = reader.optional("policy")
            let policy = try policyNode.map { _ in try reader.string("policy") }
            if let policy, policy.isEmpty || policy.count > 64 {
                throw reader.error(
                    .invalidValue, at: policyNode,
                    "'policy' of group '\(id)' must be a policy name (got '\(MappingReader.excerpt(policy))')")
            }
            let policyLocation = policyNode.map {
                SourceLocation(line: $0.mark?.line ?? 1, column: $0.mark?.column ?? 1)
            }
            let layers = reader.optional("layers") == nil ? nil : Int(try reader.integer("layers", maximum: 65_536))
            let roleNode = reader.optional("role")
            let role = try roleNode.map { _ in try reader.string("role") } ?? "decode"
            guard role == "decode" || role == "prefill" else {
                throw reader.error(
                    .invalidValue, at: roleNode,
                    "'role' of group '\(id)' must be decode or prefill (got '\(MappingReader.excerpt(role))')")
            }
            try reader.rejectUnknownKeys()
            let location = SourceLocation(line: entry.mark?.line ?? 1, column: entry.mark?.column ?? 1)
            let copies: [(String, [String])] =
                count.map { n in (0..<n).map { i in ("\(id)\(i)", members.map { "\($0)\(i)" }) } } ?? [(id, members)]
            for (groupID, deviceIDs) in copies {
                if groups.contains(where: { $0.id == groupID }) || devices[groupID] != nil {
                    throw reader.error(.duplicateID, at: entry, "group id '\(groupID)' is already used")
                }
                for device in deviceIDs {
                    guard devices[device] != nil else {
                        let hint = NearestName.suggestion(for: device, among: devices.keys.sorted()).map {
                            " (did you mean '\($0)'?)"
                        }
                        throw reader.error(
                            .danglingLink, at: listNode,
                            "group '\(groupID)' names no device '\(MappingReader.excerpt(device))'\(hint ?? "")")
                    }
                    if let other = owner[device] {
                        throw reader.error(
                            .invalidValue, at: listNode, "device '\(device)' is in groups '\(other)' and '\(groupID)'")
                    }
                    owner[device] = groupID
                }
                var group = DeviceGroup(
                    id: groupID, deviceIDs: deviceIDs, location: location, policy: policy,
                    policyLocation: policyLocation)
                group.layers = layers
                group.prefillsOnly = role == "prefill"
                groups.append(group)
            }
        }
        if let loose = devices.keys.sorted().first(where: { owner[$0] == nil }) {
            throw top.error(.invalidValue, at: node, "device '\(loose)' is in no group (every device belongs to one)")
        }
        return groups
    }

    /// A link's speed from `bandwidth_gb_per_s` and `latency_ns`.
    static func properties(_ reader: inout MappingReader) throws -> LinkProperties {
        let bandwidth = try reader.number("bandwidth_gb_per_s", minimum: 0.001, maximum: 1e6)
        let latency = try reader.number("latency_ns", maximum: 1e9)
        return LinkProperties(
            bandwidthBytesPerSecond: Int64((bandwidth * 1e9).rounded()), latency: Int64((latency * 1000).rounded()))
    }

    /// The link entries: device pairs (memory attachment, as files without groups use) and group pairs with
    /// a speed.
    func links(_ node: Node, top: MappingReader, groups: [DeviceGroup]) throws -> (
        attachments: [(String, String)], groupLinks: [GroupLink]
    ) {
        guard let entries = node.sequence else {
            throw top.error(.wrongType, at: node, "'links' must be a list of {from: ID, to: ID}")
        }
        let groupIDs = Set(groups.map(\.id))
        var attachments: [(String, String)] = []
        var groupLinks: [GroupLink] = []
        var lines: [Set<String>: Int] = [:]
        for entry in entries {
            var link = try MappingReader(entry, what: "a link", file: file)
            let ends = (try link.string("from"), try link.string("to"))
            let known = devices.keys.sorted() + groupIDs.sorted()
            for (key, id) in [("from", ends.0), ("to", ends.1)] where devices[id] == nil && !groupIDs.contains(id) {
                let hint = NearestName.suggestion(for: id, among: known).map { " (did you mean '\($0)'?)" }
                throw link.error(
                    .danglingLink, at: link.optional(key),
                    "link \(key) '\(MappingReader.excerpt(id))' names no device or group\(hint ?? "")")
            }
            guard ends.0 != ends.1 else {
                throw link.error(.invalidValue, at: entry, "link connects '\(ends.0)' to itself")
            }
            if let first = lines[[ends.0, ends.1]] {
                throw link.error(
                    .invalidValue, at: entry,
                    "duplicate link between '\(ends.0)' and '\(ends.1)' (first at line \(first))")
            }
            lines[[ends.0, ends.1]] = entry.mark?.line ?? 0
            let location = SourceLocation(line: entry.mark?.line ?? 1, column: entry.mark?.column ?? 1)
            switch (groupIDs.contains(ends.0), groupIDs.contains(ends.1)) {
            case (true, true):
                groupLinks.append(
                    GroupLink(from: ends.0, to: ends.1, properties: try Self.properties(&link), location: location))
            case (false, false):
                attachments.append(ends)
            default:
                throw link.error(.invalidValue, at: entry, "a link joins two devices or two groups, not one of each")
            }
            try link.rejectUnknownKeys()
        }
        return (attachments, groupLinks)
    }

    /// `tensor` and `pipeline`, each optional, at least 1.
    func parallelism(_ node: Node) throws -> Parallelism {
        var reader = try MappingReader(node, what: "'parallelism'", file: file)
        let tensor = reader.optional("tensor") == nil ? nil : Int(try reader.integer("tensor", maximum: 65_536))
        let pipeline = reader.optional("pipeline") == nil ? nil : Int(try reader.integer("pipeline", maximum: 65_536))
        try reader.rejectUnknownKeys()
        return Parallelism(
            tensor: tensor, pipeline: pipeline,
            location: SourceLocation(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1))
    }

    /// Every group reaches every other over group links or the interconnect.
    func checkConnected(_ groups: [DeviceGroup], links: [GroupLink], interconnect: Bool) throws {
        guard groups.count > 1, !interconnect else { return }
        var reached: Set<String> = [groups[0].id]
        var frontier = [groups[0].id]
        while let current = frontier.popLast() {
            for link in links where link.from == current || link.to == current {
                let other = link.from == current ? link.to : link.from
                if reached.insert(other).inserted { frontier.append(other) }
            }
        }
        if let lonely = groups.first(where: { !reached.contains($0.id) }) {
            throw TopologyError(
                .danglingLink, file: file, line: lonely.location.line, column: lonely.location.column,
                "group '\(lonely.id)' is not linked to group '\(groups[0].id)' (add a link or an interconnect)")
        }
    }
}
