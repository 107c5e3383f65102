import TriadCore

/// One (sub-)batch size's layer and head, already costed and merged into segments.
struct LayerSegments: Sendable {
    /// Segments before attention (norm, QKV; for models without attention, the whole layer).
    var beforeAttention: [Segment]
    /// Segments after attention (projection, FFN).
    var afterAttention: [Segment]
    /// Final norm and LM head.
    var head: [Segment]
}

/// Per-sequence-length attention cost of one request (identical in every layer).
struct AttentionCost: Sendable {
    /// Time on the attention device (PIM channel or NPU), logits plus attend.
    var duration: Picoseconds
    var energyPicojoules: Double
    /// Bytes streamed over the memory port (NPU attention reads K and V).
    var streamedBytes: Int64
    /// Softmax on the NPU vector units (PIM attention only; folded into `duration` on the NPU).
    var softmaxDuration: Picoseconds
    var softmaxEnergyPicojoules: Double
    /// PIM instructions the host hands to the channel for logits and attend (PIM attention only).
    var transactions: Int64 = 0
    /// Time the request's PIM commands keep ordinary traffic off its channel.
    var blocked: Picoseconds = 0
    /// The logits GEMV's share of `duration` and `transactions` (PIM attention; for stepping all logits before
    /// any attend, as the NeuPIMs simulator's operations do).
    var logitsDuration: Picoseconds = 0
    var logitsTransactions: Int64 = 0
    /// The same request's attention on the NPU, streaming its K and V (plans that split attention between the PIM
    /// and the NPU, `ExecutionPlan.splitsAttention`): time (softmax included), energy and bytes streamed.
    var npuDuration: Picoseconds = 0
    var npuEnergyPicojoules: Double = 0
    var npuStreamedBytes: Int64 = 0
}
