public import TriadCore
public import TriadDevices
public import TriadScheduling

/// Mixture-of-Experts results (docs/MODEL.md §12): where an expert runs fastest as its tokens — its arithmetic
/// intensity — change, on an NPU, on bank-level PIM (NeuPIMs) and on logic-die PIM (Duplex's Logic-PIM).
public enum MixtureReproduction {
    /// One Mixtral-8x7B expert (d 4,096, 14,336 gated columns, whole) with `tokens` tokens on each device, picoseconds:
    /// its gate-and-up and down GEMMs on the NPU, or as GEMVs on each PIM (the SiLU gating on the NPU either way).
    public struct ExpertPoint: Sendable, Hashable {
        public var tokens: Int
        public var npu: Picoseconds
        public var bankPIM: Picoseconds
        public var logicPIM: Picoseconds

        /// Operations per byte of the expert's weights: 2 FLOPs per weight per token over 2 bytes per weight.
        public var operationsPerByte: Double { Double(tokens) }

        /// The fastest device's name.
        public var fastest: String {
            let options = [("npu", npu), ("bank-pim", bankPIM), ("logic-pim", logicPIM)]
            return options.min { $0.1 < $1.1 }!.0
        }
    }

    /// Token counts swept: an expert's share of a decode batch, from one token to a large batch's.
    public static let tokens = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// The sweep on the NPU of `npu`, the PIM of `bankPIM` and the PIM of `logicPIM` (each device set's own cost
    /// models; each PIM driven as the `neupims` plan drives it).
    public static func expertSweep(npu: DeviceSet, bankPIM: DeviceSet, logicPIM: DeviceSet) throws -> [ExpertPoint] {
        var model = ModelPresets.named("mixtral-8x7b")!
        model.tensorParallel = 1
        let shard = ModelShard(model)
        func time(_ devices: DeviceSet, onPIM: Bool) throws -> [Picoseconds] {
            let costs = LocalCostService(devices: devices.devices)
            let modes = onPIM ? try Policy.neupims.plan(for: model, on: devices).pimModes : PIMModes()
            var npuOperations: [Operation] = []
            var pimOperations: [Operation] = []
            for count in tokens {
                for operation in LayerTemplate.expert(shard: shard, rows: count) {
                    if onPIM && operation.kind.category == .matrix {
                        var gemv = operation
                        gemv.pimModes = modes
                        pimOperations.append(gemv)
                    } else {
                        npuOperations.append(operation)
                    }
                }
            }
            var requests = [CostRequest(deviceID: devices.npu!.id, iteration: 0, operations: npuOperations)]
            if onPIM { requests.append(CostRequest(deviceID: devices.memory!.id, iteration: 0, operations: pimOperations)) }
            let answers = try costs.costs(requests)
            // Per point: three NPU operations, or one on the NPU and two on the PIM.
            return tokens.indices.map { index in
                onPIM
                    ? answers[0][index].duration +| answers[1][2 * index].duration +| answers[1][2 * index + 1].duration
                    : answers[0][3 * index].duration +| answers[0][3 * index + 1].duration
                        +| answers[0][3 * index + 2].duration
            }
        }
        let host = try time(npu, onPIM: false)
        let bank = try time(bankPIM, onPIM: true)
        let logic = try time(logicPIM, onPIM: true)
        return tokens.indices.map {
            ExpertPoint(tokens: tokens[$0], npu: host[$0], bankPIM: bank[$0], logicPIM: logic[$0])
        }
    }

    /// Duplex's direction (Yun et al., MICRO 2024, §3–4): experts whose arithmetic intensity is low but at or above 1
    /// run best on logic-die PIM — bank-level PIM only pays below about one operation per byte, the processor only at
    /// high intensity.
    public static func claims(_ points: [ExpertPoint]) -> [Claim] {
        let logicWins = points.filter { $0.fastest == "logic-pim" }.map(\.tokens)
        let bankWins = points.filter { $0.fastest == "bank-pim" }.map(\.tokens)
        let npuWins = points.filter { $0.fastest == "npu" }.map(\.tokens)
        let holds =
            !logicWins.isEmpty && bankWins.allSatisfy { $0 <= 2 } && logicWins.allSatisfy { $0 >= 1 }
            && (npuWins.min() ?? .max) > (logicWins.max() ?? 0)
        let first = points.first!
        return [
            Claim(
                id: "duplex-expert-direction",
                description:
                    "Mixtral expert: logic-die PIM fastest at low Op/B ≥ 1, bank PIM only below ~1, the NPU at high Op/B",
                paper: nil, paperText: "Logic-PIM for Op/B 1–8 (Duplex §3–4)",
                measured: Double(logicWins.max() ?? 0), holds: holds,
                note:
                    "largest token count (≈ Op/B) where logic-PIM wins: \(logicWins.max() ?? 0); bank PIM wins at \(bankWins.map(String.init).joined(separator: ",")); NPU from \(npuWins.min().map(String.init) ?? "never")"),
            Claim(
                id: "expert-one-token-pim-speedup",
                description: "Mixtral expert, one token: NPU time over logic-PIM time", paper: nil,
                paperText: "PIM ahead at Op/B ≈ 1",
                measured: Double(first.npu) / Double(max(first.logicPIM, 1)), holds: first.logicPIM < first.npu,
                unit: .ratio),
        ]
    }

    /// The sweep as CSV (times in microseconds).
    public static func csv(_ points: [ExpertPoint]) -> String {
        var text = "tokens,operations_per_byte,npu_us,bank_pim_us,logic_pim_us,fastest\n"
        for point in points {
            text +=
                "\(point.tokens),\(point.operationsPerByte),\(Double(point.npu) * 1e-6),\(Double(point.bankPIM) * 1e-6),\(Double(point.logicPIM) * 1e-6),\(point.fastest)\n"
        }
        return text
    }
}
