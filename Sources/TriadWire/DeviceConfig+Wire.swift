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
/// 2^20 (as a topology allows), sizes and bandwidths up to 2^50, timings up to 2^20 cycles, clocks up to
/// 2^20 MHz.
func positive<T: BinaryInteger>(_ value: T, _ name: String) throws(WireError) -> T {
    guard value > 0 else { throw WireError(.malformed, "\(name) must be positive") }
    let limit: Int64
    if T.self == UInt32.self {
        limit = 1 << 20
    } else if [
        "cl", "trcd", "trp", "tras", "trrd_s", "trrd_l", "tfaw", "tccd_s", "tccd_l", "twtr_s", "twtr_l", "twr",
        "trtp", "trefi", "trfc", "burst_cycles", "al", "clock_mhz", "vector_op_latency_cycles", "fixed_latency_cycles",
    ].contains(name) {
        limit = 1 << 20
    } else {
        limit = 1 << 50
    }
    guard Int64(value) <= limit else { throw WireError(.malformed, "\(name) \(value) is out of range") }
    return value
}

/// An energy or power: finite, zero or more, at most 1e9 (pJ or W), as a topology allows.
func energy(_ value: Double, _ name: String) throws(WireError) -> Double {
    guard value.isFinite, value >= 0, value <= 1e9 else {
        throw WireError(.malformed, "\(name) \(value) is out of range")
    }
    return value
}

func wireClock(_ megahertz: Int64) throws(WireError) -> ClockFrequency {
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
        m.lowBitGemm = lowBitGEMM.rawValue
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
            macEnergyPicojoules: try energy(m.macEnergyPj, "mac_energy_pj"),
            vectorOpEnergyPicojoules: try energy(m.vectorOpEnergyPj, "vector_op_energy_pj"),
            staticPowerWatts: try energy(m.staticPowerW, "static_power_w"))
        guard [m.macEnergyPj, m.vectorOpEnergyPj, m.staticPowerW].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw WireError(.malformed, "energies and power must be finite and non-negative")
        }
        guard let mapping = AttentionMapping(rawValue: m.attentionMapping.isEmpty ? "fastest" : m.attentionMapping)
        else {
            throw WireError(.malformed, "unknown attention mapping '\(m.attentionMapping.prefix(32))'")
        }
        attentionMapping = mapping
        guard let gemm = GEMMMapping(rawValue: m.gemmMapping.isEmpty ? "activation-stationary" : m.gemmMapping) else {
            throw WireError(.malformed, "unknown GEMM mapping '\(m.gemmMapping)'")
        }
        gemmMapping = gemm
        guard let lowBit = LowBitGEMM(rawValue: m.lowBitGemm.isEmpty ? "dequantize" : m.lowBitGemm) else {
            throw WireError(.malformed, "unknown low-bit GEMM '\(m.lowBitGemm.prefix(32))'")
        }
        lowBitGEMM = lowBit
        guard NPUConfiguration.memoryEfficiencyRange.contains(m.memoryEfficiency) else {
            throw WireError(.malformed, "memory_efficiency must be in 0.001…1")
        }
        memoryEfficiency = m.memoryEfficiency
        prefetchesWeights = m.prefetchesWeights
        reusesWeights = m.reusesWeights
        guard m.pimIssueRate <= 1 << 20 else { throw WireError(.malformed, "pim_issue_rate out of range") }
        pimIssueRate = Int(m.pimIssueRate)
        guard sramBytes >= minimumSRAMBytes else {
            throw WireError(
                .malformed, "sram_bytes \(sramBytes) cannot hold one array tile (at least \(minimumSRAMBytes))")
        }
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
        guard m.bitsPerWeight >= 0.1, m.bitsPerWeight <= 64, m.memoryEfficiency >= 0.001, m.memoryEfficiency <= 1,
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
            powerWatts: try energy(m.powerW, "power_w"),
            fixedLatencyCycles: m.fixedLatencyCycles == 0
                ? 0 : try positive(m.fixedLatencyCycles, "fixed_latency_cycles"),
            elementwiseLanes: Int(try positive(m.elementwiseLanes, "elementwise_lanes")))
    }
}
