public import Foundation

/// On SIGINT or SIGTERM, stops the worker processes and exits (no orphans on Ctrl-C).
public final class SignalCleanup: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    public init(supervisor: WorkerSupervisor) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                supervisor.stopAll(grace: 1)
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
