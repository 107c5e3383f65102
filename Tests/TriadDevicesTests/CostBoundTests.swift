import Testing
import TriadCore
import TriadDevices

/// The bound the coordinator holds a worker's costs to is never hit by Triad's own models, over every preset
/// model, batch and sequence length and every mapping and fidelity.
struct CostBoundTests {
    static let devices: [DeviceConfiguration] = {
        var result: [DeviceConfiguration] = []
        for attention in NPUConfiguration.AttentionMapping.allCases {
            for gemm in NPUConfiguration.GEMMMapping.allCases {
                var npu = NPUConfiguration.neupims
                npu.attentionMapping = attention
                npu.gemmMapping = gemm
                result.append(.npu(npu))
            }
        }
        for buffers in [PIMConfiguration.RowBuffers.single, .dual] {
            for fidelity in [PIMConfiguration.Fidelity.analytic, .command] {
                var pim = PIMConfiguration.neupims(rowBuffers: buffers)
                pim.fidelity = fidelity
                result.append(.pim(pim))
            }
        }
        result.append(
            .fpga(
                FPGAConfiguration(
                    cores: 256, addersPerCore: 1, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                    memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 1 << 35,
                    powerWatts: 13, fixedLatencyCycles: 10, elementwiseLanes: 16)))
        return result
    }()

    @Test func ownModelsAreNeverAbsurd() throws {
        var checked = 0
        for model in ModelPresets.all {
            let shard = ModelShard(model)
            var operations: [Operation] = []
            for rows in [1, 64, 512] {
                let layer = LayerTemplate(shard: shard, rows: rows)
                operations +=
                    layer.beforeAttention + layer.afterAttention + LayerTemplate.head(shard: shard, rows: rows)
            }
            if model.hasAttention {
                for length in [1, 17, 300, 2048] {
                    let attention = LayerTemplate.attention(shard: shard, sequenceLength: length)
                    operations += [attention.logits, attention.attend]
                }
            }
            for configuration in Self.devices {
                let evaluator = DeviceEvaluator(device: DeviceDescription(id: "d", configuration: configuration))
                for operation in operations {
                    // The command-level PIM model steps every tile: FC GEMVs only at one row (it is the slow
                    // reference; the analytic model covers every row count).
                    if case .pim(let pim) = configuration, pim.fidelity == .command,
                        operation.kind.category == .matrix && operation.rows > 1
                    {
                        continue
                    }
                    guard let cost = try? evaluator.costs(of: [operation])[0] else { continue }
                    checked += 1
                    #expect(
                        !CostBound.isAbsurd(cost, for: operation, on: configuration),
                        "\(model.name) \(operation.kind.label) on \(configuration.kind): \(cost.cycles) cycles")
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test func farBeyondTheBoundIsAbsurd() throws {
        let operation = LayerTemplate(shard: ModelShard(ModelPresets.named("gpt3-7b")!), rows: 4).beforeAttention[0]
        let device = Self.devices[0]
        var cost = try DeviceEvaluator(device: DeviceDescription(id: "d", configuration: device)).costs(of: [operation]
        )[0]
        #expect(!CostBound.isAbsurd(cost, for: operation, on: device))
        cost.cycles = 1 << 49
        #expect(CostBound.isAbsurd(cost, for: operation, on: device))
    }

    /// A shape whose size product overflows Int64 is refused even where a fast device's estimate stays in bounds:
    /// a ternary FFN of 2^22 × 2^21 × 2^21 on a 32,768-adder FPGA (estimate 5.7e14 cycles, product 2^64).
    @Test func overflowingShapesAreRefusedNotTrapped() throws {
        let fpga = DeviceConfiguration.fpga(
            FPGAConfiguration(
                cores: 64, addersPerCore: 512, clock: ClockFrequency(megahertz: 170), bitsPerWeight: 2,
                memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 1 << 35,
                powerWatts: 46, fixedLatencyCycles: 0, elementwiseLanes: 16))
        let operation = Operation(
            kind: .feedForwardUp, rows: 1 << 22, inner: 1 << 21, columns: 1 << 21, isTernary: true)
        let evaluator = DeviceEvaluator(device: DeviceDescription(id: "fpga0", configuration: fpga))
        #expect(throws: DeviceError.self) { try evaluator.costs(of: [operation]) }
        for device in Self.devices {
            #expect(throws: DeviceError.self) { try CostBound.check(operation, on: device) }
        }
    }
}
