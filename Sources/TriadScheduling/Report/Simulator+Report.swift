import TriadCore
import TriadDevices

extension Simulator {
    /// How this run's attention ran, for the report.
    var attentionLabel: String {
        guard shard.model.hasAttention else { return "none" }
        if attentionOnPIM, let pim = devices.pim {
            return "pim " + pim.groupMapping.rawValue + (pim.groupMapping == .multiQuery ? "×\(pim.queryVectors)" : "")
        }
        if plan.attentionResource == .npu, let npu = devices.npu?.configuration {
            return "npu " + npu.attentionMapping.rawValue
        }
        return plan.attentionResource.rawValue
    }

    /// Turns the run's totals into the report.
    func report(_ state: RunState, cappedRequests: Int = 0) -> RunReport {
        var state = state
        state.elapsed -= state.measuredFrom
        let seconds = Double(state.elapsed) / Double(picosecondsPerSecond)
        // One simulated group stands for TP × PP replicas unless the topology lists every device.
        let replicas =
            experiment.mirrors == nil ? Double(shard.model.tensorParallel * shard.model.pipelineParallel) : 1
        let tokens = max(Double(state.tokens), 1)
        func fraction(_ busy: Picoseconds) -> Double {
            state.elapsed == 0 ? 0 : min(1, Double(busy) / Double(state.elapsed))
        }
        var energy: [DeviceFigure] = []
        var utilization: [DeviceFigure] = []
        var paperUtilization: [DeviceFigure] = []
        // Several memory stacks share the traffic and PIM work evenly (KV caches spread over all channels).
        let stackIDs = Set(devices.memoryStacks.map(\.id))
        let stackShare = 1 / Double(max(1, stackIDs.count))
        for device in devices.devices {
            // Dynamic energy (and memory traffic) by the device's role, then what it spends regardless.
            var picojoules = 0.0
            var busy = 0.0
            var inGroup = true
            switch device.configuration {
            case .npu where device.id == devices.npu?.id:
                picojoules = state.usage.energyPicojoules[DeviceKind.npu.index]
                busy = fraction(state.usage.busy[DeviceKind.npu.index])
            case .fpga where device.id == devices.fpga?.id:
                busy = fraction(state.usage.busy[DeviceKind.fpga.index])
            case .pim(let pim) where stackIDs.contains(device.id):
                picojoules =
                    (pim.memory.streamingEnergy(readBytes: state.usage.streamedBytes)
                        + state.usage.energyPicojoules[DeviceKind.pim.index])
                    * stackShare
                // A PIM stack the plan uses as plain memory is busy streaming, as an `hbm` device is (and computing
                // the FC GEMVs the plan offloads to it).
                busy = fraction(
                    attentionOnPIM
                        ? state.usage.busy[DeviceKind.pim.index]
                        : state.usage.busy[DeviceKind.pim.index] +| state.usage.memoryPortBusy)
            case .hbm(let memory) where stackIDs.contains(device.id):
                picojoules = memory.streamingEnergy(readBytes: state.usage.streamedBytes) * stackShare
                busy = fraction(state.usage.memoryPortBusy)
            default:
                inGroup = false
            }
            if inGroup { picojoules += device.configuration.staticEnergyPicojoules(over: state.elapsed) }
            let joules = picojoules * 1e-12
            switch device.configuration {
            case .npu where device.id == devices.npu?.id:
                paperUtilization.append(DeviceFigure(id: device.id, value: fraction(state.usage.systolicBusy)))
            case .pim where stackIDs.contains(device.id):
                paperUtilization.append(DeviceFigure(id: device.id, value: fraction(state.usage.pimChannelBusy)))
            default: break
            }
            energy.append(DeviceFigure(id: device.id, value: joules * replicas / tokens))
            utilization.append(DeviceFigure(id: device.id, value: busy))
        }
        let toMilliseconds = 1e-9
        var report = RunReport(
            policy: policy.rawValue, model: shard.model.name, workload: experiment.workload.label,
            topology: experiment.topologyName, batch: experiment.batch, iterations: state.iterations,
            seed: experiment.seed, tokens: state.tokens, completedRequests: state.completedRequests,
            simulatedPicoseconds: state.elapsed,
            tokensPerSecond: seconds > 0 ? Double(state.tokens) / seconds : 0,
            interTokenLatencyMeanMilliseconds: state.tokenLatency.mean * toMilliseconds,
            interTokenLatencyP50Milliseconds: Double(state.tokenLatency.percentile(0.50)) * toMilliseconds,
            interTokenLatencyP99Milliseconds: Double(state.tokenLatency.percentile(0.99)) * toMilliseconds,
            energyPerTokenJoules: energy.reduce(0) { $0 + $1.value }, energyPerTokenByDevice: energy,
            deviceUtilization: utilization, memoryPortUtilization: fraction(state.usage.memoryPortBusy),
            kvOccupancyMean: state.iterations == 0 ? 0 : state.kvOccupancySum / Double(state.iterations),
            kvOccupancyPeak: state.kvOccupancyPeak, subBatches: plan.subBatches,
            interleavedFraction: state.iterations == 0
                ? 0 : Double(state.interleavedIterations) / Double(state.iterations))
        if let mirrors = experiment.mirrors {
            func mirrored(_ figures: [DeviceFigure]) -> [DeviceFigure] {
                mirrors.compactMap { entry in
                    guard let source = entry.mirrors else { return DeviceFigure(id: entry.device, value: 0) }
                    return figures.first { $0.id == source }.map { DeviceFigure(id: entry.device, value: $0.value) }
                }
            }
            report.energyPerTokenByDevice = mirrored(energy)
            report.energyPerTokenJoules = report.energyPerTokenByDevice.reduce(0) { $0 + $1.value }
            report.deviceUtilization = mirrored(utilization)
            paperUtilization = mirrors.compactMap { entry in
                entry.mirrors.flatMap { source in paperUtilization.first { $0.id == source } }.map {
                    DeviceFigure(id: entry.device, value: $0.value)
                }
            }
        }
        report.paperUtilization = paperUtilization
        report.parallelism = "TP\(shard.model.tensorParallel)×PP\(shard.model.pipelineParallel)"
        if shard.model.expertParallel && shard.model.tensorParallel > 1 {
            report.parallelism += shard.tokenRanks > 1 ? " EP, DP attention" : " EP"
        }
        report.attention = attentionLabel
        report.communicationFraction = fraction(state.communication)
        report.tensorParallelBytes = state.tensorBytes
        report.pipelineBytes = state.pipelineBytes
        if let plan = experiment.communication {
            report.linkTraffic =
                plan.ringLinks.map { LinkTraffic(link: $0, bytes: state.tensorBytes) }
                + plan.handOverLinks.map { LinkTraffic(link: $0, bytes: state.pipelineBytes) }
        }
        report.channelImbalance = state.iterations == 0 ? 0 : state.channelImbalanceSum / Double(state.iterations)
        report.kvLimitedFraction =
            state.iterations == 0 ? 0 : Double(state.kvLimitedIterations) / Double(state.iterations)
        report.cappedRequests = cappedRequests
        report.requestSteps = state.requestSteps
        if experiment.serving.cachesPrefixes {
            report.prefixCache = PrefixCacheFigure(
                hits: state.prefixHits, misses: state.prefixMisses, tokensSaved: state.prefixTokensSaved,
                evictions: state.prefixEvictions)
        }
        if let speculation = experiment.serving.speculation {
            report.speculation = SpeculationFigure(
                draftTokens: speculation.draftTokens, acceptance: speculation.acceptance, steps: state.speculativeSteps,
                tokensPerStep: state.speculativeSteps > 0
                    ? Double(state.speculativeTokens) / Double(state.speculativeSteps) : 0,
                expectedTokensPerStep: speculation.expectedTokensPerStep, draftModel: speculation.draft?.name,
                draftMilliseconds: Double(state.draftTime) * 1e-9,
                draftFraction: state.elapsed > state.measuredFrom
                    ? Double(state.draftTime) / Double(state.elapsed - state.measuredFrom) : 0)
        }
        if let block = experiment.serving.kvBlockTokens {
            report.kvPaging = KVPagingFigure(
                blockTokens: block, preemptions: state.preemptions, recomputedTokens: state.recomputedTokens,
                swappedBytes: state.swappedBytes, swapMilliseconds: Double(state.swapTime) * 1e-9)
        }
        report.isOpenLoop = experiment.serving.arrivalRate != nil
        if experiment.serving.isServing {
            report.serving = ServingFigures(state.records, seconds: seconds, options: experiment.serving)
            if experiment.serving.recordsRequests { report.requestRecords = state.records }
        }
        var previous: (elapsed: Picoseconds, tokens: Int64) = (0, 0)
        for checkpoint in state.checkpoints where checkpoint.elapsed > previous.elapsed {
            report.batchThroughputs.append(
                Double(checkpoint.tokens - previous.tokens)
                    / (Double(checkpoint.elapsed - previous.elapsed) / Double(picosecondsPerSecond)))
            previous = checkpoint
        }
        return report
    }
}
