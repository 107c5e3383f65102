import TriadSetup
import ArgumentParser
import Foundation
import TriadCore

/// The one Triad executable.
@main
struct Triad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triad",
        abstract: "Simulate batched LLM decoding on NPUs, HBM-PIM and ternary FPGAs, and compare placement policies.",
        version: TriadVersion.current,
        subcommands: [
            ValidateCommand.self, RunCommand.self, CompareCommand.self, UpCommand.self, ReproduceCommand.self,
            SnapshotCommand.self, CoordinatorCommand.self, WorkerCommand.self, KeygenCommand.self, BenchCommand.self,
            SweepCommand.self, PoolCommand.self,
            ModelsCommand.self, PlaceCommand.self, CapacityCommand.self,
        ])

    /// Parses and runs; every error ends in one line on stderr and the exit status `ExitStatus` gives it
    /// (2: bad input, 1: a failed run).
    static func main() {
        // A file-size limit or a closed pipe is a write error reported in one line, not a signal.
        signal(SIGXFSZ, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
            // A report that could not be written (a full disk, a closed pipe) is a failed run.
            try OutputFile.flushStandardOutput()
        } catch let error as InputError {
            FileHandle.standardError.write(Data("\(oneLine(error.description))\n".utf8))
            Foundation.exit(2)
        } catch {
            if let (status, message) = ExitStatus.of(error) {
                FileHandle.standardError.write(Data("triad: \(oneLine(message))\n".utf8))
                Foundation.exit(status)
            }
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message =
                    Triad.message(for: error).split(separator: "\n").first.map { String($0.prefix(300)) }
                    ?? "invalid arguments"
                FileHandle.standardError.write(Data("triad: \(oneLine(message)) (see 'triad help')\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// An error message as one line of at most 600 characters (a 100 KB path must not flood the terminal).
    static func oneLine(_ message: String) -> String {
        let flat = message.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= 600 ? flat : String(flat.prefix(600)) + "… (\(flat.count - 600) more characters)"
    }
}
