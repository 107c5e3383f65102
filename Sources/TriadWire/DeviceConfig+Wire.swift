import TriadCore
public import TriadDevices

extension DeviceDescription {
    /// The device as a `Configure` payload.
    public var wire: Triad_V1_DeviceConfig {
        var message = Triad_V1_DeviceConfig()
        message.id = id
        switch configuration {
        case .npu(let npu): message.npu = npu.wire
        case .pim(let pim): message.pim = pim.wire
        case .hbm(let memory): message.hbm = memory.wire
        case .fpga(let fpga): message.fpga = fpga.wire
        }
        return message
    }

    /// Rebuilds a device, rejecting values the cost models cannot use (zero clocks, counts or sizes).
    public init(wire: Triad_V1_DeviceConfig) throws(WireError) {
        guard !wire.id.isEmpty, wire.id.count <= 128 else {
            throw WireError(.malformed, "device id missing or too long")
        }
        let configuration: DeviceConfiguration
        switch wire.kind {
        case .npu(let npu)?: configuration = .npu(try NPUConfiguration(wire: npu))
        case .pim(let pim)?: configuration = .pim(try PIMConfiguration(wire: pim))
        case .hbm(let memory)?: configuration = .hbm(try MemoryConfiguration(wire: memory))
        case .fpga(let fpga)?: configuration = .fpga(try FPGAConfiguration(wire: fpga))
        case nil: throw WireError(.malformed, "device \(wire.id) has no configuration")
        }
        self.init(id: wire.id, configuration: configuration)
    }
}

/// A positive value no larger than a bound that keeps every cost model's arithmetic in range: counts up to
/// 65,536, sizes and bandwidths up to 2^50, timings up to 2^20 cycles, clocks up to 2^20 MHz.
private func positive<T: BinaryInteger>(_ value: T, _ name: String) throws(WireError) -> T {
    guard value > 0 else { throw WireError(.malformed, "\(name) must be positive") }
    let limit: Int64
    if T.self == UInt32.self {
        limit = 1 << 16
    } else if [
        "cl", "trcd", "trp", "tras", "trrd_s", "trrd_l", "tfaw", "tccd_s", "tccd_l", "twtr_s", "twtr_l", "twr",
        "trtp", "trefi", "trfc", "burst_cycles", "clock_mhz", "vector_op_latency_cycles",
    ].contains(name) {
        limit = 1 << 20
    } else {
        limit = 1 << 50
    }
    guard Int64(value) <= limit else { throw WireError(.malformed, "\(name) \(value) is out of range") }
    return value
}

private func wireClock(_ megahertz: Int64) throws(WireError) -> ClockFrequency {
    ClockFrequency(megahertz: try positive(megahertz, "clock_mhz"))
}

extension NPUConfiguration {
    var wire: Triad_V1_NPUConfig {
        var m = Triad_V1_NPUConfig()
        m.systolicArrays = UInt32(systolicArrays)
        m.arrayRows = UInt32(arrayRows)
        m.arrayColumns = UInt32(arrayColumns)
        m.clockMhz = clock.megahertz
        m.vectorUnits = UInt32(vectorUnits)
        m.vectorLanes = UInt32(vectorLanes)
        m.vectorOpLatencyCycles = vectorOpLatency
        m.sramBytes = sramBytes
        m.memoryBandwidthBytesPerSecond = memoryBandwidthBytesPerSecond
        m.macEnergyPj = macEnergyPicojoules
        m.vectorOpEnergyPj = vectorOpEnergyPicojoules
        m.staticPowerW = staticPowerWatts
        m.attentionMapping = attentionMapping.rawValue
        m.gemmMapping = gemmMapping.rawValue
        m.memoryEfficiency = memoryEfficiency
        m.prefetchesWeights = prefetchesWeights
        m.reusesWeights = reusesWeights
        m.pimIssueRate = UInt32(pimIssueRate)
        return m
    }

    init(wire m: Triad_V1_NPUConfig) throws(WireError) {
        self.init(
            systolicArrays: Int(try positive(m.systolicArrays, "systolic_arrays")),
            arrayRows: Int(try positive(m.arrayRows, "array_rows")),
            arrayColumns: Int(try positive(m.arrayColumns, "array_columns")), clock: try wireClock(m.clockMhz),
            vectorUnits: Int(try positive(m.vectorUnits, "vector_units")),
            vectorLanes: Int(try positive(m.vectorLanes, "vector_lanes")),
            vectorOpLatency: try positive(m.vectorOpLatencyCycles, "vector_op_latency_cycles"),
            sramBytes: try positive(m.sramBytes, "sram_bytes"),
            memoryBandwidthBytesPerSecond: try positive(m.memoryBandwidthBytesPerSecond, "memory_bandwidth"),
            macEnergyPicojoules: m.macEnergyPj, vectorOpEnergyPicojoules: m.vectorOpEnergyPj,
            staticPowerWatts: m.staticPowerW)
        guard [m.macEnergyPj, m.vectorOpEnergyPj, m.staticPowerW].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw WireError(.malformed, "energies and power must be finite and non-negative")
        }
        guard let mapping = AttentionMapping(rawValue: m.attentionMapping) else {
            throw WireError(.malformed, "unknown attention mapping '\(m.attentionMapping)'")
        }
        attentionMapping = mapping
        guard let gemm = GEMMMapping(rawValue: m.gemmMapping.isEmpty ? "activation-stationary" : m.gemmMapping) else {
            throw WireError(.malformed, "unknown GEMM mapping '\(m.gemmMapping)'")
        }
        gemmMapping = gemm
        guard m.memoryEfficiency.isFinite, m.memoryEfficiency > 0, m.memoryEfficiency <= 1 else {
            throw WireError(.malformed, "memory_efficiency must be in (0, 1]")
        }
        memoryEfficiency = m.memoryEfficiency
        prefetchesWeights = m.prefetchesWeights
        reusesWeights = m.reusesWeights
        guard m.pimIssueRate <= 1 << 20 else { throw WireError(.malformed, "pim_issue_rate out of range") }
        pimIssueRate = Int(m.pimIssueRate)
    }
}

extension MemoryConfiguration {
    var wire: Triad_V1_MemoryConfig {
        var m = Triad_V1_MemoryConfig()
        m.channels = UInt32(channels)
        m.channelBandwidthBytesPerSecond = channelBandwidthBytesPerSecond
        m.channelCapacityBytes = channelCapacityBytes
        m.rowBytes = rowBytes
        m.accessBytes = accessBytes
        m.clockMhz = clock.megahertz
        m.activateEnergyPj = activateEnergyPicojoules
        m.readEnergyPj = readEnergyPicojoules
        m.writeEnergyPj = writeEnergyPicojoules
        m.standbyEnergyPjPerCycle = standbyEnergyPicojoulesPerCycle
        return m
    }

    init(wire m: Triad_V1_MemoryConfig) throws(WireError) {
        self.init(
            channels: Int(try positive(m.channels, "channels")),
            channelBandwidthBytesPerSecond: try positive(m.channelBandwidthBytesPerSecond, "channel_bandwidth"),
            channelCapacityBytes: try positive(m.channelCapacityBytes, "channel_capacity_bytes"),
            rowBytes: try positive(m.rowBytes, "row_bytes"), accessBytes: try positive(m.accessBytes, "access_bytes"),
            clock: try wireClock(m.clockMhz), activateEnergyPicojoules: m.activateEnergyPj,
            readEnergyPicojoules: m.readEnergyPj, writeEnergyPicojoules: m.writeEnergyPj,
            standbyEnergyPicojoulesPerCycle: m.standbyEnergyPjPerCycle)
    }
}

extension DRAMTiming {
    var wire: Triad_V1_DRAMTiming {
        var m = Triad_V1_DRAMTiming()
        m.cl = casLatency
        m.trcd = rowToColumnDelay
        m.trp = rowPrecharge
        m.tras = rowActive
        m.trrdS = activateToActivateShort
        m.trrdL = activateToActivateLong
        m.tfaw = fourActivateWindow
        m.tccdS = columnToColumnShort
        m.tccdL = columnToColumnLong
        m.twtrS = writeToReadShort
        m.twtrL = writeToReadLong
        m.twr = writeRecovery
        m.trtp = readToPrecharge
        m.trefi = refreshInterval
        m.trfc = refreshCycle
        m.burstCycles = burstCycles
        m.al = additiveLatency
        return m
    }

    init(wire m: Triad_V1_DRAMTiming) throws(WireError) {
        self.init(
            casLatency: try positive(m.cl, "cl"), rowToColumnDelay: try positive(m.trcd, "trcd"),
            rowPrecharge: try positive(m.trp, "trp"), rowActive: try positive(m.tras, "tras"),
            activateToActivateShort: try positive(m.trrdS, "trrd_s"),
            activateToActivateLong: try positive(m.trrdL, "trrd_l"), fourActivateWindow: try positive(m.tfaw, "tfaw"),
            columnToColumnShort: try positive(m.tccdS, "tccd_s"), columnToColumnLong: try positive(m.tccdL, "tccd_l"),
            writeToReadShort: try positive(m.twtrS, "twtr_s"), writeToReadLong: try positive(m.twtrL, "twtr_l"),
            writeRecovery: try positive(m.twr, "twr"), readToPrecharge: try positive(m.trtp, "trtp"),
            refreshInterval: try positive(m.trefi, "trefi"), refreshCycle: try positive(m.trfc, "trfc"),
            burstCycles: try positive(m.burstCycles, "burst_cycles"), additiveLatency: max(0, m.al))
        guard refreshCycle < refreshInterval else { throw WireError(.malformed, "trfc must be shorter than trefi") }
    }
}

extension PIMConfiguration {
    var wire: Triad_V1_PIMConfig {
        var m = Triad_V1_PIMConfig()
        m.memory = memory.wire
        m.ranks = UInt32(ranks)
        m.bankGroups = UInt32(bankGroups)
        m.banksPerGroup = UInt32(banksPerGroup)
        m.multipliersPerBank = UInt32(multipliersPerBank)
        m.elementBytes = UInt32(elementBytes)
        m.timing = timing.wire
        m.rowBuffers = rowBuffers.rawValue
        m.fidelity = fidelity.rawValue
        m.compEnergyPj = compEnergyPicojoules
        m.gactEnergyPj = groupActivateEnergyPicojoules
        m.gwriteEnergyPj = globalWriteEnergyPicojoules
        m.readresEnergyPj = readResultEnergyPicojoules
        m.commandSet = commandSet.rawValue
        return m
    }

    init(wire m: Triad_V1_PIMConfig) throws(WireError) {
        guard let rowBuffers = RowBuffers(rawValue: m.rowBuffers), let fidelity = Fidelity(rawValue: m.fidelity) else {
            throw WireError(.malformed, "unknown row_buffers or fidelity")
        }
        self.init(
            memory: try MemoryConfiguration(wire: m.memory), ranks: Int(try positive(m.ranks, "ranks")),
            bankGroups: Int(try positive(m.bankGroups, "bank_groups")),
            banksPerGroup: Int(try positive(m.banksPerGroup, "banks_per_group")),
            multipliersPerBank: Int(try positive(m.multipliersPerBank, "multipliers_per_bank")),
            elementBytes: Int(try positive(m.elementBytes, "element_bytes")), timing: try DRAMTiming(wire: m.timing),
            rowBuffers: rowBuffers, fidelity: fidelity, compEnergyPicojoules: m.compEnergyPj,
            groupActivateEnergyPicojoules: m.gactEnergyPj, globalWriteEnergyPicojoules: m.gwriteEnergyPj,
            readResultEnergyPicojoules: m.readresEnergyPj)
        guard compsPerRow > 0, banksPerChannel <= 4096 else {
            throw WireError(.malformed, "PIM organisation out of range")
        }
        guard let commands = CommandSet(rawValue: m.commandSet.isEmpty ? "fused" : m.commandSet) else {
            throw WireError(.malformed, "unknown command_set '\(m.commandSet)'")
        }
        commandSet = commands
    }
}

extension FPGAConfiguration {
    var wire: Triad_V1_FPGAConfig {
        var m = Triad_V1_FPGAConfig()
        m.cores = UInt32(cores)
        m.addersPerCore = UInt32(addersPerCore)
        m.clockMhz = clock.megahertz
        m.bitsPerWeight = bitsPerWeight
        m.memoryBandwidthBytesPerSecond = memoryBandwidthBytesPerSecond
        m.memoryEfficiency = memoryEfficiency
        m.memoryBytes = memoryBytes
        m.powerW = powerWatts
        m.fixedLatencyCycles = fixedLatencyCycles
        m.elementwiseLanes = UInt32(elementwiseLanes)
        return m
    }

    init(wire m: Triad_V1_FPGAConfig) throws(WireError) {
        guard m.bitsPerWeight > 0, m.bitsPerWeight <= 64, m.memoryEfficiency > 0, m.memoryEfficiency <= 1,
            m.powerW.isFinite, m.powerW >= 0
        else {
            throw WireError(.malformed, "bits_per_weight and memory_efficiency must be positive")
        }
        self.init(
            cores: Int(try positive(m.cores, "cores")),
            addersPerCore: Int(try positive(m.addersPerCore, "adders_per_core")),
            clock: try wireClock(m.clockMhz), bitsPerWeight: m.bitsPerWeight,
            memoryBandwidthBytesPerSecond: try positive(m.memoryBandwidthBytesPerSecond, "memory_bandwidth"),
            memoryEfficiency: m.memoryEfficiency, memoryBytes: try positive(m.memoryBytes, "memory_bytes"),
            powerWatts: m.powerW, fixedLatencyCycles: max(0, m.fixedLatencyCycles),
            elementwiseLanes: Int(try positive(m.elementwiseLanes, "elementwise_lanes")))
    }
}
