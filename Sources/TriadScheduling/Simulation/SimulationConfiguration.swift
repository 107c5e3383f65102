public import TriadCore

/// Everything one simulated run needs besides the devices.
public struct SimulationConfiguration: Sendable {
    public var model: ModelSpec
    public var stream: RequestStream
    /// Requests decoded together (continuous batching keeps the batch full).
    public var batchSize: Int
    /// Decode iterations to simulate.
    public var iterations: Int
    public var seed: UInt64
    public var policy: Policy
    /// Longest sequence (prompt + output) a request may reach; NeuPIMs caps at 2048.
    public var maxSequence: Int
    /// Topology name for the report.
    public var topologyName: String
    /// Whether costs learnt in one iteration are reused in later ones (results are identical either way;
    /// turning it off makes every iteration ask the cost service, which fault tests use).
    public var reusesCosts = true
    /// Iterations simulated before measuring starts (a trace's first batch fills up in these).
    public var warmupIterations = 0
    /// Iterations, from the first, whose timeline is kept as `TraceEvent`s (0: none).
    public var traceIterations = 0
    /// Communication between the groups of a multi-group topology (nil: one group stands for every
    /// replica and communication is not modelled).
    public var communication: CommunicationPlan?
    /// Every device of a multi-group topology and the simulated group's device it mirrors (nil: only the
    /// simulated group's devices are reported, each standing for TP × PP replicas).
    public var mirrors: [(device: String, mirrors: String?)]?

    /// Layers this simulation's stage holds (nil: an even split of the model over its pipeline stages) and
    /// whether it runs the final norm and LM head (the last stage does; an even split simulates the last).
    public var stageLayers: Int?
    public var runsHead = true
    /// Prefill, arrivals and SLOs of a serving run (default: decode only, closed loop).
    public var serving = ServingOptions()

    public init(
        model: ModelSpec, stream: RequestStream, batchSize: Int, iterations: Int, seed: UInt64, policy: Policy,
        maxSequence: Int = 2048, topologyName: String
    ) {
        self.model = model
        self.stream = stream
        self.batchSize = batchSize
        self.iterations = iterations
        self.seed = seed
        self.policy = policy
        self.maxSequence = maxSequence
        self.topologyName = topologyName
    }
}
