public import TriadCore
public import TriadDevices

/// Where the simulator gets operation costs: asked once per decode iteration with every device's distinct
/// new operations together, so a cluster answers in one round trip. `LocalCostService` evaluates in this
/// process; the cluster's `ClusterCostService` asks worker processes through the coordinator.
public protocol CostService {
    /// The cost of each request's operations, in request and operation order.
    func costs(_ requests: [CostRequest]) throws -> [[OperationCost]]
}

/// The operations of one decode iteration that run on one device.
public struct CostRequest: Sendable, Hashable {
    public var deviceID: String
    /// The decode iteration asking (for logs and duplicate detection).
    public var iteration: Int
    public var operations: [Operation]

    public init(deviceID: String, iteration: Int, operations: [Operation]) {
        self.deviceID = deviceID
        self.iteration = iteration
        self.operations = operations
    }
}

/// Costs from the devices' models in this process.
public struct LocalCostService: CostService, Sendable {
    private let evaluators: [String: DeviceEvaluator]

    public init(devices: [DeviceDescription]) {
        var evaluators: [String: DeviceEvaluator] = [:]
        for device in devices { evaluators[device.id] = DeviceEvaluator(device: device) }
        self.evaluators = evaluators
    }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        try requests.map { request in
            guard let evaluator = evaluators[request.deviceID] else {
                throw DeviceError(.unsupportedOperation, "no device '\(request.deviceID)' to cost operations on")
            }
            return try evaluator.costs(of: request.operations)
        }
    }
}
