public import TriadDevices

/// A parsed topology file: named devices and the links between them.
public struct Topology: Sendable {
    public var name: String
    public var description: String
    public var devices: [DeviceDescription]
    /// Undirected links by device id.
    public var links: [(String, String)]

    public init(name: String, description: String, devices: [DeviceDescription], links: [(String, String)]) {
        self.name = name
        self.description = description
        self.devices = devices
        self.links = links
    }
}
