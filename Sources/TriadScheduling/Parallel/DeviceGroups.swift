public import TriadDevices

/// A topology's device groups as a run uses them: one `DeviceSet` per group, every group the same hardware
/// as the first (ids aside) — the run simulates the first group, and the others mirror it — and, for every
/// device, the first group's device it mirrors.
public struct DeviceGroups: Sendable {
    public let ids: [String]
    public let sets: [DeviceSet]
    /// Every device in topology order and the first-group device whose figures it shares (itself in the
    /// first group; nil for a device the run does not use).
    public let mirrors: [(device: String, mirrors: String?)]

    /// Builds the groups of `devices`. Inside a declared group every device reaches every other; a topology
    /// without groups is one group whose memory must be linked to its NPU explicitly (`attachments`).
    public init(
        groups: [(id: String, deviceIDs: [String])], devices: [DeviceDescription], attachments: [(String, String)],
        declared: Bool
    ) throws {
        var sets: [DeviceSet] = []
        for group in groups {
            let members = group.deviceIDs.compactMap { id in devices.first { $0.id == id } }
            var links = attachments.filter { group.deviceIDs.contains($0.0) && group.deviceIDs.contains($0.1) }
            if declared {
                for (index, a) in group.deviceIDs.enumerated() {
                    for b in group.deviceIDs.dropFirst(index + 1) { links.append((a, b)) }
                }
            }
            let set = try DeviceSet(devices: members, links: links)
            if let first = sets.first, !set.sameHardware(as: first) {
                throw SimulationError(
                    .notYetImplemented,
                    "group '\(group.id)' has other hardware than '\(groups[0].id)'; groups of different hardware are not yet supported",
                    device: group.id)
            }
            sets.append(set)
        }
        self.ids = groups.map(\.id)
        self.sets = sets
        var mirrors: [(String, String?)] = []
        let first = sets[0]
        for device in devices {
            let set = sets.first { $0.devices.contains { $0.id == device.id } }
            let mirrored: String?
            if let stack = set?.memoryStacks.firstIndex(where: { $0.id == device.id }) {
                mirrored = first.memoryStacks[stack].id
            } else {
                switch device.id {
                case set?.npu?.id: mirrored = first.npu?.id
                case set?.fpga?.id: mirrored = first.fpga?.id
                default: mirrored = nil
                }
            }
            mirrors.append((device.id, mirrored))
        }
        self.mirrors = mirrors
    }

    /// First-group device → the other groups' devices that mirror it (empty for one group).
    public var mirrorMap: [String: [String]] {
        var map: [String: [String]] = [:]
        for (device, mirrored) in mirrors {
            guard let mirrored, mirrored != device else { continue }
            map[mirrored, default: []].append(device)
        }
        return map
    }
}

extension DeviceSet {
    /// Whether `other` has the same hardware in every role (device ids aside).
    func sameHardware(as other: DeviceSet) -> Bool {
        npu?.configuration == other.npu?.configuration && memory?.configuration == other.memory?.configuration
            && memoryStacks.count == other.memoryStacks.count
            && fpga?.configuration == other.fpga?.configuration
    }
}
