public import Foundation
public import Logging
public import ServiceLifecycle

/// Runs a blocking loop on a dedicated thread as a ServiceLifecycle service: the cooperative pool never
/// blocks on a socket, and SIGTERM/SIGINT raise the loop's stop flag for a graceful end.
public struct ThreadService: Service {
    public let name: String
    public let body: @Sendable () throws -> Void
    public let stop: @Sendable () -> Void

    public init(name: String, body: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
        self.stop = stop
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    do {
                        try body()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = name
                thread.start()
            }
        } onGracefulShutdown: {
            stop()
        }
    }
}

/// Runs `services` under a ServiceGroup with graceful shutdown on SIGTERM and SIGINT, blocking the caller.
public func runServices(_ services: [any Service], logger: Logger) throws {
    let outcome = ServiceOutcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            outcome.error = error
        }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}

/// The error a service group ended with, handed from its task to the waiting thread.
private final class ServiceOutcome: @unchecked Sendable {
    public var error: (any Error)?
}
