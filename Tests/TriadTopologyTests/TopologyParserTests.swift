import Foundation
import Testing
import TriadDevices
import TriadTopology

struct TopologyParserTests {
    static let topologiesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Topologies")

    static let bundled = [
        "neupims", "npu-pim-blocked", "npu-only", "matmulfree-fpga", "hetero", "neupims-tp4", "neupims-175b",
        "hetero-pipeline", "hbm3-attacc", "logic-pim",
    ]

    @Test(arguments: bundled)
    func bundledTopologiesParse(name: String) throws {
        let url = Self.topologiesDirectory.appendingPathComponent("\(name).yaml")
        let topology = try TopologyParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(topology.name == name)
        #expect(!topology.devices.isEmpty)
    }

    /// `count` expands devices and groups; the interconnect links every group pair; parallelism is read.
    @Test func multiDeviceTopologiesExpand() throws {
        let url = Self.topologiesDirectory.appendingPathComponent("neupims-175b.yaml")
        let topology = try TopologyParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(topology.devices.count == 64)
        #expect(topology.groups.count == 32)
        #expect(topology.groups[5].deviceIDs == ["npu5", "pim5"])
        #expect(topology.link(between: "device0", and: "device31")?.bandwidthBytesPerSecond == 300_000_000_000)
        #expect(topology.parallelism?.tensor == 8 && topology.parallelism?.pipeline == 4)
    }

    /// A group may pin its policy; the heterogeneous pipeline's FPGA stage does.
    @Test func groupsMayPinAPolicy() throws {
        let url = Self.topologiesDirectory.appendingPathComponent("hetero-pipeline.yaml")
        let topology = try TopologyParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(topology.groups.map(\.id) == ["neupims0", "neupims1", "ternary"])
        #expect(topology.groups.map(\.policy) == [nil, nil, "ternary"])
        #expect(topology.groups[2].deviceIDs == ["fpga0", "pim2"])
        #expect(topology.parallelism?.pipeline == 3)
        #expect(topology.link(between: "neupims1", and: "ternary")?.bandwidthBytesPerSecond == 63_000_000_000)
    }

    @Test func neupimsTopologyCarriesThePaperHardware() throws {
        let url = Self.topologiesDirectory.appendingPathComponent("neupims.yaml")
        let topology = try TopologyParser.parse(try String(contentsOf: url, encoding: .utf8), file: "neupims.yaml")
        guard case .npu(let npu) = topology.devices[0].configuration,
            case .pim(let pim) = topology.devices[1].configuration
        else {
            Issue.record("expected an npu then a pim")
            return
        }
        #expect(npu == .neupims)
        #expect(pim == .neupims(rowBuffers: .dual))
        #expect(topology.links.count == 1)
    }

    /// Keys the grouped-query and energy work added: an NPU without `static_power_w` gets the documented default;
    /// standby is a power (`standby_power_mw`), the older per-cycle key read at the device's clock; a PIM's
    /// group mapping and query vectors.
    @Test func energyAndGroupMappingKeys() throws {
        let url = Self.topologiesDirectory.appendingPathComponent("neupims.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        func devices(_ edited: String) throws -> (NPUConfiguration, PIMConfiguration) {
            let topology = try TopologyParser.parse(edited, file: "edited.yaml")
            guard case .npu(let npu) = topology.devices[0].configuration,
                case .pim(let pim) = topology.devices[1].configuration
            else {
                throw TopologyError(
                    .invalidValue, file: "edited.yaml", line: 0, column: 0, "expected an npu then a pim")
            }
            return (npu, pim)
        }
        let withoutStatic = try devices(
            text.replacingOccurrences(of: "    static_power_w: 0 ", with: "    # static_power_w: 0 "))
        #expect(withoutStatic.0.staticPowerWatts == NPUConfiguration.defaultStaticPowerWatts)
        let perCycle = try devices(
            text.replacingOccurrences(of: "standby_power_mw: 66 ", with: "standby_energy_pj_per_cycle: 33 ")
                .replacingOccurrences(
                    of: "    clock_mhz: 1000\n    activate", with: "    clock_mhz: 2000\n    activate"))
        #expect(abs(perCycle.1.memory.standbyPowerWatts - 0.066) < 1e-12)
        #expect(throws: TopologyError.self) {
            try devices(
                text.replacingOccurrences(
                    of: "standby_power_mw: 66 ", with: "standby_power_mw: 66\n    standby_energy_pj_per_cycle: 66 "))
        }
        let grouped = try devices(
            text.replacingOccurrences(
                of: "    fidelity: analytic",
                with: "    fidelity: analytic\n    gqa_mapping: multi-query\n    query_vectors: 8"))
        #expect(grouped.1.groupMapping == .multiQuery && grouped.1.queryVectors == 8)
        #expect(throws: TopologyError.self) {
            try devices(
                text.replacingOccurrences(
                    of: "    fidelity: analytic", with: "    fidelity: analytic\n    query_vectors: 0"))
        }
        #expect(throws: TopologyError.self) {
            try devices(
                text.replacingOccurrences(
                    of: "    fidelity: analytic", with: "    fidelity: analytic\n    gqa_mapping: broadcast"))
        }
    }

    static let minimal = """
        name: t
        devices:
          - id: fpga0
            kind: fpga
            cores: 4
            adders_per_core: 2
            clock_mhz: 60
            bits_per_weight: 2
            memory_bandwidth_gb_per_s: 76.8
            memory_efficiency: 1
            memory_bytes: 1000000000
            power_w: 13
            fixed_latency_cycles: 0
            elementwise_lanes: 16
        """

    @Test func minimalTopologyParses() throws {
        let topology = try TopologyParser.parse(Self.minimal, file: "t.yaml")
        guard case .fpga(let fpga) = topology.devices[0].configuration else {
            Issue.record("expected an fpga")
            return
        }
        #expect(fpga.memoryBandwidthBytesPerSecond == 76_800_000_000)
    }

    /// Each broken file is reported with its code, line:column and a message naming the problem.
    @Test(arguments: [
        (
            Self.minimal.replacingOccurrences(of: "kind: fpga", with: "kind: gpu"),
            TopologyError.Code.unknownDeviceKind, 4, 11, "unknown device kind 'gpu'"
        ),
        (
            Self.minimal.replacingOccurrences(of: "    clock_mhz: 60\n", with: ""), .missingField, 3, 5,
            "missing required field 'clock_mhz'"
        ),
        (
            Self.minimal.replacingOccurrences(of: "memory_bytes: 1000000000", with: "memory_bytes: -5"), .invalidValue,
            11, 19, "must be positive, got -5"
        ),
        (
            Self.minimal + "\nlinks:\n  - {from: fpga0, to: npu9}", .danglingLink, 16, 23,
            "link to 'npu9' names no device"
        ),
        (
            Self.minimal + "\n" + Self.minimal.split(separator: "\n").dropFirst(2).joined(separator: "\n"),
            .duplicateID, 15, 5, "duplicate device id 'fpga0'"
        ),
        (
            Self.minimal.replacingOccurrences(of: "cores: 4", with: "cores: four"), .wrongType, 5, 12,
            "'cores' of fpga device 'fpga0' must be an integer, got 'four'"
        ),
        (
            Self.minimal.replacingOccurrences(of: "cores: 4", with: "cores: 4\n    corez: 5"), .unknownField, 6, 5,
            "unknown field 'corez'"
        ),
        ("name: t\ndevices: [\n", .syntax, 3, 1, "YAML syntax error"),
    ])
    func badTopologiesAreRejectedWithTheirLocation(
        text: String, code: TopologyError.Code, line: Int, column: Int, message: String
    ) {
        do {
            _ = try TopologyParser.parse(text, file: "bad.yaml")
            Issue.record("expected \(code)")
        } catch let error as TopologyError {
            #expect(error.code == code)
            #expect(error.line == line)
            #expect(error.column == column)
            #expect(error.description.hasPrefix("bad.yaml:\(line):\(column): "))
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// Typos get the nearest valid name, quoted numbers are type errors, a duplicate key points at the
/// duplicate, device ids follow their rules.
struct TopologyDiagnosticsTests {
    typealias Case = (text: String, code: TopologyError.Code, line: Int, column: Int, message: String)
    /// Two FPGA groups made with `count`, joined by an interconnect.
    static let grouped = """
        name: g
        devices:
          - id: fpga
            kind: fpga
            count: 2
            cores: 4
            adders_per_core: 2
            clock_mhz: 60
            bits_per_weight: 2
            memory_bandwidth_gb_per_s: 76.8
            memory_efficiency: 1
            memory_bytes: 1000000000
            power_w: 13
            fixed_latency_cycles: 0
            elementwise_lanes: 16
        groups:
          - {id: stage, count: 2, devices: [fpga]}
        interconnect: {bandwidth_gb_per_s: 100, latency_ns: 500}
        """
    static func grouped(_ original: String, _ replacement: String) -> String {
        grouped.replacingOccurrences(of: original, with: replacement)
    }
    static let cases: [Case] = [
        (
            grouped("devices: [fpga]}", "devices: [fpga], role: prefil}"), .invalidValue, 17, 50,
            "'role' of group 'stage' must be decode or prefill (got 'prefil')"
        ),
        (
            grouped("devices: [fpga]}", "devices: [fpgb]}"), .danglingLink, 17, 36,
            "group 'stage0' names no device 'fpgb0' (did you mean 'fpga0'?)"
        ),
        (
            grouped("  - {id: stage, count: 2, devices: [fpga]}", "  - {id: a, devices: [fpga0]}"), .invalidValue, 17,
            3, "device 'fpga1' is in no group"
        ),
        (
            grouped(
                "  - {id: stage, count: 2, devices: [fpga]}",
                "  - {id: a, devices: [fpga0, fpga1]}\n  - {id: b, devices: [fpga1]}"),
            .invalidValue, 18, 22, "device 'fpga1' is in groups 'a' and 'b'"
        ),
        (
            grouped("interconnect: {bandwidth_gb_per_s: 100, latency_ns: 500}", ""), .danglingLink, 17, 5,
            "group 'stage1' is not linked to group 'stage0'"
        ),
        (
            grouped(
                "interconnect: {bandwidth_gb_per_s: 100, latency_ns: 500}",
                "links:\n  - {from: stage0, to: stage1, latency_ns: 500}"),
            .missingField, 19, 5, "missing required field 'bandwidth_gb_per_s'"
        ),
        (
            grouped(
                "interconnect: {bandwidth_gb_per_s: 100, latency_ns: 500}", "links:\n  - {from: stage0, to: fpga1}"),
            .invalidValue, 19, 5, "a link joins two devices or two groups"
        ),
        (
            grouped + "\nparallelism: {tensr: 2}", .unknownField, 19, 15,
            "unknown field 'tensr' in 'parallelism' (did you mean 'tensor'?)"
        ),
        (
            (try? String(
                contentsOf: TopologyParserTests.topologiesDirectory.appendingPathComponent("neupims.yaml"),
                encoding: .utf8))!
                .replacingOccurrences(of: "timing: {cl: 14, ", with: "timing: {"), .missingField, 45, 13,
            "missing required field 'cl'"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "    cores: 4", with: "    corse: 4"), .unknownField,
            5, 5,
            "unknown field 'corse' in fpga device 'fpga0' (did you mean 'cores'?)"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "cores: 4", with: "cores: \"4\""), .wrongType, 5, 12,
            "'cores' of fpga device 'fpga0' must be an integer, got the quoted string '4'"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "cores: 4", with: "cores: 4\n    cores: 5"), .syntax,
            6, 5,
            "duplicate key 'cores' (first at line 5)"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "id: fpga0", with: "id: \"fpga 0\""), .invalidValue, 3,
            9,
            "a device id may only use letters, digits"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(
                of: "id: fpga0", with: "id: \(String(repeating: "f", count: 65))"),
            .invalidValue, 3, 9, "at most 64 characters"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "id: fpga0", with: "id: ''"), .invalidValue, 3, 9,
            "must not be empty"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "kind: fpga", with: "kind: fgpa"), .unknownDeviceKind,
            4, 11,
            "did you mean 'fpga'?"
        ),
        (
            TopologyParserTests.minimal + "\nlinks:\n  - {from: fpga0, to: fpga1}", .danglingLink, 16, 23,
            "(did you mean 'fpga0'?)"
        ),
        (
            TopologyParserTests.minimal.replacingOccurrences(of: "bits_per_weight: 2", with: "bits_per_weight: .nan"),
            .wrongType,
            8, 22, "must be a finite number"
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func diagnosed(index: Int) {
        let c = Self.cases[index]
        TopologyParserTests().badTopologiesAreRejectedWithTheirLocation(
            text: c.text, code: c.code, line: c.line, column: c.column, message: c.message)
    }
}

/// Numbers at the edges are refused at the door with file:line:col and the allowed maximum.
struct TopologyBoundsTests {
    static func neupims() throws -> String {
        try String(
            contentsOf: TopologyParserTests.topologiesDirectory.appendingPathComponent("neupims.yaml"), encoding: .utf8)
    }

    @Test(arguments: [
        ("    array_rows: 128", "    array_rows: 9223372036854775807", "array_rows"),
        ("    memory_bandwidth_gb_per_s: 1024", "    memory_bandwidth_gb_per_s: 1e300", "memory_bandwidth_gb_per_s"),
        ("trefi: 3900", "trefi: 9223372036854775807", "trefi"),
        ("    sram_bytes: 137439232", "    sram_bytes: 9223372036854775807", "sram_bytes"),
        ("    clock_mhz: 1000\n    vector_units", "    clock_mhz: 9223372036854775807\n    vector_units", "clock_mhz"),
    ])
    func extremesAreRefusedWithTheMaximum(original: String, replacement: String, key: String) throws {
        let text = try Self.neupims()
        #expect(text.contains(original))
        do {
            _ = try TopologyParser.parse(text.replacingOccurrences(of: original, with: replacement), file: "t.yaml")
            Issue.record("\(key) at its extreme was accepted")
        } catch let error as TopologyError {
            #expect(error.description.hasPrefix("t.yaml:"))
            #expect(error.description.contains("'\(key)'") && error.description.contains("at most"), "\(error)")
        }
    }
}

/// An NPU whose SRAM cannot hold one double-buffered array tile cannot feed its arrays (the cost model's tiling
/// would degenerate to single elements and its costs pass the bound the coordinator checks workers against):
/// refused at the key, with the least size.
struct SRAMMinimumTests {
    @Test(arguments: [(Int64(196_607), false), (196_608, true)])
    func sramBelowOneArrayTileIsRefused(bytes: Int64, accepted: Bool) throws {
        let text = try TopologyBoundsTests.neupims().replacingOccurrences(
            of: "    sram_bytes: 137439232", with: "    sram_bytes: \(bytes)")
        do {
            _ = try TopologyParser.parse(text, file: "t.yaml")
            #expect(accepted, "\(bytes) B was accepted")
        } catch let error as TopologyError {
            #expect(!accepted, "\(error)")
            #expect(error.description.hasPrefix("t.yaml:15:"), "\(error)")
            #expect(error.description.contains("at least 196608 bytes"), "\(error)")
        }
    }
}
