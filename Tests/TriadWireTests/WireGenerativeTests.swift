import Foundation
import SwiftProtobuf
import Testing
import TriadCore
import TriadDevices
import TriadScheduling
import TriadWire

/// Every numeric field of what crosses the wire — device configurations and operations (coordinator →
/// worker), costs (worker → coordinator) — set to extremes and seeded random values. Each message is refused
/// with a `WireError` or accepted; an accepted configuration must cost operations without a trap, an accepted
/// operation must be costed or refused on every device, and accepted costs must run through the simulator
/// (or stop it with an error) without a trap.
struct WireGenerativeTests {
    static var extremes: [Any] {
        [
            0, -1, 1, 2_147_483_648, 4_294_967_296, "9007199254740992", "9223372036854775807", "-9223372036854775808",
            1e300, -1e300, 1e-300, "NaN", "Infinity", "-Infinity", 0.5, "1000000000000000", "1125899906842624",
            1_048_576,
        ]
    }

    /// Every path to a numeric leaf of `object`.
    static func numericPaths(_ object: Any, prefix: [String] = []) -> [[String]] {
        if let dictionary = object as? [String: Any] {
            return dictionary.keys.sorted().flatMap { numericPaths(dictionary[$0]!, prefix: prefix + [$0]) }
        }
        if object is NSNumber || (object as? String).map({ Double($0) != nil }) == true { return [prefix] }
        return []
    }

    static func setting(_ object: Any, _ path: ArraySlice<String>, to value: Any) -> Any {
        guard let key = path.first, var dictionary = object as? [String: Any] else { return value }
        dictionary[key] = setting(dictionary[key] as Any, path.dropFirst(), to: value)
        return dictionary
    }

    /// `message` (whose numeric fields must be non-zero: JSON leaves zeros out) with each numeric field in turn set to each extreme and two random values; messages the
    /// protobuf JSON decoder cannot represent (a uint32 of 2^32) are skipped, as the wire cannot carry them.
    static func mutations<M: SwiftProtobuf.Message>(of message: M, seed: UInt64) throws -> [M] {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let json = try JSONSerialization.jsonObject(with: Data(try message.jsonString(options: options).utf8))
        var generator = SplitMix64(seed: seed)
        var result: [M] = []
        for path in numericPaths(json) {
            let randoms: [Any] = [
                Int(generator.nextIndex(below: 1 << 20)) - 1000, Double(generator.nextIndex(below: 1 << 30)) / 1e3,
            ]
            for value in extremes + randoms {
                let mutated = setting(json, path[...], to: value)
                guard let data = try? JSONSerialization.data(withJSONObject: mutated),
                    let decoded = try? M(jsonUTF8Data: data)
                else { continue }
                result.append(decoded)
            }
        }
        return result
    }

    static let shard = ModelShard(ModelPresets.named("gpt3-7b")!)
    static let operations: [TriadCore.Operation] = {
        let layer = LayerTemplate(shard: shard, rows: 4)
        let attention = LayerTemplate.attention(shard: shard, sequenceLength: 300)
        return layer.beforeAttention + layer.afterAttention + [attention.logits, attention.attend]
    }()
    /// The presets, with the fields that are 0 in them made non-zero so that they are mutated too.
    static let devices: [DeviceDescription] = {
        var npu = NPUConfiguration.neupims
        npu.staticPowerWatts = 1
        npu.pimIssueRate = 1
        var pim = PIMConfiguration.neupims(rowBuffers: .dual)
        pim.timing.additiveLatency = 1
        return [
            DeviceDescription(id: "npu0", configuration: .npu(npu)),
            DeviceDescription(id: "pim0", configuration: .pim(pim)),
            DeviceDescription(
                id: "fpga0",
                configuration: .fpga(
                    FPGAConfiguration(
                        cores: 1, addersPerCore: 128, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                        memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 1 << 34,
                        powerWatts: 13, fixedLatencyCycles: 10, elementwiseLanes: 16))),
            DeviceDescription(id: "hbm0", configuration: .hbm(.neupimsHBM2)),
        ]
    }()

    @Test func deviceConfigurationsFromTheCoordinator() throws {
        var accepted = 0
        var total = 0
        var costed = 0
        var problems: [String] = []
        for (index, device) in Self.devices.enumerated() {
            for wire in try Self.mutations(of: device.wire, seed: 100 + UInt64(index)) {
                total += 1
                guard let described = try? DeviceDescription(wire: wire) else { continue }
                accepted += 1
                let evaluator = DeviceEvaluator(device: described)
                for operation in Self.operations {
                    guard let cost = try? evaluator.costs(of: [operation]).first else { continue }
                    costed += 1
                    problems += Self.problems(cost, operation, on: described)
                }
            }
        }
        print("generative wire: \(total) device configurations, \(accepted) accepted, \(costed) costs computed")
        #expect(total > 500)
        // The generator reaches the models: some mutated configurations are accepted and cost operations, and every
        // cost an accepted configuration gives is sane (in range, finite, within the device's own bound).
        #expect(accepted > 0 && costed > 0)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// What is wrong with `cost` for `operation` on `device`: negative or non-finite figures, or a cost beyond the
    /// device's own bound for the shape (`CostBound`, the check the coordinator applies to workers).
    static func problems(_ cost: OperationCost, _ operation: TriadCore.Operation, on device: DeviceDescription)
        -> [String]
    {
        var found: [String] = []
        if cost.cycles < 0 || cost.duration < 0 || cost.streamedBytes < 0 {
            found.append("\(device.id) \(operation.kind.label): negative cost \(cost)")
        }
        if !cost.energyPicojoules.isFinite || cost.energyPicojoules < 0 {
            found.append("\(device.id) \(operation.kind.label): energy \(cost.energyPicojoules)")
        }
        if CostBound.isAbsurd(cost, for: operation, on: device.configuration) {
            found.append(
                "\(device.id) \(operation.kind.label): beyond the device's bound (\(cost.cycles) cycles) on \(device.configuration)"
            )
        }
        return found
    }

    @Test func operationsFromTheCoordinator() throws {
        var total = 0
        var accepted = 0
        var costed = 0
        var problems: [String] = []
        for (index, operation) in Self.operations.enumerated() {
            for wire in try Self.mutations(of: operation.wire, seed: 200 + UInt64(index)) {
                total += 1
                guard let decoded = try? TriadCore.Operation(wire: wire) else { continue }
                accepted += 1
                for device in Self.devices {
                    guard let cost = try? DeviceEvaluator(device: device).costs(of: [decoded]).first else { continue }
                    costed += 1
                    problems += Self.problems(cost, decoded, on: device)
                }
            }
        }
        print("generative wire: \(total) operations, \(accepted) accepted, \(costed) costs computed")
        #expect(total > 100)
        #expect(accepted > 0 && costed > 0)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// Returns `cost` for every operation (a worker that answers in range but strangely).
    struct FixedCosts: CostService {
        let cost: OperationCost
        func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
            requests.map { Array(repeating: cost, count: $0.operations.count) }
        }
    }

    @Test func costsFromWorkers() throws {
        let reference = try DeviceEvaluator(device: Self.devices[0]).costs(of: [Self.operations[0]])[0]
        var total = 0
        var accepted = 0
        var reports = 0
        var problems: [String] = []
        let set = try DeviceSet(devices: Array(Self.devices.prefix(2)), links: [("npu0", "pim0")])
        for wire in try Self.mutations(of: reference.wire, seed: 300) {
            total += 1
            guard let cost = try? OperationCost(wire: wire) else { continue }
            accepted += 1
            for policy in [Policy.npuOnly, .neupims] {
                var experiment = Experiment(
                    devices: set, model: ModelPresets.named("gpt3-7b")!, workload: .fixed(input: 100, output: 50),
                    topologyName: "wire")
                (experiment.batch, experiment.iterations) = (4, 100)
                guard var simulator = try? Simulator(experiment, policy: policy, costs: FixedCosts(cost: cost)),
                    let report = try? simulator.run()
                else { continue }
                reports += 1
                // A strange but in-range worker never yields a report with a non-finite or negative figure.
                let figures =
                    [
                        report.tokensPerSecond, report.interTokenLatencyMeanMilliseconds, report.interTokenLatencyP99Milliseconds,
                        report.energyPerTokenJoules,
                    ] + report.deviceUtilization.map(\.value) + report.energyPerTokenByDevice.map(\.value)
                if let bad = figures.first(where: { !$0.isFinite || $0 < 0 }) {
                    problems.append("\(policy.name) with cost \(cost): a report figure is \(bad)")
                }
            }
        }
        print("generative wire: \(total) costs, \(accepted) accepted, \(reports) runs reported")
        #expect(total > 40)
        #expect(accepted > 0 && reports > 0)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
