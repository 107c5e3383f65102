/// One point of the scale study (`ScaleStudy`): a model on a number of simulated devices, and what simulating one
/// decode iteration of it cost in wall time.
public struct ScalePoint: Sendable, Hashable {
    /// How the point ran: in this process, or through one worker process per device (a local cluster).
    public enum Mode: String, Sendable, Hashable {
        case inProcess = "in-process"
        case processes
    }

    public var model: String
    public var mode: Mode
    /// Simulated devices (NPU+PIM groups); worker processes are twice as many (one per NPU, one per PIM).
    public var devices: Int
    public var tensorParallel: Int
    public var pipelineParallel: Int
    /// Requests decoded together (128 per pipeline stage).
    public var batch: Int
    /// Iterations of the measured difference (`ScaleStudy`), and its wall time, seconds.
    public var iterations: Int
    public var wallSeconds: Double
    /// Why the point did not run (nothing measured), if it did not.
    public var skipped: String?

    public init(
        model: String, mode: Mode, devices: Int, tensorParallel: Int, pipelineParallel: Int, batch: Int,
        iterations: Int, wallSeconds: Double, skipped: String? = nil
    ) {
        self.model = model
        self.mode = mode
        self.devices = devices
        self.tensorParallel = tensorParallel
        self.pipelineParallel = pipelineParallel
        self.batch = batch
        self.iterations = iterations
        self.wallSeconds = wallSeconds
        self.skipped = skipped
    }

    /// Wall seconds per simulated iteration (0 when skipped).
    public var secondsPerIteration: Double { iterations > 0 ? wallSeconds / Double(iterations) : 0 }
    /// Wall seconds per simulated request-step (one request decoding one token).
    public var secondsPerRequestStep: Double { batch > 0 ? secondsPerIteration / Double(batch) : 0 }
}
