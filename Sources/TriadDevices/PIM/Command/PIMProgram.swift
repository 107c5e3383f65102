public import TriadCore

/// The PIM command program of one request's attention GEMV on its channel: global-buffer writes and
/// composite GEMV tiles, in issue order (docs/MODEL.md §2.1).
public struct PIMProgram: Sendable, Hashable {
    /// One step of the program.
    public enum Step: Sendable, Hashable {
        /// Write one row's worth of the input vector into the channel's global buffer.
        case globalWrite
        /// One composite GEMV over all banks: header, a G_ACT per (rank, bank group), `comps` all-bank COMPs,
        /// `readResults` READRESes (each read out `readouts` times: one per query vector a COMP serves), then an
        /// all-bank PIM precharge.
        case tile(comps: Int, readResults: Int, readouts: Int)
        /// A further pass over the rows the last tile opened (open-row reuse): its COMPs and READRESes only.
        case pass(comps: Int, readResults: Int, readouts: Int)
    }

    public var steps: [Step]

    /// A program of explicit steps.
    public init(steps: [Step]) { self.steps = steps }

    /// The program of a logits or attend GEMV, in `PIMLayout`'s order.
    public init(operation: Operation, configuration: PIMConfiguration) {
        let layout = PIMLayout(operation: operation, configuration: configuration)
        var steps: [Step] = []
        for _ in 0..<layout.repeats {
            for run in layout.runs {
                let comps = Int(run.comps)
                let results = Int(run.results)
                let readouts = Int(run.vectors)
                for _ in 0..<run.count {
                    for _ in 0..<run.chunkWrites { steps.append(.globalWrite) }
                    for _ in 0..<run.tiles {
                        if run.writesEveryPass { steps.append(.globalWrite) }
                        steps.append(.tile(comps: comps, readResults: results, readouts: readouts))
                        for _ in 1..<max(run.passes, 1) {
                            if run.writesEveryPass { steps.append(.globalWrite) }
                            steps.append(.pass(comps: comps, readResults: results, readouts: readouts))
                        }
                    }
                }
            }
        }
        self.steps = steps
    }
}
