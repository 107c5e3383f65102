import Foundation
import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// A physics property over seeded random models and hardware (docs/MODEL.md §10): no run is faster or cheaper than
/// what its devices can physically do. For MHA, GQA and MQA models (1–128 KV heads, 1K–128K contexts) on random
/// NPU + HBM and NPU + PIM hardware under every policy family, each reported time per output token is at least
///   max(weights ÷ peak memory bandwidth, KV bytes ÷ aggregate attention bandwidth, MACs ÷ peak MAC rate)
/// of one iteration, and each token's energy at least the memory's read energy (pJ/bit) × the weight bytes the
/// iteration streams, shared by the batch. 1,000 cases (about a second; `TRIAD_PHYSICS_CASES` sets another count).
@Suite struct PhysicsPropertyTests {
    /// One random case: everything drawn from `seed`.
    struct Case: CustomStringConvertible {
        var model: ModelSpec
        var npu: NPUConfiguration
        var memory: MemoryConfiguration
        var pim: PIMConfiguration?
        var policy: Policy
        var input: Int
        var output: Int
        var batch: Int
        var seed: UInt64

        var description: String {
            "seed \(seed): \(model.attentionHeads)q/\(model.keyValueHeads)kv ×\(model.headDimension) d\(model.hiddenSize) "
                + "L\(model.layers) ctx \(input)+\(output) b\(batch) \(policy.rawValue) "
                + "npu \(npu.systolicArrays)×\(npu.arrayRows)² \(npu.clock.megahertz) MHz \(npu.memoryBandwidthBytesPerSecond / 1_000_000_000) GB/s "
                + (pim.map {
                    "pim \($0.groupMapping.rawValue)×\($0.queryVectors) \($0.rowBuffers.rawValue) \($0.memory.channels) ch"
                }
                    ?? "hbm \(memory.channels) ch")
        }

        init(seed: UInt64) {
            self.seed = seed
            var random = SplitMix64(seed: seed)
            func pick<T>(_ values: [T]) -> T { values[random.nextIndex(below: values.count)] }
            let headDimension = pick([64, 128, 128, 256])
            let keyValueHeads = pick([1, 1, 2, 4, 8, 8, 16, 32, 64, 128])
            let group = pick([1, 1, 2, 4, 8])
            let heads = min(keyValueHeads * group, 256)
            let kvHeads = heads / group
            let hidden = heads * headDimension
            model = ModelSpec(
                name: "random", architecture: .transformer, layers: pick([1, 2, 3]), hiddenSize: hidden,
                attentionHeads: heads, keyValueHeads: kvHeads, headDimension: headDimension,
                intermediateSize: pick([2, 3, 4]) * hidden, vocabularySize: pick([32_000, 50_304, 128_256]),
                feedForward: pick([.gelu, .gatedLinearUnit]), weightFormat: .fp16, source: "random")
            // Contexts from 1K to 128K, log-uniform.
            let exponent = Double(random.nextIndex(below: 1001)) / 1000 * 7
            input = Int(1024 * pow(2, exponent))
            output = pick([4, 16, 64])
            batch = pick([1, 2, 4, 8, 16, 32])
            let side = pick([32, 64, 128, 256])
            npu = NPUConfiguration(
                systolicArrays: pick([1, 2, 4, 8, 16]), arrayRows: side, arrayColumns: side,
                clock: ClockFrequency(megahertz: pick([500, 1000, 1500, 2000])), vectorUnits: pick([2, 8, 16]),
                vectorLanes: pick([64, 128, 256]), vectorOpLatency: pick([1, 2]),
                sramBytes: 16 << 20,
                memoryBandwidthBytesPerSecond: Int64(pick([256, 1024, 2048, 4096])) * 1_000_000_000,
                macEnergyPicojoules: 0.5, vectorOpEnergyPicojoules: 0.16, staticPowerWatts: pick([0, 28]))
            npu.attentionMapping = pick(NPUConfiguration.AttentionMapping.allCases.filter { $0 != .singleArray })
            npu.memoryEfficiency = pick([0.8, 0.9333, 1])
            // A stack large enough for the weights and the whole batch's KV (spanning channels where needed).
            let channels = pick([8, 16, 32, 64])
            let keyValueBytes = Int64(input + output) * Int64(model.layers) * Int64(kvHeads * headDimension) * 4
            let weights =
                Int64(model.layers) * Int64(hidden)
                * Int64(2 * hidden + 2 * kvHeads * headDimension + 3 * model.intermediateSize) * 2
                + Int64(model.vocabularySize) * Int64(hidden) * 2
            let needed = (weights + Int64(batch + 1) * keyValueBytes) * 2
            let perChannel = max(Int64(1) << 30, needed.ceilDiv(Int64(channels)) + keyValueBytes)
            var stack = MemoryConfiguration.neupimsHBM2
            stack.channels = channels
            stack.channelCapacityBytes = perChannel
            stack.channelBandwidthBytesPerSecond = npu.memoryBandwidthBytesPerSecond / Int64(channels)
            memory = stack
            if random.nextIndex(below: 3) == 0 {
                pim = nil
                policy = .npuOnly
            } else {
                var pim = PIMConfiguration.neupims(rowBuffers: pick([.single, .dual]))
                pim.memory = stack
                pim.groupMapping = pick(PIMConfiguration.GroupMapping.allCases)
                pim.queryVectors = pick([1, 2, 4, 8])
                pim.commandSet = pick([.fused, .newton])
                policy = pick([Policy.npuOnly, .npuPIM, .neupims])
                if policy == .neupims {
                    // NeuPIMs needs what it is made of.
                    (pim.rowBuffers, pim.commandSet) = (.dual, .fused)
                }
                self.pim = pim
                // The scheduler's mixed plans (docs/MODEL.md §2.9, §2.10), drawn last so the draws above stay as they
                // were: FC GEMVs on the PIM, and the NPU taking part of NeuPIMs' attention.
                switch (random.nextIndex(below: 3), policy == .neupims) {
                case (1, _): policy = policy.offloading(.every(upTo: pick([1, 4, 16])))
                case (2, true): policy = policy.splittingAttention()
                default: break
                }
            }
        }

        /// Peak MAC rate of the NPU's arrays, per second.
        var peakMACsPerSecond: Double {
            Double(npu.systolicArrays * npu.arrayRows * npu.arrayColumns) * Double(npu.clock.megahertz) * 1e6
        }

        /// KV bytes per second the attention device can read at most: the NPU's memory port, or every PIM bank's
        /// multipliers reading one COMP's elements per max(BL/2, tCCD_S) at the PIM clock.
        func attentionBytesPerSecond(onPIM: Bool) -> Double {
            guard onPIM, let pim else { return Double(npu.memoryBandwidthBytesPerSecond) }
            let spacing = Double(max(pim.timing.burstCycles, pim.timing.columnToColumnShort))
            let perCycle = Double(pim.banksPerChannel * pim.multipliersPerBank * pim.elementBytes) / spacing
            return perCycle * Double(pim.memory.channels) * Double(pim.memory.clock.megahertz) * 1e6
        }
    }

    static var caseCount: Int {
        if let text = ProcessInfo.processInfo.environment["TRIAD_PHYSICS_CASES"], let count = Int(text), count > 0 {
            return count
        }
        return 1000
    }

    @Test func noRunBeatsItsHardware() throws {
        var violations: [String] = []
        var ran = 0
        // How close the bounds come: the largest bound ÷ reported figure over all cases.
        var tightest = 0.0
        var tightestEnergy = 0.0
        for index in 0..<Self.caseCount {
            let sample = Case(seed: 0x5EED_0000 + UInt64(index))
            var devices = [DeviceDescription(id: "npu0", configuration: .npu(sample.npu))]
            devices.append(
                DeviceDescription(id: "mem0", configuration: sample.pim.map { .pim($0) } ?? .hbm(sample.memory)))
            var experiment = Experiment(
                devices: try DeviceSet(devices: devices, links: [("npu0", "mem0")]), model: sample.model,
                workload: .fixed(input: sample.input, output: sample.output), topologyName: "random")
            (experiment.batch, experiment.iterations, experiment.seed, experiment.maxSequence) =
                (sample.batch, 4, sample.seed, sample.input + sample.output)
            let report: RunReport
            do {
                var simulator = try Simulator(
                    experiment, policy: sample.policy, costs: LocalCostService(devices: devices))
                report = try simulator.run()
            } catch {
                violations.append("\(sample): refused: \(error)")
                continue
            }
            ran += 1
            let shard = ModelShard(sample.model)
            let template = LayerTemplate(shard: shard, rows: 1)
            let matrices = (template.beforeAttention + template.afterAttention).filter { $0.kind.category == .matrix }
            let head = LayerTemplate.head(shard: shard, rows: 1).filter { $0.kind == .lmHead }
            let weightBytes =
                Double(
                    matrices.reduce(Int64(0)) { $0 + $1.weightCount } * Int64(sample.model.layers)
                        + head.reduce(Int64(0)) { $0 + $1.weightCount }) * 2
            // Every request holds at least its prompt; every token of the iteration is one of `active` rows.
            let active = report.meanActiveRequests
            let keyValueBytes = active * Double(sample.input) * Double(shard.keyValueBytesPerToken)
            let macs = active * weightBytes / 2
            let onPIM = sample.pim != nil && sample.policy.baseName != Policy.npuOnly.name
            // FC GEMVs on the PIM read their weights in the banks, and a split plan's NPU streams part of the KV: those
            // bytes may go at the port's and the banks' rates together.
            let port = Double(sample.npu.memoryBandwidthBytesPerSecond)
            let banks = sample.pim == nil ? 0 : sample.attentionBytesPerSecond(onPIM: true)
            let offloads = !sample.policy.matrixOffload.isEmpty
            let weightRate = offloads ? port + banks : port
            // FC GEMVs on the PIM multiply in the banks too: one MAC per element read.
            let macRate = sample.peakMACsPerSecond + (offloads ? banks / 2 : 0)
            let bound: Double
            if !onPIM {
                bound = max((weightBytes + keyValueBytes) / weightRate, macs / macRate)
            } else {
                let keyValueRate = sample.policy.splitsAttention ? port + banks : banks
                bound = max(weightBytes / weightRate, keyValueBytes / keyValueRate, macs / macRate)
            }
            let tpot = report.interTokenLatencyMeanMilliseconds * 1e-3
            tightest = max(tightest, bound / tpot)
            if !(tpot >= bound * (1 - 1e-9)) {
                violations.append("\(sample): TPOT \(tpot) s below the bound \(bound) s")
            }
            // Weights read in the banks cost a COMP per 16 elements of every bank of a channel: the bound takes the
            // cheaper of that and a read over the port.
            var picojoulesPerBit = sample.memory.readEnergyPicojoules / Double(sample.memory.accessBytes * 8)
            if let pim = sample.pim, !sample.policy.matrixOffload.isEmpty {
                picojoulesPerBit = min(
                    picojoulesPerBit,
                    pim.compEnergyPicojoules
                        / Double(pim.banksPerChannel * pim.multipliersPerBank * pim.elementBytes * 8))
            }
            let energyBound = picojoulesPerBit * weightBytes * 8 * 1e-12 / max(active, 1)
            tightestEnergy = max(tightestEnergy, energyBound / report.energyPerTokenJoules)
            if !(report.energyPerTokenJoules >= energyBound * (1 - 1e-9)) {
                violations.append("\(sample): \(report.energyPerTokenJoules) J/token below \(energyBound)")
            }
            if !report.tokensPerSecond.isFinite || !report.energyPerTokenJoules.isFinite {
                violations.append("\(sample): a figure is not finite")
            }
        }
        print(
            "physics property: \(ran) of \(Self.caseCount) cases ran, \(violations.count) violations; closest: time bound "
                + "\(tightest) of the reported TPOT, energy bound \(tightestEnergy) of the reported energy")
        let listed = violations.prefix(10).joined(separator: "\n")
        #expect(violations.count == 0, "\(violations.count) violations:\n\(listed)")
    }
}
