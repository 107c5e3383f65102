public import TriadCore
import TriadDevices

/// A placement policy users compare: a base placement plus the NeuPIMs mechanisms it switches on.
/// It turns (model, devices) into an `ExecutionPlan`.
///
/// Names: `npu-only`; `npu+pim` with any of `+drb` (dual row buffers and the NeuPIMs controller),
/// `+fused` (the fused COMPS_READRES command), `+bulk` (the host moves a whole tile of PIM instructions to
/// the channel queues at once instead of the NPU's `pim_issue_rate` per cycle), `+gmlbp` (greedy min-load
/// KV placement) and `+sbi` (two-way sub-batch interleaving in every iteration), e.g.
/// `npu+pim+drb+fused+bulk`; `neupims` (all five, interleaving in the iterations where it is faster);
/// `ternary`. The paper's "dual row buffers" ablation step is `+drb+fused+bulk` (docs/MODEL.md §2.3).
/// A policy that assumes less hardware runs on a richer topology: `npu-only` uses a PIM stack as plain
/// memory, and `npu+pim` drives a dual-row-buffer PIM in single-buffer mode.
public struct Policy: Sendable, Hashable {
    /// Where work goes before any mechanism.
    public enum Base: Sendable, Hashable {
        /// Everything on the NPU; attention streams the KV cache over the memory bus.
        case npuOnly
        /// Attention GEMVs on PIM, the rest on the NPU.
        case npuPIM
        /// Ternary matrices on the FPGA; attention (if any) on PIM; norms, softmax and element-wise work on
        /// the NPU (or the FPGA's element-wise lanes without one).
        case ternary
        /// No fixed placement: the run chooses among the named plans that can run, and re-plans as the batch
        /// changes (`AutoPlanner`).
        case auto
    }

    public let name: String
    public let base: Base
    public let dualRowBuffers: Bool
    public let fusedCommands: Bool
    public let bulkIssue: Bool
    public let greedyPlacement: Bool
    public let interleaving: ExecutionPlan.Interleaving
    /// FC classes this policy runs on the PIM (`+fc…`).
    public let matrixOffload: MatrixOffload
    /// Whether the NPU runs part of the PIM's attention beside it, balancing the two (`+npu-attention`,
    /// `ExecutionPlan.splitsAttention`).
    public let splitsAttention: Bool
    /// The name without its `+npu-attention` and `+fc…` parts.
    public let baseName: String

    private init(
        name: String, base: Base, dualRowBuffers: Bool = false, fusedCommands: Bool = false, bulkIssue: Bool = false,
        greedyPlacement: Bool = false, interleaving: ExecutionPlan.Interleaving = .never,
        matrixOffload: MatrixOffload = .none, splitsAttention: Bool = false
    ) {
        self.matrixOffload = matrixOffload
        self.splitsAttention = splitsAttention
        baseName = name
        self.name =
            name + (splitsAttention ? "+npu-attention" : "")
            + (matrixOffload.isEmpty ? "" : "+" + matrixOffload.label)
        self.base = base
        self.dualRowBuffers = dualRowBuffers
        self.fusedCommands = fusedCommands
        self.bulkIssue = bulkIssue
        self.greedyPlacement = greedyPlacement
        self.interleaving = interleaving
    }

    /// The policy's name as users write it.
    public var rawValue: String { name }

    public static let npuOnly = Policy(name: "npu-only", base: .npuOnly)
    /// Blocked PIM, round-robin KV placement, no interleaving: the naive NPU+PIM baseline.
    public static let npuPIM = Policy(name: "npu+pim", base: .npuPIM)
    public static let npuPIMDualRowBuffers = Policy(name: "npu+pim+drb", base: .npuPIM, dualRowBuffers: true)
    public static let npuPIMGreedyPlacement = Policy(name: "npu+pim+gmlbp", base: .npuPIM, greedyPlacement: true)
    public static let npuPIMInterleaving = Policy(name: "npu+pim+sbi", base: .npuPIM, interleaving: .always)
    /// NeuPIMs: dual row buffers, the fused command set, whole-tile issue, greedy min-load KV placement, and
    /// two-way interleaving in the iterations where it is faster (see `ExecutionPlan.Interleaving.whenFaster`).
    public static let neupims = Policy(
        name: "neupims", base: .npuPIM, dualRowBuffers: true, fusedCommands: true, bulkIssue: true,
        greedyPlacement: true, interleaving: .whenFaster)
    /// BitLinear layers on the FPGA, interleaving two sub-batches when faster so the devices overlap; a PIM
    /// is driven with everything it has.
    public static let ternary = Policy(
        name: "ternary", base: .ternary, dualRowBuffers: true, fusedCommands: true, bulkIssue: true,
        greedyPlacement: true, interleaving: .whenFaster)

    /// The scheduler's own choice among the presets, re-planned during the run (docs/MODEL.md §11).
    public static let auto = Policy(name: "auto", base: .auto)

    /// Whether the run chooses its plans itself.
    public var isAuto: Bool { base == .auto }

    /// The presets `auto` also tries with the NPU taking part of the attention (`+npu-attention`): the ones that
    /// drive the PIM with everything it has.
    public static let splitCandidates: [Policy] = [.neupims, .ternary]

    /// The mechanisms `npu+pim+…` may name, in canonical order.
    public static let mechanisms = ["drb", "fused", "bulk", "gmlbp", "sbi"]

    /// The named policies `triad` lists.
    public static let presets: [Policy] = [
        .npuOnly, .npuPIM, .npuPIMDualRowBuffers, .npuPIMGreedyPlacement, .npuPIMInterleaving, .neupims, .ternary,
    ]

    /// This policy with `offload`'s FC classes on the PIM (replacing any it had).
    public func offloading(_ offload: MatrixOffload) -> Policy {
        Policy(
            name: baseName, base: base, dualRowBuffers: dualRowBuffers, fusedCommands: fusedCommands,
            bulkIssue: bulkIssue, greedyPlacement: greedyPlacement, interleaving: interleaving, matrixOffload: offload,
            splitsAttention: splitsAttention)
    }

    /// This policy with part of the PIM's attention balanced onto the NPU (or not).
    public func splittingAttention(_ splits: Bool = true) -> Policy {
        Policy(
            name: baseName, base: base, dualRowBuffers: dualRowBuffers, fusedCommands: fusedCommands,
            bulkIssue: bulkIssue, greedyPlacement: greedyPlacement, interleaving: interleaving,
            matrixOffload: matrixOffload, splitsAttention: splits)
    }

    /// The policy called `name`: a preset, or `npu+pim` followed by any of `+drb`, `+gmlbp`, `+sbi`; either
    /// optionally followed by `+npu-attention` (the NPU runs part of the attention beside the PIM, balanced each
    /// iteration) and then by `+fc`, `+fc:N` or `+fc:class=N,…` (FC GEMVs on the PIM, `MatrixOffload`).
    public init?(name: String) {
        let lowered = name.lowercased()
        if let range = lowered.range(of: "+fc", options: .backwards),
            lowered[range.upperBound...].isEmpty || lowered[range.upperBound...].hasPrefix(":")
        {
            guard let offload = MatrixOffload(label: String(lowered[lowered.index(after: range.lowerBound)...])),
                let policy = Policy(name: String(lowered[..<range.lowerBound])), !policy.isAuto,
                policy.matrixOffload.isEmpty
            else { return nil }
            self = policy.offloading(offload)
            return
        }
        if lowered.hasSuffix("+npu-attention") {
            guard let policy = Policy(name: String(lowered.dropLast("+npu-attention".count))), !policy.isAuto,
                !policy.splitsAttention
            else { return nil }
            self = policy.splittingAttention()
            return
        }
        let wanted = lowered
        if wanted == Policy.auto.name {
            self = .auto
            return
        }
        if let preset = Policy.presets.first(where: { $0.name == wanted }) {
            self = preset
            return
        }
        guard wanted.hasPrefix("npu+pim+") else { return nil }
        let mechanisms = wanted.dropFirst("npu+pim+".count).split(separator: "+").map(String.init)
        guard !mechanisms.isEmpty, Set(mechanisms).count == mechanisms.count,
            mechanisms.allSatisfy({ Policy.mechanisms.contains($0) })
        else { return nil }
        let canonical = Policy.mechanisms.filter { mechanisms.contains($0) }
        self.init(
            name: "npu+pim+" + canonical.joined(separator: "+"), base: .npuPIM,
            dualRowBuffers: mechanisms.contains("drb"), fusedCommands: mechanisms.contains("fused"),
            bulkIssue: mechanisms.contains("bulk"), greedyPlacement: mechanisms.contains("gmlbp"),
            interleaving: mechanisms.contains("sbi") ? .always : .never)
    }

    /// The plan for `model` on `devices`, or why it cannot run.
    public func plan(for model: ModelSpec, on devices: DeviceSet) throws -> ExecutionPlan {
        func need(_ present: Bool, _ what: String) throws {
            guard present else { throw SimulationError(.incompatible, "policy \(name) needs \(what)") }
        }
        var plan = try basePlan(for: model, on: devices)
        if !matrixOffload.isEmpty {
            try need(devices.pim != nil, "a pim device to run FC GEMVs on (+\(matrixOffload.label))")
            plan.matrixOffload = matrixOffload
        }
        if splitsAttention {
            try need(
                plan.attentionResource == .pim && devices.npu != nil,
                "attention on a pim device and an npu beside it to split attention between them (+npu-attention)")
            // With one row buffer the NPU cannot stream while the channels compute (§2.5).
            try need(plan.rowBuffers == .dual, "dual row buffers (+drb) for the npu to stream beside the pim (+npu-attention)")
            plan.splitsAttention = true
        }
        return plan
    }

    /// The plan before any FC offload.
    private func basePlan(for model: ModelSpec, on devices: DeviceSet) throws -> ExecutionPlan {
        func need(_ present: Bool, _ what: String) throws {
            guard present else { throw SimulationError(.incompatible, "policy \(name) needs \(what)") }
        }
        let placement: ExecutionPlan.KVPlacementRule = greedyPlacement ? .greedyMinLoad : .roundRobin
        let subBatches = interleaving == .never ? 1 : 2
        switch base {
        case .auto:
            throw SimulationError(.incompatible, "policy auto has no single plan: it chooses among the named plans")
        case .npuOnly:
            try need(devices.npu != nil, "an npu device")
            return ExecutionPlan(
                hostResource: .npu, ternaryMatrixResource: .npu, attentionResource: .npu, kvPlacement: .roundRobin,
                subBatches: 1, interleaving: .never, pimModes: [], pimIssueRate: 0)
        case .npuPIM:
            try need(devices.npu != nil, "an npu device")
            try need(devices.pim != nil, "a pim device linked to the npu")
            try need(model.hasAttention, "a model with attention (\(model.name) has none); try npu-only or ternary")
            if dualRowBuffers {
                try need(devices.pim?.rowBuffers == .dual, "a pim device with dual row buffers")
            }
            if fusedCommands {
                try need(
                    devices.pim?.commandSet == .fused, "a pim device with the fused command set (command_set: fused)")
            }
            return ExecutionPlan(
                hostResource: .npu, ternaryMatrixResource: .npu, attentionResource: .pim, kvPlacement: placement,
                subBatches: subBatches, interleaving: interleaving, pimModes: pimModes(available: devices.pim),
                pimIssueRate: bulkIssue ? 0 : devices.npu?.configuration.pimIssueRate ?? 0)
        case .ternary:
            try need(devices.fpga != nil, "an fpga device")
            try need(
                model.weightFormat == .ternary,
                "a ternary-weight model (mmfree-*, bitnet-b1.58-3b; \(model.name) has fp16 weights)")
            let host: DeviceKind = devices.npu != nil ? .npu : .fpga
            var attention: DeviceKind = host
            if model.hasAttention {
                if devices.pim != nil {
                    attention = .pim
                } else {
                    try need(devices.npu != nil, "a pim or npu device to run \(model.name)'s attention")
                }
            }
            return ExecutionPlan(
                hostResource: host, ternaryMatrixResource: .fpga, attentionResource: attention,
                kvPlacement: placement, subBatches: subBatches, interleaving: interleaving,
                pimModes: pimModes(available: devices.pim),
                pimIssueRate: bulkIssue ? 0 : devices.npu?.configuration.pimIssueRate ?? 0)
        }
    }

    /// The PIM modes this policy asks for that `pim` offers.
    private func pimModes(available pim: PIMConfiguration?) -> PIMModes {
        var modes: PIMModes = []
        if dualRowBuffers && pim?.rowBuffers == .dual { modes.insert(.dualRowBuffers) }
        if fusedCommands && pim?.commandSet == .fused { modes.insert(.fusedCommands) }
        return modes
    }
}
