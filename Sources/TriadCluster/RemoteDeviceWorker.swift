public import TriadCore
public import TriadDevices

/// A device worker in another process, reached through the coordinator. Only the coordinator's thread may
/// call it (the simulation runs there), which is why it is `@unchecked Sendable`.
public final class RemoteDeviceWorker: DeviceWorker, @unchecked Sendable {
    public let device: DeviceDescription
    private let coordinator: Coordinator

    public init(device: DeviceDescription, coordinator: Coordinator) {
        self.device = device
        self.coordinator = coordinator
    }

    public func evaluate(_ batch: EvaluationBatch) throws -> [OperationCost] {
        try coordinator.evaluate(deviceID: device.id, iteration: batch.iteration, operations: batch.operations)
    }
}
