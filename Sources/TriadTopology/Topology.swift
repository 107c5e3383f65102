public import TriadCore
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
    /// The device groups (empty: the whole topology is one group, as in files without `groups:`).
    public var groups: [DeviceGroup] = []
    /// Links between groups, with their speeds; pairs left out use `interconnect`.
    public var groupLinks: [GroupLink] = []
    /// The speed of every group pair not linked explicitly (a switch), if the file gives one.
    public var interconnect: LinkProperties?
    /// The `parallelism:` section, if any.
    public var parallelism: Parallelism?
    /// The program that serves a device under `triad up` instead of `triad worker` (`worker:`), by device id, and
    /// where each is written.
    public var workers: [String: (program: String, location: SourceLocation)] = [:]

    public init(
        name: String, description: String, devices: [DeviceDescription], links: [(String, String)],
        deviceLocations: [String: SourceLocation] = [:],
        devicesLocation: SourceLocation = SourceLocation(line: 1, column: 1)
    ) {
        self.name = name
        self.description = description
        self.devices = devices
        self.links = links
        self.deviceLocations = deviceLocations
        self.devicesLocation = devicesLocation
    }

    /// The groups, or the whole topology as one group `group0` when the file declares none.
    public var effectiveGroups: [DeviceGroup] {
        groups.isEmpty ? [DeviceGroup(id: "group0", deviceIDs: devices.map(\.id), location: devicesLocation)] : groups
    }

    /// The speed between groups `a` and `b`: their explicit link, else the interconnect, else nil.
    public func link(between a: String, and b: String) -> LinkProperties? {
        groupLinks.first { $0.joins(a, b) }?.properties ?? interconnect
    }

    /// Where `device` is declared, or the `devices:` list when it is nil or unknown.
    public func location(of device: String?) -> SourceLocation {
        device.flatMap { id in deviceLocations[id] ?? groups.first { $0.id == id }?.location } ?? devicesLocation
    }
}
