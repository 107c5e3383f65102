import TriadCore

extension RunReport {
    /// One report of a replicated run from each replica's (`Experiment.replicas`; one report comes back as it is):
    /// tokens, requests and iterations add up over the replicas and the time is the longest replica's; per-device
    /// energy per token is every replica's energy over all tokens (a device id stands for its copy in each replica,
    /// as in tensor-parallel reports); busy fractions and the memory port are time-weighted means, KV occupancy and
    /// imbalance iteration-weighted means (peaks the largest); the inter-token latency is every replica's tokens'
    /// (`tokenLatency`); the serving figures are computed again over every replica's requests (`serving`: the SLOs).
    /// `replicaFigures` keeps each replica's own.
    static func replicated(_ reports: [RunReport], serving: ServingOptions, tokenLatency: WeightedSamples?)
        -> RunReport
    {
        guard reports.count > 1 else { return reports[0] }
        var merged = reports[0]
        let tokens = reports.reduce(Int64(0)) { $0 + $1.tokens }
        let iterations = reports.reduce(0) { $0 + $1.iterations }
        let elapsed = reports.map(\.simulatedPicoseconds).max() ?? 0
        let seconds = Double(elapsed) / Double(picosecondsPerSecond)
        func weighted(_ value: (RunReport) -> Double, by weight: (RunReport) -> Double) -> Double {
            let total = reports.reduce(0.0) { $0 + weight($1) }
            return total > 0 ? reports.reduce(0.0) { $0 + value($1) * weight($1) } / total : 0
        }
        let byTokens: (RunReport) -> Double = { Double($0.tokens) }
        let byTime: (RunReport) -> Double = { Double($0.simulatedPicoseconds) }
        let byIterations: (RunReport) -> Double = { Double($0.iterations) }
        func devices(_ figures: (RunReport) -> [DeviceFigure], weight: (RunReport) -> Double, sum: Bool)
            -> [DeviceFigure]
        {
            figures(reports[0]).map { device in
                let values = reports.map { report in
                    (figures(report).first { $0.id == device.id }?.value ?? 0, weight(report))
                }
                let totalWeight = values.reduce(0.0) { $0 + $1.1 }
                let value =
                    sum
                    ? values.reduce(0.0) { $0 + $1.0 * $1.1 } / max(Double(tokens), 1)
                    : (totalWeight > 0 ? values.reduce(0.0) { $0 + $1.0 * $1.1 } / totalWeight : 0)
                return DeviceFigure(id: device.id, value: value)
            }
        }
        merged.tokens = tokens
        merged.requestSteps = reports.reduce(0) { $0 + $1.requestSteps }
        merged.iterations = iterations
        merged.completedRequests = reports.reduce(0) { $0 + $1.completedRequests }
        merged.simulatedPicoseconds = elapsed
        merged.tokensPerSecond = seconds > 0 ? Double(tokens) / seconds : 0
        if let tokenLatency {
            merged.interTokenLatencyMeanMilliseconds = tokenLatency.mean * 1e-9
            merged.interTokenLatencyP50Milliseconds = Double(tokenLatency.percentile(0.50)) * 1e-9
            merged.interTokenLatencyP99Milliseconds = Double(tokenLatency.percentile(0.99)) * 1e-9
        }
        merged.energyPerTokenByDevice = devices(\.energyPerTokenByDevice, weight: byTokens, sum: true)
        merged.energyPerTokenJoules = merged.energyPerTokenByDevice.reduce(0) { $0 + $1.value }
        merged.deviceUtilization = devices(\.deviceUtilization, weight: byTime, sum: false)
        merged.paperUtilization = devices(\.paperUtilization, weight: byTime, sum: false)
        merged.memoryPortUtilization = weighted(\.memoryPortUtilization, by: byTime)
        merged.kvOccupancyMean = weighted(\.kvOccupancyMean, by: byIterations)
        merged.kvOccupancyPeak = reports.map(\.kvOccupancyPeak).max() ?? 0
        merged.channelImbalance = weighted(\.channelImbalance, by: byIterations)
        merged.kvLimitedFraction = weighted(\.kvLimitedFraction, by: byIterations)
        merged.interleavedFraction = weighted(\.interleavedFraction, by: byIterations)
        merged.communicationFraction = weighted(\.communicationFraction, by: byTime)
        merged.tensorParallelBytes = reports.reduce(Int64(0)) { $0 +| $1.tensorParallelBytes }
        merged.pipelineBytes = reports.reduce(Int64(0)) { $0 +| $1.pipelineBytes }
        merged.linkTraffic = reports[0].linkTraffic.map { link in
            LinkTraffic(
                link: link.link,
                bytes: reports.reduce(Int64(0)) { total, report in
                    total +| (report.linkTraffic.first { $0.link == link.link }?.bytes ?? 0)
                })
        }
        merged.batchThroughputs = []
        if reports[0].prefixCache != nil {
            merged.prefixCache = PrefixCacheFigure(
                hits: reports.reduce(0) { $0 + ($1.prefixCache?.hits ?? 0) },
                misses: reports.reduce(0) { $0 + ($1.prefixCache?.misses ?? 0) },
                tokensSaved: reports.reduce(Int64(0)) { $0 + ($1.prefixCache?.tokensSaved ?? 0) },
                evictions: reports.reduce(0) { $0 + ($1.prefixCache?.evictions ?? 0) })
        }
        if let paging = reports[0].kvPaging {
            merged.kvPaging = KVPagingFigure(
                blockTokens: paging.blockTokens, preemptions: reports.reduce(0) { $0 + ($1.kvPaging?.preemptions ?? 0) },
                recomputedTokens: reports.reduce(Int64(0)) { $0 + ($1.kvPaging?.recomputedTokens ?? 0) },
                swappedBytes: reports.reduce(Int64(0)) { $0 + ($1.kvPaging?.swappedBytes ?? 0) },
                swapMilliseconds: reports.reduce(0.0) { $0 + ($1.kvPaging?.swapMilliseconds ?? 0) })
        }
        let records = reports.flatMap(\.requestRecords).sorted { $0.id < $1.id }
        if reports[0].serving != nil {
            merged.serving = ServingFigures(records, seconds: seconds, options: serving)
        }
        merged.requestRecords = serving.recordsRequests ? records : []
        merged.replicaFigures = reports.map { report in
            ReplicaFigure(
                requests: report.completedRequests, tokensPerSecond: report.tokensPerSecond,
                meanBatch: report.meanActiveRequests, ttftP99Milliseconds: report.serving?.timeToFirstToken.p99 ?? 0,
                tpotP99Milliseconds: report.serving?.timePerOutputToken.p99 ?? 0)
        }
        return merged
    }
}
