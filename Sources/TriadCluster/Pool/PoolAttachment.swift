public import Foundation
public import Logging
public import TriadDevices
public import TriadTransport

/// A run attached to a pool: the copy of the pool's listening socket its coordinator adopts, and the control
/// connection that keeps the pool for this run until `detach()` (or the end of this process).
public final class PoolAttachment: @unchecked Sendable {
    public let description: PoolDescription
    private let connection: ControlSocket
    /// The listening descriptor, until a coordinator takes it (`takeDescriptor`).
    private var descriptor: Int32?
    private let lock = NSLock()

    init(connection: ControlSocket, descriptor: Int32, description: PoolDescription) {
        self.connection = connection
        self.descriptor = descriptor
        self.description = description
    }

    deinit { detach() }

    /// The listening descriptor for `Coordinator.Configuration.adoptedDescriptor` (the coordinator closes it).
    public func takeDescriptor() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        defer { descriptor = nil }
        return descriptor
    }

    /// Asks the keeper to start `device`'s worker again (the run declared it dead); does not wait.
    public func restart(device: String) {
        try? connection.send("restart \(device)")
    }

    /// Gives the pool back (its workers wait for the next run).
    public func detach() {
        lock.lock()
        let left = descriptor
        descriptor = nil
        lock.unlock()
        if let left { close(left) }
        connection.close()
    }
}

extension PoolAttachment {
    /// A started coordinator for `devices` on the pool's listening socket (it accepts the waiting workers at once);
    /// a worker it declares dead is started again by the pool.
    /// Workers of `unused` devices register unanswered and go on waiting (the run does not ask them).
    public func coordinator(
        devices: [DeviceDescription], modelName: String, logger: Logger, transport: ZMQTransport,
        unused: Set<String> = []
    ) throws -> Coordinator {
        guard let descriptor = takeDescriptor() else { throw ClusterError("the pool's socket was taken already") }
        var configuration = Coordinator.Configuration(bind: description.endpoint)
        configuration.adoptedDescriptor = descriptor
        configuration.unusedDevices = unused
        let coordinator = Coordinator(
            configuration: configuration, devices: devices, modelName: modelName, logger: logger, transport: transport)
        coordinator.onDeviceDead = { [self] device in restart(device: device) }
        try coordinator.start()
        return coordinator
    }
}
