import TriadCore
import TriadDevices

/// Memory, DRAM timing and PIM parameters on the wire, range-checked on the way in.
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
        m.standbyPowerW = standbyPowerWatts
        return m
    }

    init(wire m: Triad_V1_MemoryConfig) throws(WireError) {
        self.init(
            channels: Int(try positive(m.channels, "channels")),
            channelBandwidthBytesPerSecond: try positive(m.channelBandwidthBytesPerSecond, "channel_bandwidth"),
            channelCapacityBytes: try positive(m.channelCapacityBytes, "channel_capacity_bytes"),
            rowBytes: try positive(m.rowBytes, "row_bytes"), accessBytes: try positive(m.accessBytes, "access_bytes"),
            clock: try wireClock(m.clockMhz),
            activateEnergyPicojoules: try energy(m.activateEnergyPj, "activate_energy_pj"),
            readEnergyPicojoules: try energy(m.readEnergyPj, "read_energy_pj"),
            writeEnergyPicojoules: try energy(m.writeEnergyPj, "write_energy_pj"),
            standbyPowerWatts: try energy(m.standbyPowerW, "standby_power_w"))
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
            burstCycles: try positive(m.burstCycles, "burst_cycles"),
            additiveLatency: m.al == 0 ? 0 : try positive(m.al, "al"))
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
        m.gqaMapping = groupMapping.rawValue
        m.queryVectors = UInt32(queryVectors)
        m.pimLevel = level.rawValue
        m.pimDataflow = dataflow.rawValue
        m.processingUnits = UInt32(unitsPerChannel)
        m.macIntervalCycles = macIntervalCycles
        m.pimReadEnergyPjPerByte = readEnergyPicojoulesPerByte
        m.pimMacEnergyPj = unitMACEnergyPicojoules
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
            rowBuffers: rowBuffers, fidelity: fidelity,
            compEnergyPicojoules: try energy(m.compEnergyPj, "comp_energy_pj"),
            groupActivateEnergyPicojoules: try energy(m.gactEnergyPj, "gact_energy_pj"),
            globalWriteEnergyPicojoules: try energy(m.gwriteEnergyPj, "gwrite_energy_pj"),
            readResultEnergyPicojoules: try energy(m.readresEnergyPj, "readres_energy_pj"))
        guard compsPerRow > 0, banksPerChannel <= 4096 else {
            throw WireError(.malformed, "PIM organisation out of range")
        }
        guard let commands = CommandSet(rawValue: m.commandSet.isEmpty ? "fused" : m.commandSet) else {
            throw WireError(.malformed, "unknown command_set '\(m.commandSet)'")
        }
        commandSet = commands
        guard let mapping = GroupMapping(rawValue: m.gqaMapping.isEmpty ? "replay" : m.gqaMapping) else {
            throw WireError(.malformed, "unknown gqa_mapping '\(m.gqaMapping.prefix(32))'")
        }
        groupMapping = mapping
        let vectors = m.queryVectors == 0 ? 1 : Int(m.queryVectors)
        guard Self.queryVectorRange.contains(vectors) else {
            throw WireError(.malformed, "query_vectors \(m.queryVectors) out of range")
        }
        queryVectors = vectors
        guard let level = Level(rawValue: m.pimLevel.isEmpty ? "bank" : m.pimLevel),
            let dataflow = Dataflow(rawValue: m.pimDataflow.isEmpty ? "newton" : m.pimDataflow)
        else { throw WireError(.malformed, "unknown pim_level or pim_dataflow") }
        guard dataflow == .streaming || level == .bank, dataflow == .newton || fidelity == .analytic else {
            throw WireError(
                .malformed,
                "pim_level \(level.rawValue) with pim_dataflow \(dataflow.rawValue) and fidelity \(fidelity.rawValue) is not a modelled PIM"
            )
        }
        (self.level, self.dataflow) = (level, dataflow)
        guard m.processingUnits == 0 || Self.unitsPerChannelRange.contains(Int(m.processingUnits)),
            m.macIntervalCycles == 0 || Self.macIntervalRange.contains(m.macIntervalCycles)
        else { throw WireError(.malformed, "processing_units or mac_interval_cycles out of range") }
        unitsPerChannel = Int(m.processingUnits)
        macIntervalCycles = m.macIntervalCycles
        readEnergyPicojoulesPerByte = try energy(m.pimReadEnergyPjPerByte, "pim_read_energy_pj_per_byte")
        unitMACEnergyPicojoules = try energy(m.pimMacEnergyPj, "pim_mac_energy_pj")
    }
}
