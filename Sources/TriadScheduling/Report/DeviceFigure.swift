/// A number attached to a device id.
public struct DeviceFigure: Sendable, Hashable {
    public var id: String
    public var value: Double

    public init(id: String, value: Double) {
        self.id = id
        self.value = value
    }
}
