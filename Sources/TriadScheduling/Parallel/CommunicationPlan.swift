public import TriadCore

/// The communication a tensor- and pipeline-parallel run pays, and how long each exchange takes over its
/// link (docs/MODEL.md §8). Megatron-style tensor parallelism all-reduces the hidden activations twice per
/// layer (after the attention output projection and after the FFN's down projection) and all-gathers the
/// LM head's logits once; a pipeline hands each micro-batch's activations to the next stage. Collectives run
/// as rings over the slowest link of the ring: an all-reduce is a reduce-scatter and an all-gather, each
/// T − 1 steps of 1/T of the data. Communication blocks the compute that needs it and is not overlapped with
/// other sub-batches' compute (a conservative rule).
public struct CommunicationPlan: Sendable, Hashable {
    /// Tensor-parallel ranks per stage (1: no collectives).
    public var tensorRanks: Int
    /// The slowest link of the tensor-parallel ring.
    public var tensorLink: LinkProperties?
    /// Pipeline stages (1: no transfers).
    public var pipelineStages: Int
    /// The slowest link between consecutive stages.
    public var pipelineLink: LinkProperties?
    /// Bytes per activation element (FP16).
    public var elementBytes: Int64 = 2
    /// The directed links the tensor-parallel rings use (rank r to rank r + 1 of every stage), by group id.
    public var ringLinks: [DirectedLink] = []
    /// The directed links stage hand-overs use (stage s to stage s + 1), by group id.
    public var handOverLinks: [DirectedLink] = []

    public init(tensorRanks: Int, tensorLink: LinkProperties?, pipelineStages: Int, pipelineLink: LinkProperties?) {
        self.tensorRanks = tensorRanks
        self.tensorLink = tensorLink
        self.pipelineStages = pipelineStages
        self.pipelineLink = pipelineLink
    }

    /// Time to move `bytes` over `link` in one message: latency + bytes / bandwidth.
    public static func transferTime(_ bytes: Int64, over link: LinkProperties) -> Picoseconds {
        link.latency +| scaled(bytes, times: picosecondsPerSecond, over: link.bandwidthBytesPerSecond, roundingUp: true)
    }

    /// A ring all-reduce of `bytes` per rank: 2 (T − 1) steps of ⌈bytes / T⌉.
    public func allReduce(_ bytes: Int64) -> Picoseconds {
        guard tensorRanks > 1, let tensorLink else { return 0 }
        let step = Self.transferTime(bytes.ceilDiv(Int64(tensorRanks)), over: tensorLink)
        return scaled(step, times: Int64(2 * (tensorRanks - 1)), over: 1, roundingUp: false)
    }

    /// A ring all-gather of `bytes` in total (each rank holds 1/T): T − 1 steps of ⌈bytes / T⌉.
    public func allGather(_ bytes: Int64) -> Picoseconds {
        guard tensorRanks > 1, let tensorLink else { return 0 }
        let step = Self.transferTime(bytes.ceilDiv(Int64(tensorRanks)), over: tensorLink)
        return scaled(step, times: Int64(tensorRanks - 1), over: 1, roundingUp: false)
    }

    /// Bytes each rank puts on the ring links for an all-reduce of `bytes` (for traffic accounting).
    public func allReduceTraffic(_ bytes: Int64) -> Int64 {
        tensorRanks > 1
            ? scaled(bytes.ceilDiv(Int64(tensorRanks)), times: Int64(2 * (tensorRanks - 1)), over: 1, roundingUp: false)
            : 0
    }

    /// Hand `bytes` of activations to the next stage.
    public func stageTransfer(_ bytes: Int64) -> Picoseconds {
        guard pipelineStages > 1, let pipelineLink else { return 0 }
        return Self.transferTime(bytes, over: pipelineLink)
    }

    /// The plan as stage `stage` of a staged pipeline pays it: its own ring's links and its hand-over to the
    /// next stage (the last stage hands its tokens back over the same slowest hand-over link, unlisted).
    public func forStage(_ stage: Int) -> CommunicationPlan {
        var plan = self
        let ranks = tensorRanks > 1 ? tensorRanks : 0
        plan.ringLinks = Array(ringLinks.dropFirst(stage * ranks).prefix(ranks))
        plan.handOverLinks = stage < handOverLinks.count ? [handOverLinks[stage]] : []
        return plan
    }
}
