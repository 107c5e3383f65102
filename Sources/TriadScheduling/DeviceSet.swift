public import TriadDevices

/// The devices of a topology a run uses, by role: one NPU and the memory stack linked to it, one FPGA.
///
/// A topology describes one device group; a model split by tensor or pipeline parallelism runs one such
/// group per shard, all identical, so simulating one group stands for all.
public struct DeviceSet: Sendable {
    /// Every device, in topology order.
    public let devices: [DeviceDescription]
    public let npu: (id: String, configuration: NPUConfiguration)?
    /// The memory stack the NPU streams from (PIM or plain HBM); the first when the group has several.
    public let memory: DeviceDescription?
    /// Every memory stack of the group (identical hardware): KV caches spread over the channels of all of
    /// them, and the NPU streams from all of them.
    public let memoryStacks: [DeviceDescription]
    public let fpga: (id: String, configuration: FPGAConfiguration)?

    /// Resolves roles from `devices` and undirected `links` (pairs of device ids).
    public init(devices: [DeviceDescription], links: [(String, String)]) throws {
        self.devices = devices
        func single(_ kinds: Set<DeviceKind>) throws -> DeviceDescription? {
            let matches = devices.filter { kinds.contains($0.configuration.kind) }
            guard matches.count <= 1 else {
                let ids = matches.map(\.id).joined(separator: ", ")
                throw SimulationError(
                    .notYetImplemented,
                    "a group with more than one \(kinds.map(\.rawValue).sorted().joined(separator: "/")) device (\(ids)) is not yet supported; give each its own group (groups:, Topologies/README.md)",
                    device: matches[1].id)
            }
            return matches.first
        }
        let npuDevice = try single([.npu])
        let stacks = devices.filter { [.pim, .hbm].contains($0.configuration.kind) }
        if let different = stacks.first(where: { $0.configuration != stacks[0].configuration }) {
            throw SimulationError(
                .notYetImplemented,
                "memory stacks of different hardware in one group (\(stacks[0].id), \(different.id)) are not yet supported",
                device: different.id)
        }
        guard stacks.count <= 64 else {
            throw SimulationError(
                .incompatible, "a group holds at most 64 memory stacks (got \(stacks.count))", device: stacks[64].id)
        }
        let memoryDevice = stacks.first
        let fpgaDevice = try single([.fpga])
        if case .npu(let configuration)? = npuDevice?.configuration {
            npu = (npuDevice!.id, configuration)
        } else {
            npu = nil
        }
        if case .fpga(let configuration)? = fpgaDevice?.configuration {
            fpga = (fpgaDevice!.id, configuration)
        } else {
            fpga = nil
        }
        if let npuDevice {
            for stack in stacks {
                let linked = links.contains {
                    ($0.0 == npuDevice.id && $0.1 == stack.id) || ($0.1 == npuDevice.id && $0.0 == stack.id)
                }
                guard linked else {
                    throw SimulationError(
                        .incompatible, "memory \(stack.id) is not linked to NPU \(npuDevice.id)", device: stack.id)
                }
            }
        }
        if let memoryDevice, npuDevice != nil {
            let delivered: Int64? = {
                switch memoryDevice.configuration {
                case .pim(let pim): return pim.memory.bandwidthBytesPerSecond * Int64(stacks.count)  // ≤ 64 × 10^15 B/s
                case .hbm(let memory): return memory.bandwidthBytesPerSecond * Int64(stacks.count)
                default: return nil
                }
            }()
            if let delivered, let npu, npu.configuration.memoryBandwidthBytesPerSecond > delivered {
                throw SimulationError(
                    .incompatible,
                    "\(npu.id)'s memory_bandwidth_gb_per_s (\(Double(npu.configuration.memoryBandwidthBytesPerSecond) / 1e9)) exceeds what \(memoryDevice.id)'s channels deliver (channels × channel_bandwidth_gb_per_s = \(Double(delivered) / 1e9))",
                    device: npu.id)
            }
        }
        memory = memoryDevice
        memoryStacks = stacks
    }

    /// The PIM configuration, if the memory stacks compute; with several stacks, their channels together.
    public var pim: PIMConfiguration? {
        guard case .pim(var configuration)? = memory?.configuration else { return nil }
        configuration.memory.channels *= max(1, memoryStacks.count)
        return configuration
    }

    /// The memory organisation of the stacks, PIM or plain, with the channels of all of them.
    public var memoryConfiguration: MemoryConfiguration? {
        var configuration: MemoryConfiguration
        switch memory?.configuration {
        case .pim(let pim)?: configuration = pim.memory
        case .hbm(let memory)?: configuration = memory
        default: return nil
        }
        configuration.channels *= max(1, memoryStacks.count)
        return configuration
    }
}
