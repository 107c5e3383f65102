public import TriadDevices

/// A topology's device groups as a run uses them: one `DeviceSet` per group and, for every device, the
/// simulated device whose figures it shares. When every group is the same hardware the run simulates the first
/// group and the others mirror it; a pipeline whose stages differ (`arrange`) simulates the first group of every
/// stage, and each stage's tensor-parallel peers mirror it.
public struct DeviceGroups: Sendable {
    public let ids: [String]
    public let sets: [DeviceSet]
    /// The policy each group is pinned to (`policy:` in the topology), or nil.
    public let policies: [String?]
    /// The layers each group's stage is pinned to (`layers:`), or nil.
    public let layerPins: [Int?]
    /// Every device in topology order and the simulated device whose figures it shares (itself when
    /// simulated; nil for a device the run does not use).
    public private(set) var mirrors: [(device: String, mirrors: String?)]
    /// The group simulated for each pipeline stage: `[0]` while the groups are uniform, else the first group
    /// of every stage.
    public private(set) var leaders = [0]
    private let devices: [DeviceDescription]

    /// Builds the groups of `devices`. Inside a declared group every device reaches every other; a topology
    /// without groups is one group whose memory must be linked to its NPU explicitly (`attachments`).
    public init(
        groups: [(id: String, deviceIDs: [String])], devices: [DeviceDescription], attachments: [(String, String)],
        declared: Bool, policies: [String?] = [], layerPins: [Int?] = []
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
            sets.append(try DeviceSet(devices: members, links: links))
        }
        self.ids = groups.map(\.id)
        self.sets = sets
        self.policies = policies.count == sets.count ? policies : Array(repeating: nil, count: sets.count)
        self.layerPins = layerPins.count == sets.count ? layerPins : Array(repeating: nil, count: sets.count)
        self.devices = devices
        mirrors = []
        mirrors = mirrorList(leaderOf: { _ in 0 })
    }

    /// Whether every group is the same hardware (ids aside) and none is pinned to a policy or a number of
    /// layers: one simulated group stands for all.
    public var isUniform: Bool {
        sets.allSatisfy { $0.sameHardware(as: sets[0]) } && policies.allSatisfy { $0 == nil }
            && layerPins.allSatisfy { $0 == nil }
    }

    /// Whether the pipeline's stages are simulated one by one, each with its own policy (`arrange` found
    /// groups that differ or pin policies).
    public private(set) var isStaged = false

    /// Splits the groups into pipeline stages of `tensorRanks` groups each (stage-major, in file order). When
    /// the groups differ, every stage's groups must be the same hardware with the same policy (they are
    /// tensor-parallel peers), and each stage is simulated on its own first group.
    public mutating func arrange(tensorRanks: Int) throws {
        guard !isUniform, tensorRanks >= 1, sets.count % tensorRanks == 0 else { return }
        let stages = sets.count / tensorRanks
        for stage in 0..<stages {
            let leader = stage * tensorRanks
            for peer in (leader + 1)..<(leader + tensorRanks) {
                guard sets[peer].sameHardware(as: sets[leader]), policies[peer] == policies[leader],
                    layerPins[peer] == layerPins[leader]
                else {
                    throw SimulationError(
                        .incompatible,
                        "group '\(ids[peer])' differs from '\(ids[leader])' (hardware, policy or layers), its tensor-parallel peer in pipeline stage \(stage); the groups of a stage must be alike",
                        device: ids[peer])
                }
            }
        }
        isStaged = true
        leaders = (0..<stages).map { $0 * tensorRanks }
        mirrors = mirrorList(leaderOf: { ($0 / tensorRanks) * tensorRanks })
    }

    /// Every device and the device of its group's leader in the same role.
    private func mirrorList(leaderOf: (Int) -> Int) -> [(device: String, mirrors: String?)] {
        devices.map { device in
            guard let index = sets.firstIndex(where: { $0.devices.contains { $0.id == device.id } }) else {
                return (device.id, nil)
            }
            let set = sets[index]
            let leader = sets[leaderOf(index)]
            if let stack = set.memoryStacks.firstIndex(where: { $0.id == device.id }) {
                return (device.id, leader.memoryStacks[stack].id)
            }
            switch device.id {
            case set.npu?.id: return (device.id, leader.npu?.id)
            case set.fpga?.id: return (device.id, leader.fpga?.id)
            default: return (device.id, nil)
            }
        }
    }

    /// Simulated device → the other devices that mirror it (empty for one group).
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
