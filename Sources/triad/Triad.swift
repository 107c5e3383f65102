import ArgumentParser
import Foundation

/// The one Triad executable.
@main
struct Triad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triad",
        abstract: "Simulate batched LLM decoding on NPUs, HBM-PIM and ternary FPGAs, and compare placement policies.",
        subcommands: [
            ValidateCommand.self, RunCommand.self, CompareCommand.self, UpCommand.self, ReproduceCommand.self,
            SnapshotCommand.self, CoordinatorCommand.self, WorkerCommand.self, KeygenCommand.self, BenchCommand.self,
            ModelsCommand.self,
        ])

    /// Parses and runs; bad input (arguments, topology, model, workload) prints one line and exits 2,
    /// a failed run exits 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            Foundation.exit(2)
        } catch let error as RunFailure {
            FileHandle.standardError.write(Data("triad: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if code == .validationFailure {
                let message =
                    Triad.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                FileHandle.standardError.write(Data("triad: \(message) (see 'triad help')\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
