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

    /// The program of a logits or attend GEMV, in `PIMLayout`'s order.
    public init(operation: Operation, configuration: PIMConfiguration) {
        let layout = PIMLayout(operation: operation, configuration: configuration)
        var steps: [Step] = []
        for _ in 0..<layout.repeats {
            for run in layout.runs {
                for _ in 0..<run.count {
                    steps.append(.globalWrite)
                    for _ in 0..<run.tiles { steps.append(.tile(comps: Int(run.comps), readResults: Int(run.results))) }
                }
            }
        }
        self.steps = steps
    }
}
