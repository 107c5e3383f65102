public import TriadCore
public import TriadDevices

/// Disaggregated prefill (Splitwise, Patel et al., ISCA 2024; DistServe, Zhong et al., OSDI 2024; NeuPIMs' own
/// setup prefills on separate NPUs): groups of a topology marked `role: prefill` only prefill prompts; each is one
/// instance that takes the oldest waiting prompt when it is free, prefills it whole on its NPU (its first token), and
/// sends its KV cache to the decode devices over the link between them; the request then joins the decode batch
/// (docs/MODEL.md §9.6).
public struct PrefillPool: Sendable {
    /// One device set per prefill instance, and the group ids they come from.
    public var instances: [DeviceSet]
    public var groupIDs: [String]
    /// The link a KV cache crosses to the decode devices.
    public var link: LinkProperties

    public init(instances: [DeviceSet], groupIDs: [String], link: LinkProperties) {
        self.instances = instances
        self.groupIDs = groupIDs
        self.link = link
    }

    /// Every device of every instance.
    public var devices: [DeviceDescription] { instances.flatMap(\.devices) }
}
