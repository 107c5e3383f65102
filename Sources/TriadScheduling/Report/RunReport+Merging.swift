extension RunReport {
    /// One report from the reports of a staged pipeline's stages, which decoded the same batch in lockstep:
    /// tokens, time and latency are the stages' common figures; each device's figures come from the stage that
    /// holds it (listed in `order`, the topology's device order); the memory port, KV occupancy, PIM imbalance,
    /// interleaving and communication are the busiest stage's, and link traffic is every stage's own links.
    static func merging(_ reports: [RunReport], order: [String]) -> RunReport {
        var merged = reports[reports.count - 1]
        func combined(_ figures: (RunReport) -> [DeviceFigure]) -> [DeviceFigure] {
            order.compactMap { id in
                let found = reports.compactMap { figures($0).first { $0.id == id } }
                return found.first { $0.value != 0 } ?? found.first
            }
        }
        merged.energyPerTokenByDevice = combined(\.energyPerTokenByDevice)
        merged.energyPerTokenJoules = merged.energyPerTokenByDevice.reduce(0) { $0 + $1.value }
        merged.deviceUtilization = combined(\.deviceUtilization)
        merged.paperUtilization = combined(\.paperUtilization)
        merged.memoryPortUtilization = reports.map(\.memoryPortUtilization).max() ?? 0
        merged.kvOccupancyMean = reports.map(\.kvOccupancyMean).max() ?? 0
        merged.kvOccupancyPeak = reports.map(\.kvOccupancyPeak).max() ?? 0
        merged.channelImbalance = reports.map(\.channelImbalance).max() ?? 0
        merged.kvLimitedFraction = reports.map(\.kvLimitedFraction).max() ?? 0
        merged.subBatches = reports.map(\.subBatches).max() ?? 1
        merged.interleavedFraction = reports.map(\.interleavedFraction).max() ?? 0
        merged.communicationFraction = reports.map(\.communicationFraction).max() ?? 0
        merged.tensorParallelBytes = reports.map(\.tensorParallelBytes).max() ?? 0
        merged.pipelineBytes = reports.map(\.pipelineBytes).max() ?? 0
        merged.linkTraffic = reports.flatMap(\.linkTraffic)
        var attention: [String] = []
        for report in reports where !attention.contains(report.attention) { attention.append(report.attention) }
        merged.attention = attention.joined(separator: ", ")
        return merged
    }
}
