/// Devices that share a memory system — an NPU with its PIM stacks, or an FPGA with its DDR — and act as one
/// rank of tensor parallelism or one stage of a pipeline. Inside a group every device reaches every other.
public struct DeviceGroup: Sendable, Hashable {
    public var id: String
    public var deviceIDs: [String]
    public var location: SourceLocation

    public init(id: String, deviceIDs: [String], location: SourceLocation) {
        self.id = id
        self.deviceIDs = deviceIDs
        self.location = location
    }
}
