public import TriadDevices

/// A parsed topology file: named devices and the links between them.
public struct Topology: Sendable {
    public var name: String
    public var description: String
    public var devices: [DeviceDescription]
    /// Undirected links by device id.
    public var links: [(String, String)]
    /// Where each device's entry starts in the file, by id.
    public var deviceLocations: [String: SourceLocation]
    /// Where the `devices:` list starts (for errors about the device set as a whole).
    public var devicesLocation: SourceLocation

    public init(
        name: String, description: String, devices: [DeviceDescription], links: [(String, String)],
        deviceLocations: [String: SourceLocation] = [:], devicesLocation: SourceLocation = SourceLocation(line: 1, column: 1)
    ) {
        self.name = name
        self.description = description
        self.devices = devices
        self.links = links
        self.deviceLocations = deviceLocations
        self.devicesLocation = devicesLocation
    }

    /// Where `device` is declared, or the `devices:` list when it is nil or unknown.
    public func location(of device: String?) -> SourceLocation {
        device.flatMap { deviceLocations[$0] } ?? devicesLocation
    }
}
