import ArgumentParser

/// `triad pool start|status|stop`: a warm pool of worker daemons for one topology, so that repeated `triad up --pool`
/// runs, sweeps and capacity searches pay for starting worker processes once.
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Keep worker daemons for a topology running between runs (`triad up --pool` attaches to them).",
        subcommands: [PoolStartCommand.self, PoolStatusCommand.self, PoolStopCommand.self, PoolServeCommand.self])
}
