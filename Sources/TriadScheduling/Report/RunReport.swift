import TriadCore

/// The measured outcome of one run: what `triad run` prints and `--format json` serialises.
public struct RunReport: Sendable, Hashable {
    public var policy: String
    public var model: String
    public var workload: String
    public var topology: String
    public var batch: Int
    public var iterations: Int
    public var seed: UInt64
    /// Tokens generated across the whole system.
    public var tokens: Int64
    /// Requests that finished during the run.
    public var completedRequests: Int
    /// Simulated time of the run, picoseconds.
    public var simulatedPicoseconds: Int64
    public var tokensPerSecond: Double
    /// Inter-token latency (ITL), milliseconds: the iteration time each generated token waited, mean and
    /// nearest-rank percentiles over all tokens (per-request time per output token is `serving`'s TPOT).
    public var interTokenLatencyMeanMilliseconds: Double
    public var interTokenLatencyP50Milliseconds: Double
    public var interTokenLatencyP99Milliseconds: Double
    /// Energy per generated token of the whole system (all tensor/pipeline-parallel replicas), joules.
    public var energyPerTokenJoules: Double
    /// The same, by topology device id (summed over replicas), in topology order.
    public var energyPerTokenByDevice: [DeviceFigure]
    /// Busy fraction per topology device id, in topology order: compute for NPU/FPGA, in-bank compute for
    /// PIM, streaming for plain HBM.
    public var deviceUtilization: [DeviceFigure]
    /// Utilization as the NeuPIMs paper measures it, per NPU and PIM device id: NPU = share of time its
    /// systolic pipeline holds an instruction (GEMMs run); PIM = the channels' mean share of time with PIM
    /// work queued (docs/MODEL.md §4).
    public var paperUtilization: [DeviceFigure] = []
    /// Fraction of time the NPU's memory port streamed.
    public var memoryPortUtilization: Double
    /// KV cache reserved over capacity available for it: mean over iterations and peak.
    public var kvOccupancyMean: Double
    public var kvOccupancyPeak: Double
    /// Requests decoding per iteration on average: below `batch` when KV capacity or arrivals limit it.
    public var meanActiveRequests: Double { iterations == 0 ? 0 : Double(requestSteps) / Double(iterations) }
    /// Tokens steps of requests over the run: one per request per iteration that gave it tokens (the tokens
    /// themselves, save with speculative decoding, which yields several per step).
    public var requestSteps: Int64 = 0
    /// Busiest PIM channel's attention load over the channels' mean, averaged over iterations (1 = perfectly
    /// balanced; 0 when attention does not run on PIM).
    public var channelImbalance: Double = 0
    /// Fraction of iterations whose batch the KV capacity kept below `batch` (admission found no channel
    /// with room for the next request): nothing is silently dropped, but the run decoded fewer requests
    /// than asked. The CLI warns when it is above 0.
    public var kvLimitedFraction: Double = 0
    /// Requests whose prompt + output exceeded `--max-sequence` and were shortened to it (the prompt keeps
    /// at most max − 1 tokens, the output the rest), as NeuPIMs caps its data sets at 2,048.
    public var cappedRequests: Int = 0
    /// Multi-group topologies: the share of time spent waiting on links, and the bytes each rank sent over
    /// them — tensor-parallel collectives and pipeline hand-overs (0 for one group).
    public var communicationFraction: Double = 0
    public var tensorParallelBytes: Int64 = 0
    public var pipelineBytes: Int64 = 0
    /// Bytes over each directed link between groups: every ring link carries its rank's collective traffic,
    /// every hand-over link the stage's activations.
    public var linkTraffic: [LinkTraffic] = []
    /// Batches the steady-state check splits the measured iterations into.
    public static let steadyStateBatches = 20
    /// Throughput of each twentieth of the measured iterations (empty for runs under twenty iterations): the
    /// batch means of the steady-state check.
    public var batchThroughputs: [Double] = []
    /// The 95 % confidence half-width of the run's throughput from its batch means (Student's t, 19 degrees
    /// of freedom), relative to their mean: how far another run of this length may land. Batches shorter than a
    /// request's life are correlated, so this understates the spread of short runs; `turnovers` says how
    /// many times the batch was replaced.
    public var steadyStateSpread: Double {
        guard batchThroughputs.count == Self.steadyStateBatches else { return 0 }
        let summary = SampleSummary(batchThroughputs)
        return summary.mean > 0 ? summary.halfWidth95 / summary.mean : 0
    }
    /// Mean throughput of the second half's batches over the first half's, minus one (0 without batches).
    public var steadyStateDrift: Double {
        guard batchThroughputs.count == Self.steadyStateBatches else { return 0 }
        let first = batchThroughputs.prefix(Self.steadyStateBatches / 2).reduce(0, +)
        let second = batchThroughputs.suffix(Self.steadyStateBatches / 2).reduce(0, +)
        return first > 0 ? second / first - 1 : 0
    }
    /// Requests finished per request decoding at a time (the mean active batch): how many times the batch was
    /// replaced. Below 2 the run has not seen the workload's length mix settle.
    public var turnovers: Double { meanActiveRequests > 0 ? Double(completedRequests) / meanActiveRequests : 0 }
    /// Whether requests arrived as a Poisson process (open loop): throughput then follows the arrivals, so its
    /// spread says nothing about the run's length.
    public var isOpenLoop = false
    /// Whether the run is too short for a steady state: fewer than 2 turnovers, or (closed loop) batch means that
    /// spread more than ±3 % (the CLI and sweeps warn).
    public var isTooShort: Bool {
        turnovers < 2 || (!isOpenLoop && steadyStateSpread > Self.steadyStateSpreadLimit)
    }
    public static let steadyStateSpreadLimit = 0.03
    /// Request latencies, SLO attainment and goodput of a serving run (nil in the decode-only mode).
    public var serving: ServingFigures?
    /// Every request finished while measuring (when asked for: `--requests-out`).
    public var requestRecords: [RequestRecord] = []
    /// A staged pipeline's stages (empty when one simulated group stands for every stage).
    public var stages: [StageFigure] = []
    /// How attention ran: "npu fastest|arrays|vector-units|single-array", "pim replay|open-row|multi-query×q"
    /// (the group mapping), or "none" for models without attention; a staged pipeline lists its stages' in order.
    public var attention = ""
    /// The tensor × pipeline split that ran, e.g. "TP4×PP1" (for `auto`, the split it chose).
    public var parallelism = ""
    /// What the `auto` policy chose (nil for a named policy).
    public var autoPlan: AutoPlanSummary?
    /// Paged KV: the block size (tokens), requests preempted while measuring, and the prompt and generated tokens
    /// they prefilled again (nil without paging).
    public var kvPaging: KVPagingFigure?
    /// The prefix cache's figures (nil without one).
    public var prefixCache: PrefixCacheFigure?
    /// Speculative decoding's figures (nil without it).
    public var speculation: SpeculationFigure?
    /// A replicated run's router and each replica's own figures (empty with one replica).
    public var router: String?
    public var replicaFigures: [ReplicaFigure] = []
    /// Sub-batches when interleaving.
    public var subBatches: Int
    /// Fraction of iterations that ran interleaved.
    public var interleavedFraction: Double

    public init(
        policy: String, model: String, workload: String, topology: String, batch: Int, iterations: Int, seed: UInt64,
        tokens: Int64, completedRequests: Int, simulatedPicoseconds: Int64, tokensPerSecond: Double,
        interTokenLatencyMeanMilliseconds: Double, interTokenLatencyP50Milliseconds: Double, interTokenLatencyP99Milliseconds: Double,
        energyPerTokenJoules: Double, energyPerTokenByDevice: [DeviceFigure], deviceUtilization: [DeviceFigure],
        memoryPortUtilization: Double, kvOccupancyMean: Double, kvOccupancyPeak: Double, subBatches: Int,
        interleavedFraction: Double
    ) {
        self.interleavedFraction = interleavedFraction
        self.policy = policy
        self.model = model
        self.workload = workload
        self.topology = topology
        self.batch = batch
        self.iterations = iterations
        self.seed = seed
        self.tokens = tokens
        self.completedRequests = completedRequests
        self.simulatedPicoseconds = simulatedPicoseconds
        self.tokensPerSecond = tokensPerSecond
        self.interTokenLatencyMeanMilliseconds = interTokenLatencyMeanMilliseconds
        self.interTokenLatencyP50Milliseconds = interTokenLatencyP50Milliseconds
        self.interTokenLatencyP99Milliseconds = interTokenLatencyP99Milliseconds
        self.energyPerTokenJoules = energyPerTokenJoules
        self.energyPerTokenByDevice = energyPerTokenByDevice
        self.deviceUtilization = deviceUtilization
        self.memoryPortUtilization = memoryPortUtilization
        self.kvOccupancyMean = kvOccupancyMean
        self.kvOccupancyPeak = kvOccupancyPeak
        self.subBatches = subBatches
    }
}
