public import Foundation
public import Logging
public import TriadDevices
import TriadTransport

/// Proves a pool serves: attaches, waits until every worker has registered and taken its configuration (or the
/// timeout passes), and lets the pool go — what `triad pool start` and `triad pool status` report.
public enum PoolProbe {
    public struct Outcome: Sendable {
        /// From attaching to the last registration (or the timeout), milliseconds.
        public var milliseconds: Int64
        /// Devices whose worker did not register in time, in topology order.
        public var missing: [String]
    }

    public static func run(
        directory: PoolDirectory, devices: [DeviceDescription], timeoutMilliseconds: Int64, logger: Logger
    ) throws -> Outcome {
        let attachment = try PoolClient(directory: directory).attach()
        defer { attachment.detach() }
        let transport = ZMQTransport()
        defer { transport.terminate() }
        let started = monotonicMilliseconds()
        let coordinator = try attachment.coordinator(
            devices: devices, modelName: "pool-probe", logger: logger, transport: transport)
        defer { coordinator.shutdown(reason: "probe finished") }
        do {
            try coordinator.waitUntilReady(timeoutMilliseconds: timeoutMilliseconds)
        } catch let error as ClusterError where !coordinator.isReady && !error.message.hasPrefix("workers did not") {
            throw error
        } catch {
            guard !coordinator.isReady else { throw error }
        }
        return Outcome(milliseconds: monotonicMilliseconds() - started, missing: coordinator.missingDevices)
    }
}
