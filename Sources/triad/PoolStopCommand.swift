import ArgumentParser
import Foundation
import TriadCluster
import TriadSetup

/// `triad pool stop`: the keeper stops its workers and exits; then nothing the pool started is left running (what
/// a keeper that died left behind is stopped by its pid files).
struct PoolStopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop the pool's workers and keeper, leaving no process behind.")

    @OptionGroup var pool: PoolOptions

    func run() throws {
        let directory = pool.directory
        let client = PoolClient(directory: directory)
        let workers = directory.workerPIDs()
        let keeper = (try? String(contentsOfFile: directory.keeperPIDPath, encoding: .utf8)).flatMap {
            pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var stopped = 0
        if let count = try? client.stop() {
            stopped = count
        } else if workers.isEmpty && keeper == nil {
            throw RunFailure(message: "no pool is running in \(directory.path)")
        }
        // Whatever is still there — a keeper that died, workers it left — is ended by pid (only processes that are
        // this pool's: their command lines say so).
        let leftovers =
            workers.filter { Self.isPoolProcess($0.value, containing: ["worker", "--pool", $0.key]) }.map(\.value)
            + (keeper.map { Self.isPoolProcess($0, containing: ["pool", "serve"]) ? [$0] : [] } ?? [])
        for pid in leftovers { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(3)
        while leftovers.contains(where: { Self.isAlive($0) }) && Date() < deadline { usleep(5_000) }
        for pid in leftovers where Self.isAlive(pid) { kill(pid, SIGKILL) }
        directory.clear()
        print("triad pool: stopped \(max(stopped, workers.count)) workers (\(directory.path))")
    }

    /// Whether `pid` runs and its command line has every word of `words` (so a reused pid is left alone).
    static func isPoolProcess(_ pid: pid_t, containing words: [String]) -> Bool {
        guard isAlive(pid) else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return words.allSatisfy(arguments.contains)
    }

    /// Whether `pid` is a live process (a zombie counts as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }
}
