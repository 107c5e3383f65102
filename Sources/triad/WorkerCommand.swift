import TriadSetup
import ArgumentParser
import Foundation
import TriadCluster
import TriadTopology
import TriadTransport

/// `triad worker --connect ENDPOINT --device ID`: a device worker daemon.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Serve one device of a topology to a coordinator over ZeroMQ.")

    @Option(help: "Coordinator endpoint, e.g. tcp://10.0.0.1:5555.")
    var connect: String

    @Option(help: "The device id this worker emulates.")
    var device: String

    @Option(help: "Topology file to check the device id against (the coordinator sends the configuration).")
    var topology: String?

    @Flag(help: "Connect with CurveZMQ (needs --curve-key and --server-key).")
    var curve = false

    @Option(help: "This worker's CURVE key file (from `triad keygen`); implies --curve.")
    var curveKey: String?

    @Option(help: "The coordinator's CURVE public key (Z85) or key file.")
    var serverKey: String?

    @Flag(help: "Exit when the parent process dies (used by `triad up`).")
    var exitWithParent = false

    @Flag(help: "Serve one run and exit (default: a daemon that waits for the next coordinator after each run).")
    var once = false

    @Flag(
        help:
            "A `triad pool` worker: between runs, wait quietly in the pool's listening queue so that the next coordinator gets this worker's registration at once (started by `triad pool start`)."
    )
    var pool = false

    func validate() throws {
        if pool && once { throw ValidationError("--pool workers serve one run after another; drop --once") }
    }

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try Endpoint.check(connect, flag: "--connect", binding: false)
        if let problem = DeviceID.problem(device) { throw InputError("triad: --device: \(problem)") }
        if let topology {
            let parsed = try Inputs.topology(at: topology)
            guard parsed.devices.contains(where: { $0.id == device }) else {
                throw InputError("\(topology): no device '\(device)'")
            }
        }
        if exitWithParent { ParentWatch.exitWhenParentDies() }
        var configuration = WorkerLoop.Configuration(endpoint: connect, deviceID: device)
        configuration.servesOnce = once
        configuration.pooled = pool
        if curve && curveKey == nil { throw InputError("triad: --curve needs --curve-key FILE and --server-key KEY") }
        if let curveKey {
            guard let serverKey else { throw InputError("triad: --curve-key needs --server-key") }
            let keys = try KeyFile.read(curveKey)
            configuration.curve = CurveClientKeys(
                publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: try KeyFile.publicKey(serverKey))
        }
        let logger = logging.bootstrap(label: "triad.worker.\(device)")
        let stop = StopSignal()
        let transport = ZMQTransport()
        let loop = WorkerLoop(configuration: configuration, logger: logger, stop: stop, transport: transport)
        let shared = UncheckedBox(loop)
        try runServices(
            [
                ThreadService(
                    name: "worker \(device)", body: { try shared.value.run() }, stop: { stop.raise() })
            ],
            logger: logger)
        transport.terminate()
    }
}

/// Hands a thread-confined object to the one thread that uses it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
