public import TriadCore
public import TriadDevices

/// What a policy decides: where each operation class runs, how KV caches are placed, how the batch is
/// split, and how the PIM is driven. The engine executes it.
public struct ExecutionPlan: Sendable, Hashable {
    /// Where KV caches go.
    public enum KVPlacementRule: String, Sendable, Hashable {
        /// Channel after channel, skipping full ones.
        case roundRobin = "round-robin"
        /// The channel with the least estimated attention load (NeuPIMs Algorithm 1).
        case greedyMinLoad = "greedy-min-load"
    }

    /// Device running non-ternary matrices and vector work.
    public var hostResource: DeviceKind
    /// Device running ternary matrices.
    public var ternaryMatrixResource: DeviceKind
    /// Device running attention GEMVs.
    public var attentionResource: DeviceKind
    /// FC classes that run on the PIM as GEMVs, and up to how many rows (none: every FC on `hostResource`).
    public var matrixOffload = MatrixOffload.none
    /// With PIM attention: whether the NPU takes part of each (sub-)batch's attention, streaming those requests' K
    /// and V while the channels compute the rest, the share balanced each iteration (docs/MODEL.md §11).
    public var splitsAttention = false
    public var kvPlacement: KVPlacementRule
    /// When to split the batch into interleaved sub-batches.
    public enum Interleaving: String, Sendable, Hashable {
        case never
        case always
        /// Each iteration, compose both and keep the faster (a runtime scheduler's choice; the NeuPIMs
        /// simulator uses a static rule, batch ≥ 256, instead).
        case whenFaster = "when-faster"
    }

    /// Sub-batches when interleaving.
    public var subBatches: Int
    public var interleaving: Interleaving
    /// How the PIM is driven: row buffers and command set.
    public var pimModes: PIMModes
    /// PIM instructions the host moves to the channel queues per NPU cycle (0: a whole tile at once).
    public var pimIssueRate: Int

    /// The row-buffer mode the PIM is driven in.
    public var rowBuffers: PIMConfiguration.RowBuffers { pimModes.contains(.dualRowBuffers) ? .dual : .single }

    public init(
        hostResource: DeviceKind, ternaryMatrixResource: DeviceKind, attentionResource: DeviceKind,
        kvPlacement: KVPlacementRule, subBatches: Int, interleaving: Interleaving, pimModes: PIMModes,
        pimIssueRate: Int
    ) {
        self.interleaving = subBatches > 1 ? interleaving : .never
        self.hostResource = hostResource
        self.ternaryMatrixResource = ternaryMatrixResource
        self.attentionResource = attentionResource
        self.kvPlacement = kvPlacement
        self.subBatches = subBatches
        self.pimModes = pimModes
        self.pimIssueRate = pimIssueRate
    }

    /// The resource an operation of the layer runs on; FC GEMVs go to the PIM as `matrixOffload` says when
    /// `offloading` (decode steps; prefill keeps its GEMMs on the host).
    public func resource(for operation: Operation, offloading: Bool = true) -> DeviceKind {
        switch operation.kind.category {
        case .attention: return attentionResource
        case .matrix:
            if operation.isTernary { return ternaryMatrixResource }
            // Bank PIM multiplies FP16 operands only (Samsung's HBM-PIM, Lee et al., ISCA 2021): quantized weights stay
            // on the host.
            // Sparse weights likewise (the PIM cannot rebuild a Tiled-CSL matrix).
            return offloading && operation.weightBits == 16 && operation.weightDensity == 10_000
                && matrixOffload.runsOnPIM(operation) ? .pim : hostResource
        case .vector: return hostResource
        }
    }
}
