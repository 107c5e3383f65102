public import TriadCore

/// One device's cost models behind one call: the costs of operations on `device`, each first checked
/// against the device's bounds. The in-process cost service and the worker daemon both use it.
public struct DeviceEvaluator: Sendable {
    public let device: DeviceDescription

    public init(device: DeviceDescription) { self.device = device }

    /// The cost of each of `operations`, in order.
    public func costs(of operations: [Operation]) throws -> [OperationCost] {
        for operation in operations { try CostBound.check(operation, on: device.configuration) }
        switch device.configuration {
        case .npu(let configuration):
            let model = NPUCostModel(configuration: configuration)
            return operations.map { model.cost(of: $0) }
        case .pim(let configuration):
            return try operations.map { operation in
                let gemv: Operation
                var channels = 1
                switch operation.kind.category {
                case .attention:
                    gemv = operation
                case .matrix where PIMMatrixMapping.runs(operation):
                    // An FC GEMV: every channel runs its share of the outputs at once (docs/MODEL.md §2.9).
                    channels = configuration.memory.channels
                    gemv = PIMMatrixMapping.channelGEMV(of: operation, channels: channels)
                default:
                    throw DeviceError(
                        .unsupportedOperation,
                        "\(device.id): PIM runs attention and 16-bit FC GEMVs only, not \(operation.kind.label)\(operation.isTernary ? " (ternary)" : "")"
                    )
                }
                let driven = configuration.driven(by: gemv.pimModes)
                var cost: OperationCost
                // The command-level model runs the Newton dataflow only (topologies and the wire refuse the rest).
                switch (configuration.fidelity, configuration.dataflow) {
                case (.command, .newton): cost = PIMCommandModel(configuration: driven).cost(of: gemv)
                default: cost = PIMCostModel(configuration: driven).cost(of: gemv)
                }
                cost.energyPicojoules *= Double(channels)
                return cost
            }
        case .fpga(let configuration):
            let model = FPGACostModel(configuration: configuration)
            return try operations.map {
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
