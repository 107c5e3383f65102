import TriadCore

/// One simulation of a sweep: a point of the grid and a seed.
public struct SweepRun: Sendable {
    public var topology: String
    public var parameters: [(path: String, value: String)]
    public var model: String
    public var workload: String
    public var parallelism: SweepSpec.Parallelism?
    public var batch: Int
    public var policy: String
    public var seed: UInt64
    /// Poisson arrivals, requests per second (nil: closed loop).
    public var arrivalRate: Double?

    /// The point's identity without the seed: runs that differ only in their seed are samples of one point.
    public var pointKey: String {
        let setting = parameters.map { "\($0.path)=\($0.value)" }.joined(separator: ",")
        let degrees = parallelism.map { "\($0.tensor)x\($0.pipeline)" } ?? "default"
        return
            "topology=\(topology);parameters=\(setting);model=\(model);workload=\(workload);parallelism=\(degrees)\(rateKey);batch=\(batch);policy=\(policy)"
    }

    private var rateKey: String { arrivalRate.map { ";arrival_rate=\(JSON.format($0))" } ?? "" }

    /// The arrival rate as written in outputs, or "closed" for a closed loop.
    public var arrivalText: String { arrivalRate.map { JSON.format($0) } ?? "closed" }

    /// The run's identity in the journal.
    public var key: String { pointKey + ";seed=\(seed)" }

    /// The parameter values as one text (`pim.channels=16 interconnect.latency_ns=500`), empty without any.
    public var parameterText: String { parameters.map { "\($0.path)=\($0.value)" }.joined(separator: " ") }

    /// Tensor × pipeline as written in outputs (`4x1`), or "default".
    public var parallelismText: String { parallelism.map { "\($0.tensor)x\($0.pipeline)" } ?? "default" }
}
