import TriadCore
import TriadDevices
import Yams

/// Parses one device entry of a topology: its kind's keys, each range-checked with file:line:column.
enum DeviceParser {
    private static func bandwidth(_ reader: inout MappingReader, _ key: String) throws -> Int64 {
        // 1 MB/s … 1 PB/s, so bytes per second fit in Int64 with room for products.
        Int64((try reader.number(key, minimum: 0.001, maximum: 1e6) * 1e9).rounded())
    }

    private static func clock(_ reader: inout MappingReader) throws -> ClockFrequency {
        ClockFrequency(megahertz: try reader.integer("clock_mhz", maximum: 100_000))
    }

    /// Most copies one entry's `count` may declare.
    static let maximumCount = 4096

    /// The device `node` declares, or with `count: N` its N copies named `id0` … `id{N-1}`.
    static func parseDevices(_ node: Node, file: String) throws -> [DeviceDescription] {
        var reader = try MappingReader(node, what: "a device", file: file)
        guard let countNode = reader.optional("count") else { return [try parseDevice(node, file: file)] }
        let count = Int(try reader.integer("count", maximum: Int64(maximumCount)))
        let template = try parseDevice(node, file: file, allowingCount: true)
        return try (0..<count).map { index in
            let id = "\(template.id)\(index)"
            if let problem = DeviceID.problem(id) {
                throw reader.error(.invalidValue, at: countNode, "copy \(index) of '\(template.id)': \(problem)")
            }
            return DeviceDescription(id: id, configuration: template.configuration)
        }
    }

    static func parseDevice(_ node: Node, file: String, allowingCount: Bool = false) throws -> DeviceDescription {
        var reader = try MappingReader(node, what: "a device", file: file)
        let id = try reader.string("id")
        if let problem = DeviceID.problem(id) {
            throw reader.error(
                .invalidValue, at: reader.optional("id"), "\(problem) (got '\(MappingReader.excerpt(id))')")
        }
        let kindNode = try reader.required("kind")
        guard let kindName = kindNode.string, let kind = DeviceKind(rawValue: kindName) else {
            let known = DeviceKind.allCases.map(\.rawValue)
            let hint = kindNode.string.flatMap { NearestName.suggestion(for: $0, among: known) }
            throw reader.error(
                .unknownDeviceKind, at: kindNode,
                "unknown device kind '\(MappingReader.excerpt(kindNode.string ?? "?"))' for device '\(id)' (known: \(known.joined(separator: ", ")))\(hint.map { "; did you mean '\($0)'?" } ?? "")"
            )
        }
        reader = try MappingReader(node, what: "\(kind.rawValue) device '\(id)'", file: file)
        _ = reader.optional("id")
        _ = reader.optional("kind")
        if allowingCount { _ = reader.optional("count") }
        _ = reader.optional("worker")  // the program serving the device under `triad up` (TopologyParser reads it)
        let configuration: DeviceConfiguration
        switch kind {
        case .npu: configuration = .npu(try npu(&reader))
        case .hbm: configuration = .hbm(try memory(&reader))
        case .pim: configuration = .pim(try pim(&reader, file: file))
        case .fpga: configuration = .fpga(try fpga(&reader))
        }
        try reader.rejectUnknownKeys()
        return DeviceDescription(id: id, configuration: configuration)
    }

    private static func npu(_ r: inout MappingReader) throws -> NPUConfiguration {
        var configuration = NPUConfiguration(
            systolicArrays: Int(try r.integer("systolic_arrays")), arrayRows: Int(try r.integer("array_rows")),
            arrayColumns: Int(try r.integer("array_columns")), clock: try clock(&r),
            vectorUnits: Int(try r.integer("vector_units")), vectorLanes: Int(try r.integer("vector_lanes")),
            vectorOpLatency: try r.integer("vector_op_latency_cycles"),
            sramBytes: try r.integer("sram_bytes", maximum: 1 << 46),
            memoryBandwidthBytesPerSecond: try bandwidth(&r, "memory_bandwidth_gb_per_s"),
            macEnergyPicojoules: try r.number("mac_energy_pj"),
            vectorOpEnergyPicojoules: try r.number("vector_op_energy_pj"),
            staticPowerWatts: r.optional("static_power_w") == nil
                ? NPUConfiguration.defaultStaticPowerWatts : try r.number("static_power_w"))
        if r.optional("attention_mapping") != nil {
            configuration.attentionMapping = try r.choice(
                "attention_mapping", NPUConfiguration.AttentionMapping.self,
                allowed: NPUConfiguration.AttentionMapping.allCases)
        }
        if r.optional("gemm_mapping") != nil {
            configuration.gemmMapping = try r.choice(
                "gemm_mapping", NPUConfiguration.GEMMMapping.self, allowed: NPUConfiguration.GEMMMapping.allCases)
        }
        if r.optional("low_bit_gemm") != nil {
            configuration.lowBitGEMM = try r.choice(
                "low_bit_gemm", NPUConfiguration.LowBitGEMM.self, allowed: NPUConfiguration.LowBitGEMM.allCases)
        }
        if let node = r.optional("memory_efficiency") {
            configuration.memoryEfficiency = try r.number("memory_efficiency", allowZero: false)
            guard (NPUConfiguration.memoryEfficiencyRange).contains(configuration.memoryEfficiency) else {
                throw r.error(.invalidValue, at: node, "'memory_efficiency' of \(r.what) must be in 0.001…1")
            }
        }
        if r.optional("prefetch_weights") != nil { configuration.prefetchesWeights = try r.boolean("prefetch_weights") }
        if r.optional("reuse_weights") != nil { configuration.reusesWeights = try r.boolean("reuse_weights") }
        guard configuration.sramBytes >= configuration.minimumSRAMBytes else {
            throw r.error(
                .invalidValue, at: r.optional("sram_bytes"),
                "'sram_bytes' of \(r.what) must hold one double-buffered \(configuration.arrayRows)×\(configuration.arrayColumns) tile: at least \(configuration.minimumSRAMBytes) bytes"
            )
        }
        if let node = r.optional("pim_issue_rate") {
            configuration.pimIssueRate = Int(try r.integer("pim_issue_rate", minimum: 0))
            guard configuration.pimIssueRate <= 1 << 20 else {
                throw r.error(.invalidValue, at: node, "'pim_issue_rate' of \(r.what) must be at most 1048576")
            }
        }
        return configuration
    }

    /// A channel's standby power: `standby_power_mw`, or the older `standby_energy_pj_per_cycle` at the
    /// device's own clock (pJ × MHz = µW) — one of the two.
    private static func standbyPower(_ r: inout MappingReader) throws -> Double {
        let power = r.optional("standby_power_mw")
        let perCycle = r.optional("standby_energy_pj_per_cycle")
        if power != nil && perCycle != nil {
            throw r.error(
                .invalidValue, at: perCycle, "give \(r.what) standby_power_mw or standby_energy_pj_per_cycle, not both")
        }
        if perCycle != nil {
            let picojoules = try r.number("standby_energy_pj_per_cycle")
            let megahertz = try r.integer("clock_mhz", maximum: 1_000_000)
            return picojoules * Double(megahertz) * 1e-6
        }
        return try r.number("standby_power_mw") / 1000
    }

    private static func memory(_ r: inout MappingReader) throws -> MemoryConfiguration {
        let memory = MemoryConfiguration(
            channels: Int(try r.integer("channels")),
            channelBandwidthBytesPerSecond: try bandwidth(&r, "channel_bandwidth_gb_per_s"),
            channelCapacityBytes: try r.integer("channel_capacity_bytes", maximum: 1 << 46),
            rowBytes: try r.integer("row_bytes"),
            accessBytes: try r.integer("access_bytes"), clock: try clock(&r),
            activateEnergyPicojoules: try r.number("activate_energy_pj"),
            readEnergyPicojoules: try r.number("read_energy_pj"),
            writeEnergyPicojoules: try r.number("write_energy_pj"),
            standbyPowerWatts: try standbyPower(&r))
        guard memory.rowBytes % memory.accessBytes == 0 else {
            throw r.error(
                .invalidValue, at: r.optional("row_bytes"),
                "row_bytes of \(r.what) must be a multiple of access_bytes (\(memory.accessBytes))")
        }
        // Total capacity at most 1 PiB, so byte sums over every channel fit in Int64.
        guard Int64(memory.channels) <= (1 << 50) / memory.channelCapacityBytes else {
            throw r.error(
                .invalidValue, at: r.optional("channels"),
                "channels × channel_capacity_bytes of \(r.what) must be at most 2^50 bytes (1 PiB)")
        }
        guard Int64(memory.channels) <= 1_000_000_000_000_000 / memory.channelBandwidthBytesPerSecond else {
            throw r.error(
                .invalidValue, at: r.optional("channels"),
                "channels × channel_bandwidth_gb_per_s of \(r.what) must be at most 1000000 GB/s")
        }
        return memory
    }

    private static func pim(_ r: inout MappingReader, file: String) throws -> PIMConfiguration {
        let memory = try memory(&r)
        let timingNode = try r.required("timing")
        var t = try MappingReader(timingNode, what: "the timing of \(r.what)", file: file)
        let timing = DRAMTiming(
            casLatency: try t.integer("cl"), rowToColumnDelay: try t.integer("trcd"),
            rowPrecharge: try t.integer("trp"),
            rowActive: try t.integer("tras"), activateToActivateShort: try t.integer("trrd_s"),
            activateToActivateLong: try t.integer("trrd_l"), fourActivateWindow: try t.integer("tfaw"),
            columnToColumnShort: try t.integer("tccd_s"), columnToColumnLong: try t.integer("tccd_l"),
            writeToReadShort: try t.integer("twtr_s"), writeToReadLong: try t.integer("twtr_l"),
            writeRecovery: try t.integer("twr"), readToPrecharge: try t.integer("trtp"),
            refreshInterval: try t.integer("trefi"), refreshCycle: try t.integer("trfc"),
            burstCycles: try t.integer("burst_cycles"), additiveLatency: try t.integer("al", minimum: 0))
        try t.rejectUnknownKeys()
        guard timing.refreshCycle < timing.refreshInterval else {
            throw t.error(
                .invalidValue, at: timingNode,
                "trfc (\(timing.refreshCycle)) must be shorter than trefi (\(timing.refreshInterval))")
        }
        var configuration = PIMConfiguration(
            memory: memory, ranks: Int(try r.integer("ranks")), bankGroups: Int(try r.integer("bank_groups")),
            banksPerGroup: Int(try r.integer("banks_per_group")),
            multipliersPerBank: Int(try r.integer("multipliers_per_bank")),
            elementBytes: Int(try r.integer("element_bytes")), timing: timing,
            rowBuffers: try r.choice("row_buffers", PIMConfiguration.RowBuffers.self, allowed: [.single, .dual]),
            fidelity: try r.choice("fidelity", PIMConfiguration.Fidelity.self, allowed: [.analytic, .command]),
            compEnergyPicojoules: try r.number("comp_energy_pj"),
            groupActivateEnergyPicojoules: try r.number("gact_energy_pj"),
            globalWriteEnergyPicojoules: try r.number("gwrite_energy_pj"),
            readResultEnergyPicojoules: try r.number("readres_energy_pj"))
        if r.optional("command_set") != nil {
            configuration.commandSet = try r.choice(
                "command_set", PIMConfiguration.CommandSet.self, allowed: PIMConfiguration.CommandSet.allCases)
        }
        if r.optional("gqa_mapping") != nil {
            configuration.groupMapping = try r.choice(
                "gqa_mapping", PIMConfiguration.GroupMapping.self, allowed: PIMConfiguration.GroupMapping.allCases)
        }
        if r.optional("query_vectors") != nil {
            let range = PIMConfiguration.queryVectorRange
            configuration.queryVectors = Int(
                try r.integer("query_vectors", minimum: Int64(range.lowerBound), maximum: Int64(range.upperBound)))
        }
        if r.optional("pim_level") != nil {
            configuration.level = try r.choice(
                "pim_level", PIMConfiguration.Level.self, allowed: PIMConfiguration.Level.allCases)
        }
        if r.optional("pim_dataflow") != nil {
            configuration.dataflow = try r.choice(
                "pim_dataflow", PIMConfiguration.Dataflow.self, allowed: PIMConfiguration.Dataflow.allCases)
        }
        if r.optional("processing_units") != nil {
            let range = PIMConfiguration.unitsPerChannelRange
            configuration.unitsPerChannel = Int(
                try r.integer("processing_units", minimum: Int64(range.lowerBound), maximum: Int64(range.upperBound)))
        }
        if r.optional("mac_interval_cycles") != nil {
            let range = PIMConfiguration.macIntervalRange
            configuration.macIntervalCycles = try r.integer(
                "mac_interval_cycles", minimum: range.lowerBound, maximum: range.upperBound)
        }
        if r.optional("pim_read_energy_pj_per_byte") != nil {
            configuration.readEnergyPicojoulesPerByte = try r.number("pim_read_energy_pj_per_byte")
        }
        if r.optional("pim_mac_energy_pj") != nil {
            configuration.unitMACEnergyPicojoules = try r.number("pim_mac_energy_pj")
        }
        if configuration.dataflow == .newton && configuration.level != .bank {
            throw r.error(
                .invalidValue, at: r.optional("pim_level"),
                "pim_level \(configuration.level.rawValue) of \(r.what) needs pim_dataflow: streaming (the Newton dataflow drives bank units)"
            )
        }
        if configuration.dataflow == .streaming && configuration.fidelity == .command {
            throw r.error(
                .invalidValue, at: r.optional("fidelity"),
                "fidelity: command of \(r.what) models the newton dataflow only; use fidelity: analytic with pim_dataflow: streaming"
            )
        }
        guard configuration.ranks * configuration.bankGroups * configuration.banksPerGroup <= 4096 else {
            throw r.error(
                .invalidValue, at: r.optional("ranks"),
                "ranks × bank_groups × banks_per_group of \(r.what) must be at most 4096")
        }
        guard configuration.rowElements >= configuration.multipliersPerBank, configuration.compsPerRow > 0 else {
            throw r.error(.invalidValue, at: r.node, "row_bytes / element_bytes must be at least multipliers_per_bank")
        }
        return configuration
    }

    private static func fpga(_ r: inout MappingReader) throws -> FPGAConfiguration {
        FPGAConfiguration(
            cores: Int(try r.integer("cores")), addersPerCore: Int(try r.integer("adders_per_core")),
            clock: try clock(&r), bitsPerWeight: try r.number("bits_per_weight", minimum: 0.1, maximum: 64),
            memoryBandwidthBytesPerSecond: try bandwidth(&r, "memory_bandwidth_gb_per_s"),
            memoryEfficiency: try r.number("memory_efficiency", minimum: 0.001, maximum: 1),
            memoryBytes: try r.integer("memory_bytes", maximum: 1 << 46), powerWatts: try r.number("power_w"),
            fixedLatencyCycles: try r.integer("fixed_latency_cycles", minimum: 0),
            elementwiseLanes: Int(try r.integer("elementwise_lanes")))
    }
}
