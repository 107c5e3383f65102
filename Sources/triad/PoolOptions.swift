import ArgumentParser
import TriadCluster

/// Where a pool keeps its state (`--state-dir`), shared by `triad pool` and `triad up --pool`.
struct PoolOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: "The pool's state directory (default: $XDG_RUNTIME_DIR/triad-pool, else /tmp/triad-pool-UID).")
    var stateDirectory: String?

    func validate() throws {
        if let stateDirectory, stateDirectory.isEmpty || stateDirectory.utf8.count > 87 {
            throw ValidationError("--state-dir must be a path of 1…87 characters (it holds a control socket)")
        }
    }

    var directory: PoolDirectory { stateDirectory.map(PoolDirectory.init) ?? .standard }
}
