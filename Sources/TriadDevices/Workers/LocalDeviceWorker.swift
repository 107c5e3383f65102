public import TriadCore

/// A worker that runs the device's cost model in the caller's process.
public struct LocalDeviceWorker: DeviceWorker {
    public let device: DeviceDescription

    public init(device: DeviceDescription) { self.device = device }

    public func evaluate(_ batch: EvaluationBatch) throws -> [OperationCost] {
        for operation in batch.operations { try CostBound.check(operation, on: device.configuration) }
        switch device.configuration {
        case .npu(let configuration):
            let model = NPUCostModel(configuration: configuration)
            return batch.operations.map { model.cost(of: $0) }
        case .pim(let configuration):
            return try batch.operations.map {
                guard $0.kind.category == .attention else {
                    throw DeviceError(
                        .unsupportedOperation, "\(device.id): PIM runs attention GEMVs only, not \($0.kind.label)")
                }
                let driven = configuration.driven(by: $0.pimModes)
                switch configuration.fidelity {
                case .analytic: return PIMCostModel(configuration: driven).cost(of: $0)
                case .command: return PIMCommandModel(configuration: driven).cost(of: $0)
                }
            }
        case .fpga(let configuration):
            let model = FPGACostModel(configuration: configuration)
            return try batch.operations.map {
                guard model.supports($0) else {
                    throw DeviceError(
                        .unsupportedOperation, "\(device.id): the ternary FPGA cannot run \($0.kind.label)")
                }
                return model.cost(of: $0)
            }
        case .hbm:
            throw DeviceError(.unsupportedOperation, "\(device.id): plain HBM computes nothing")
        }
    }
}
