public import TriadCore
public import TriadScheduling
public import TriadTopology

/// How a model maps onto a multi-group topology: tensor-parallel ranks × pipeline stages must equal the
/// groups (stage-major in file order: stage s holds groups s·T … s·T + T − 1), and the links each collective and
/// hand-over crosses. One group (files without `groups:`) keeps the implicit replicas and models no
/// communication.
public enum GroupLayout {
    public static func communication(_ topology: Topology, model: ModelSpec, path: String) throws -> CommunicationPlan?
    {
        let groups = topology.effectiveGroups
        guard groups.count > 1 else { return nil }
        let tensor = model.tensorParallel
        let stages = model.pipelineParallel
        let location = topology.parallelism?.location ?? groups[0].location
        guard tensor * stages == groups.count else {
            throw InputError(
                "\(path):\(location.line):\(location.column): tensor-parallel \(tensor) × pipeline-parallel \(stages) = \(tensor * stages) does not match the topology's \(groups.count) groups"
            )
        }
        func link(_ a: DeviceGroup, _ b: DeviceGroup, for purpose: String) throws -> LinkProperties {
            guard let properties = topology.link(between: a.id, and: b.id) else {
                throw InputError(
                    "\(path):\(b.location.line):\(b.location.column): no link between groups '\(a.id)' and '\(b.id)' for the \(purpose) (add one, or an interconnect)"
                )
            }
            return properties
        }
        func slowest(_ links: [LinkProperties]) -> LinkProperties? {
            guard let bandwidth = links.map(\.bandwidthBytesPerSecond).min(), let latency = links.map(\.latency).max()
            else { return nil }
            return LinkProperties(bandwidthBytesPerSecond: bandwidth, latency: latency)
        }
        var ring: [LinkProperties] = []
        var handOver: [LinkProperties] = []
        var ringLinks: [DirectedLink] = []
        var handOverLinks: [DirectedLink] = []
        for stage in 0..<stages {
            let ranks = Array(groups[(stage * tensor)..<((stage + 1) * tensor)])
            if tensor > 1 {
                for rank in 0..<tensor {
                    let next = ranks[(rank + 1) % tensor]
                    ring.append(try link(ranks[rank], next, for: "tensor-parallel ring"))
                    ringLinks.append(DirectedLink(from: ranks[rank].id, to: next.id))
                }
            }
            if stage + 1 < stages {
                handOver.append(try link(ranks[0], groups[(stage + 1) * tensor], for: "pipeline hand-over"))
                handOverLinks.append(DirectedLink(from: ranks[0].id, to: groups[(stage + 1) * tensor].id))
            }
        }
        var plan = CommunicationPlan(
            tensorRanks: tensor, tensorLink: slowest(ring), pipelineStages: stages, pipelineLink: slowest(handOver))
        plan.ringLinks = ringLinks
        plan.handOverLinks = handOverLinks
        return plan
    }
}
