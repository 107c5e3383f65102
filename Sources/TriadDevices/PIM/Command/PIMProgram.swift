public import TriadCore

/// The PIM command program of one request's attention GEMV on its channel: global-buffer writes and
/// composite GEMV tiles, in issue order (docs/MODEL.md §2.1).
public struct PIMProgram: Sendable, Hashable {
    /// One step of the program.
    public enum Step: Sendable, Hashable {
        /// Write one row's worth of the input vector into the channel's global buffer.
        case globalWrite
        /// One composite GEMV over all banks: header, a G_ACT per (rank, bank group), `comps` all-bank COMPs,
        /// `readResults` READRESes, then an all-bank PIM precharge.
        case tile(comps: Int, readResults: Int)
    }

    public var steps: [Step]

    /// A program of explicit steps.
    public init(steps: [Step]) { self.steps = steps }

    /// The program of a logits or attend GEMV, laid out like `PIMCostModel.commands(for:)`.
    public init(operation: Operation, configuration: PIMConfiguration) {
        let sequence = Int(operation.sequenceLength)
        let heads = Int(operation.heads)
        let keyValueHeads = max(1, Int(operation.keyValueHeads))
        let headDimension = Int(operation.headDimension)
        let rowElements = configuration.rowElements
        let banks = configuration.banksPerChannel
        var steps: [Step] = []
        switch operation.kind {
        case .attentionLogits:
            let keyWidth = keyValueHeads * headDimension
            let chunks = keyWidth.ceilDiv(rowElements)
            let headsPerChunk = max(1, min(keyValueHeads, rowElements / headDimension))
            let comps = min(keyWidth, rowElements).ceilDiv(configuration.multipliersPerBank)
            for _ in 0..<(heads / keyValueHeads) {
                for _ in 0..<chunks {
                    steps.append(.globalWrite)
                    for _ in 0..<sequence.ceilDiv(banks) {
                        steps.append(.tile(comps: comps, readResults: headsPerChunk))
                    }
                }
            }
        case .attentionAttend:
            let chunks = sequence.ceilDiv(rowElements)
            let lastComps = (sequence - (chunks - 1) * rowElements).ceilDiv(configuration.multipliersPerBank)
            for _ in 0..<heads {
                for chunk in 0..<chunks {
                    steps.append(.globalWrite)
                    let comps = chunk == chunks - 1 ? lastComps : configuration.compsPerRow
                    for _ in 0..<headDimension.ceilDiv(banks) {
                        steps.append(.tile(comps: comps, readResults: 1))
                    }
                }
            }
        default:
            preconditionFailure("PIM programs exist for attention GEMVs only")
        }
        self.steps = steps
    }
}
