public import TriadCore
import TriadDevices

/// The placement policies users compare. Each turns (model, devices) into an `ExecutionPlan`.
///
/// A policy that assumes less hardware runs on a richer topology: `npu-only` uses a PIM stack as plain
/// memory, and `npu+pim` drives a dual-row-buffer PIM in single-buffer mode, so one topology file serves
/// every comparison.
public enum Policy: String, CaseIterable, Sendable, Hashable {
    /// Everything on the NPU; attention streams the KV cache over the memory bus.
    case npuOnly = "npu-only"
    /// Attention on PIM in blocked (single row buffer) mode, round-robin KV placement, no interleaving.
    case npuPIM = "npu+pim"
    /// NeuPIMs: dual row buffers, greedy min-load KV placement, two-way sub-batch interleaving in the
    /// iterations where it is faster (see `ExecutionPlan.Interleaving.whenFaster`).
    case neupims
    /// Ablation: `npu+pim` with dual row buffers only.
    case npuPIMDualRowBuffers = "npu+pim+drb"
    /// Ablation: `npu+pim` with greedy min-load KV placement only.
    case npuPIMGreedyPlacement = "npu+pim+gmlbp"
    /// Ablation: `npu+pim` with two-way sub-batch interleaving in every iteration (still blocked).
    case npuPIMInterleaving = "npu+pim+sbi"
    /// Ternary matrices on the FPGA; attention (if any) on PIM; norms, softmax and element-wise work on
    /// the NPU (or the FPGA's element-wise lanes without one); two interleaved sub-batches when faster.
    case ternary

    /// The plan for `model` on `devices`, or why it cannot run.
    public func plan(for model: ModelSpec, on devices: DeviceSet) throws -> ExecutionPlan {
        func need(_ present: Bool, _ what: String) throws {
            guard present else { throw SimulationError(.incompatible, "policy \(rawValue) needs \(what)") }
        }
        switch self {
        case .npuOnly:
            try need(devices.npu != nil, "an npu device")
            return ExecutionPlan(
                hostResource: .npu, ternaryMatrixResource: .npu, attentionResource: .npu, kvPlacement: .roundRobin,
                subBatches: 1, interleaving: .never, rowBuffers: .single)
        case .npuPIM, .neupims, .npuPIMDualRowBuffers, .npuPIMGreedyPlacement, .npuPIMInterleaving:
            try need(devices.npu != nil, "an npu device")
            try need(devices.pim != nil, "a pim device linked to the npu")
            try need(model.hasAttention, "a model with attention (\(model.name) has none); try npu-only or ternary")
            let dual = self == .neupims || self == .npuPIMDualRowBuffers
            if dual {
                try need(devices.pim?.rowBuffers == .dual, "a pim device with dual row buffers")
            }
            let greedy = self == .neupims || self == .npuPIMGreedyPlacement
            let interleaved = self == .neupims || self == .npuPIMInterleaving
            return ExecutionPlan(
                hostResource: .npu, ternaryMatrixResource: .npu, attentionResource: .pim,
                kvPlacement: greedy ? .greedyMinLoad : .roundRobin, subBatches: interleaved ? 2 : 1,
                interleaving: self == .neupims ? .whenFaster : .always, rowBuffers: dual ? .dual : .single)
        case .ternary:
            try need(devices.fpga != nil, "an fpga device")
            try need(
                model.weightFormat == .ternary,
                "a ternary-weight model (mmfree-*, bitnet-b1.58-3b; \(model.name) has fp16 weights)")
            let host: Resource = devices.npu != nil ? .npu : .fpga
            var attention: Resource = host
            if model.hasAttention {
                if devices.pim != nil {
                    attention = .pim
                } else {
                    try need(devices.npu != nil, "a pim or npu device to run \(model.name)'s attention")
                }
            }
            return ExecutionPlan(
                hostResource: host, ternaryMatrixResource: .fpga, attentionResource: attention,
                kvPlacement: .greedyMinLoad, subBatches: 2, interleaving: .whenFaster,
                rowBuffers: devices.pim?.rowBuffers ?? .single)
        }
    }

    /// The policy called `name`, or nil.
    public init?(name: String) { self.init(rawValue: name.lowercased()) }
}
