public import TriadCore

/// How the NeuPIMs simulator composes one decoder layer's decode step from its phases
/// (casys-kaist/NeuPIMs `src/Scheduler.h`/`Scheduler.cc`; paper §5.3, Fig. 9). Each step ends when both
/// the NPU and the PIM side have finished it.
///
/// Serial (no interleaving): A = QKV generation, B = attention (PIM GEMVs with the NPU's softmax),
/// E = projection + FFN; a layer costs A + B + E.
///
/// Interleaved over two sub-batches SB1, SB2 and two layers:
///
/// | step | NPU | PIM |
/// |---|---|---|
/// | A | QKV(SB1) | — |
/// | B | QKV(SB2) | MHA(SB1) |
/// | C | Proj+FFN(SB1) + QKV(SB1, next layer) | MHA(SB2) |
/// | D | Proj+FFN(SB2) + QKV(SB2, next layer) | MHA(SB1, next layer) |
/// | E | Proj+FFN(SB1, next layer) | MHA(SB2, next layer) |
/// | F | Proj+FFN(SB2, next layer) | — |
///
/// In steady state a layer costs C + D; a model of N layers A + B + (C + D)·(N − 1) + E + F.
public enum SnapshotSchedule {
    /// The phases of one (sub-)batch in one layer, picoseconds.
    public struct Phases: Sendable, Hashable {
        /// QKV generation (norm + QKV GEMM) on the NPU.
        public var qkv: Picoseconds
        /// Attention: the PIM side's makespan including the NPU's softmax.
        public var attention: Picoseconds
        /// Output projection, residual, norm, FFN on the NPU.
        public var projectionFeedForward: Picoseconds
        /// Time the attention's PIM commands close the channels to the NPU's stream (channels' mean).
        public var attentionBlocking: Picoseconds

        public init(
            qkv: Picoseconds, attention: Picoseconds, projectionFeedForward: Picoseconds,
            attentionBlocking: Picoseconds = 0
        ) {
            self.qkv = qkv
            self.attention = attention
            self.projectionFeedForward = projectionFeedForward
            self.attentionBlocking = attentionBlocking
        }
    }

    /// Step durations by letter, in order.
    public struct Steps: Sendable, Hashable {
        public var names: [String]
        public var durations: [Picoseconds]

        /// One layer in steady state: A + B + E serial, C + D interleaved.
        public var perLayer: Picoseconds {
            isInterleaved ? durations[2] + durations[3] : durations.reduce(0, +)
        }

        public var isInterleaved: Bool { names.count == 6 }

        /// A model of `layers` layers: N·(A + B + E) serial, A + B + (C + D)·(N − 1) + E + F interleaved.
        public func model(layers: Int) -> Picoseconds {
            guard isInterleaved else { return Picoseconds(layers) * perLayer }
            return durations[0] + durations[1] + perLayer * Picoseconds(max(layers, 1) - 1) + durations[4]
                + durations[5]
        }
    }

    /// The serial schedule of one batch.
    public static func serial(_ batch: Phases) -> Steps {
        Steps(names: ["A", "B", "E"], durations: [batch.qkv, batch.attention, batch.projectionFeedForward])
    }

    /// The interleaved schedule of two sub-batches. With dual row buffers (`sharedMemory` false) the NPU's
    /// stream runs beside the other sub-batch's attention and loses the share of its blocked time it
    /// overlaps; with a single row buffer the two sides of a step cannot overlap at all.
    public static func interleaved(_ first: Phases, _ second: Phases, singleRowBuffer: Bool = false) -> Steps {
        func step(npu: Picoseconds, pim: Phases?) -> Picoseconds {
            guard let pim, pim.attention > 0 else { return npu }
            if singleRowBuffer { return npu + pim.attention }
            let overlap = min(npu, pim.attention)
            let slowed = npu + scaled(pim.attentionBlocking, times: overlap, over: pim.attention, roundingUp: false)
            return max(slowed, pim.attention)
        }
        let a = first.qkv
        let b = step(npu: second.qkv, pim: first)
        let c = step(npu: first.projectionFeedForward + first.qkv, pim: second)
        let d = step(npu: second.projectionFeedForward + second.qkv, pim: first)
        let e = step(npu: first.projectionFeedForward, pim: second)
        let f = second.projectionFeedForward
        return Steps(names: ["A", "B", "C", "D", "E", "F"], durations: [a, b, c, d, e, f])
    }
}
