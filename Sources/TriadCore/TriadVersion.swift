/// Triad's release version: printed by `triad --version` (and `--version` on every subcommand) and written
/// as `triad_version` at the top of every JSON report, so a result can be traced to the code that made it.
public enum TriadVersion {
    public static let current = "0.9.0"
}
