public import Foundation
public import Logging
public import TriadDevices
public import TriadTransport

/// A coordinator in this process and one `triad worker` process per device on loopback.
public final class LocalCluster {
    public let transport = ZMQTransport()
    public let coordinator: Coordinator
    public let supervisor: WorkerSupervisor
    public let devices: [DeviceDescription]
    private let cleanup: SignalCleanup

    public init(
        devices: [DeviceDescription], modelName: String, logLevel: String, pidDirectory: String?, logger: Logger,
        programs: [String: URL] = [:]
    ) throws {
        self.devices = devices
        coordinator = Coordinator(
            configuration: .init(bind: "tcp://127.0.0.1:*"), devices: devices, modelName: modelName, logger: logger,
            transport: transport)
        let endpoint = try coordinator.start()
        let supervisor = WorkerSupervisor(
            endpoint: endpoint, logLevel: logLevel, pidDirectory: pidDirectory, programs: programs)
        self.supervisor = supervisor
        cleanup = SignalCleanup(supervisor: supervisor)
        // Restarting kills what is left of the old process and waits for it: never on the coordinator's thread.
        coordinator.onDeviceDead = { device in DispatchQueue.global().async { supervisor.restart(device: device) } }
    }

    /// Starts the workers and waits until each has registered and taken its configuration.
    public func start() throws {
        try spawn()
        try coordinator.waitUntilReady(timeoutMilliseconds: 60_000)
    }

    /// Starts one worker process per device, in parallel (they register with the coordinator on their own).
    public func spawn() throws {
        try supervisor.start(devices: devices.map(\.id))
    }

    /// Releases the workers (they exit on Disconnect; one that never registered is told to stop at once) and closes
    /// the sockets.
    public func stop(reason: String = "run finished") {
        let unregistered = coordinator.missingDevices
        coordinator.shutdown(reason: reason)
        supervisor.terminate(devices: unregistered)
        supervisor.waitForExit(grace: 3)
        cleanup.cancel()
        transport.terminate()
    }

    /// Kills the workers at once (after a failure).
    public func abandon() {
        coordinator.shutdown(reason: "run failed")
        supervisor.stopAll(grace: 1)
        cleanup.cancel()
        transport.terminate()
    }
}
