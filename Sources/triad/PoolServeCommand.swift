import ArgumentParser
import Foundation
import TriadCluster
import TriadSetup

/// `triad pool serve`: the pool's keeper, started by `triad pool start` (not for direct use): a session of its own,
/// its workers, the control socket, until `triad pool stop` or SIGTERM.
struct PoolServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "The pool's keeper process (started by `triad pool start`).",
        shouldDisplay: false)

    @Argument(help: "Topology YAML file.")
    var topology: String

    @OptionGroup var pool: PoolOptions

    @Option(parsing: .unconditional, help: "Copies of the topology's devices (1…64).")
    var replicas: Int = 1

    @Option(help: "Log level of the workers.")
    var logLevel: String = "warning"

    func validate() throws {
        try OptionRange.check(replicas, 1...64, "--replicas")
    }

    func run() throws {
        // Out of the starting shell's session and process group: Ctrl-C there does not reach the pool.
        _ = setsid()
        signal(SIGHUP, SIG_IGN)
        let parsed = try Inputs.topology(at: topology)
        let devices = try LoadedInputs.workerDevices(of: parsed, path: topology, replicas: replicas)
        let directory = pool.directory
        try directory.prepare()
        let keeper = try PoolKeeper(
            directory: directory, topology: topology, topologyName: parsed.name, replicas: replicas,
            devices: devices.map(\.id), logLevel: logLevel)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { keeper.stop() }
            source.resume()
            sources.append(source)
        }
        do {
            try keeper.startWorkers()
        } catch {
            keeper.stop()
            throw error
        }
        // Tell `triad pool start` the workers are started, then let go of its pipe.
        FileHandle.standardOutput.write(Data("ready \(keeper.description.endpoint)\n".utf8))
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, STDOUT_FILENO) }
        keeper.serve()
        for source in sources { source.cancel() }
    }
}
