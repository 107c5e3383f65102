import TriadCore
public import TriadDevices

/// Runs batched decoding of a model on a device set under a policy and measures it.
///
/// The driver owns simulated time: a deterministic event queue orders iteration starts and ends (and
/// trace arrivals); each iteration's operations are costed by the device workers (one batch per worker,
/// each distinct operation once, and never again once known) and composed into a timeline by
/// `TimelineComposer`. Continuous batching: a finished request is replaced at once by the next.
public struct Simulator {
    public let configuration: SimulationConfiguration
    public let devices: DeviceSet
    public let plan: ExecutionPlan
    let shard: ModelShard
    /// Workers by `Resource.rawValue`.
    let workers: [(any DeviceWorker)?]
    var composer: TimelineComposer
    let broker: any CostBroker
    /// The timeline of the first `configuration.traceIterations` iterations.
    public internal(set) var trace: [TraceEvent] = []

    var layerCache: [Int: LayerSegments] = [:]
    var attentionCache: [AttentionCost?]
    /// Sequence lengths beyond a missing one that are costed with it.
    static let attentionLookahead = 31
    /// (Sub-)batch sizes on either side of a missing one that are costed with it.
    static let rowsWindow = 8
    /// NeuPIMs' attention-load estimate by sequence length (for greedy placement).
    let loadEstimate: [Int64]

    public init(
        configuration: SimulationConfiguration, devices: DeviceSet, workers: [any DeviceWorker],
        broker: any CostBroker = SequentialCostBroker()
    ) throws {
        self.configuration = configuration
        self.broker = broker
        self.devices = devices
        plan = try configuration.policy.plan(for: configuration.model, on: devices)
        shard = ModelShard(configuration.model)
        func worker(_ id: String?) -> (any DeviceWorker)? {
            guard let id else { return nil }
            return workers.first { $0.device.id == id }
        }
        var byResource: [(any DeviceWorker)?] = Array(repeating: nil, count: Resource.allCases.count)
        byResource[Resource.npu.rawValue] = worker(devices.npu?.id)
        byResource[Resource.fpga.rawValue] = worker(devices.fpga?.id)
        byResource[Resource.pim.rawValue] = devices.pim != nil ? worker(devices.memory?.id) : nil
        self.workers = byResource
        for resource in [plan.hostResource, plan.ternaryMatrixResource, plan.attentionResource]
        where byResource[resource.rawValue] == nil {
            throw SimulationError(.incompatible, "no worker for the \(resource) device the plan uses")
        }
        let npu = devices.npu?.configuration
        let sustained = npu.map { Double($0.memoryBandwidthBytesPerSecond) * $0.memoryEfficiency } ?? 1
        composer = TimelineComposer(
            memoryBandwidthBytesPerSecond: Int64(min(sustained, 9e18)), weightCacheBytes: npu?.sramBytes ?? 0,
            rule: plan.attentionResource == .pim && plan.rowBuffers == .single ? .blockedDuringPIM : .independent)
        composer.prefetchesWeights = npu?.prefetchesWeights ?? false
        composer.reusesWeights = npu?.reusesWeights ?? false
        attentionCache = Array(repeating: nil, count: configuration.maxSequence + 2)
        let shard = self.shard
        // Placement estimates with the PIM's own row width and bank count (NeuPIMs' 512 and 32 otherwise).
        let rowElements = devices.pim?.rowElements ?? 512
        let banks = devices.pim?.banksPerChannel ?? 32
        loadEstimate = (0...configuration.maxSequence + 1).map {
            PIMCostModel.attentionLoadEstimate(
                sequenceLength: $0, width: shard.keyValueWidth, heads: shard.keyValueHeads, rowElements: rowElements,
                banks: banks)
        }
        guard configuration.batchSize >= 1 else { throw SimulationError(.incompatible, "batch must be at least 1") }
    }

    // MARK: - Costing

    /// Costs `operations` (each on the plan's resource): identical operations once, one request per device,
    /// all requests of the iteration handed to the broker together.
    func costGrouped(_ operations: [Operation], iteration: Int) throws -> [OperationCost] {
        var results = Array(repeating: OperationCost.zero, count: operations.count)
        var requests: [(worker: any DeviceWorker, batch: EvaluationBatch)] = []
        var placements: [[(position: Int, index: Int)]] = []
        for resource in Resource.allCases {
            var unique: [Operation] = []
            var indexOf: [Operation: Int] = [:]
            var positions: [(position: Int, index: Int)] = []
            for (position, operation) in operations.enumerated() where plan.resource(for: operation) == resource {
                if let index = indexOf[operation] {
                    positions.append((position, index))
                } else {
                    indexOf[operation] = unique.count
                    positions.append((position, unique.count))
                    unique.append(operation)
                }
            }
            guard !unique.isEmpty else { continue }
            guard let worker = workers[resource.rawValue] else {
                throw SimulationError(.incompatible, "no device for \(resource)")
            }
            requests.append((worker, EvaluationBatch(iteration: iteration, operations: unique)))
            placements.append(positions)
        }
        let answers: [[OperationCost]]
        do {
            answers = try broker.evaluate(requests)
        } catch let error as DeviceError {
            throw SimulationError(error.code == .notYetImplemented ? .notYetImplemented : .deviceFailure, error.message)
        }
        for (answer, positions) in zip(answers, placements) {
            for (position, index) in positions { results[position] = answer[index] }
        }
        return results
    }

    /// Merges consecutive operations on the same resource into segments.
    func segments(of operations: [Operation], costs: ArraySlice<OperationCost>) -> [Segment] {
        var result: [Segment] = []
        for (operation, cost) in zip(operations, costs) {
            let resource = plan.resource(for: operation)
            if result.isEmpty || result[result.count - 1].resource != resource {
                result.append(Segment(resource: resource))
            }
            result[result.count - 1].duration += cost.duration
            // Only NPU GEMMs wait on weights that could already be on chip.
            let weightsOnChip = resource == .npu && operation.kind.category == .matrix
            if weightsOnChip { result[result.count - 1].pipelineDuration += cost.duration }
            result[result.count - 1].residentDuration += weightsOnChip ? cost.residentDuration : cost.duration
            result[result.count - 1].energyPicojoules += cost.energyPicojoules
            if resource == .npu {
                if operation.kind.category == .matrix {
                    result[result.count - 1].weightBytes += cost.streamedBytes
                } else {
                    result[result.count - 1].dataBytes += cost.streamedBytes
                }
            }
        }
        return result
    }

    /// Costs every layer shape and sequence length this iteration needs and no earlier one did, with one
    /// worker request per device (identical operations merged), and caches the results.
    mutating func prepareCosts(rowCounts: [Int], sequences: [Int], iteration: Int) throws {
        if !configuration.reusesCosts {
            layerCache.removeAll(keepingCapacity: true)
            for index in attentionCache.indices { attentionCache[index] = nil }
        }
        // (Sub-)batch sizes drift by a few requests between iterations; costing the neighbours of a missing
        // size with it saves later requests.
        var newRows: [Int] = []
        let window = configuration.reusesCosts ? Simulator.rowsWindow : 0
        for rows in rowCounts where rows > 0 && layerCache[rows] == nil {
            for size in max(1, rows - window)...min(configuration.batchSize, rows + window)
            where layerCache[size] == nil && !newRows.contains(size) {
                newRows.append(size)
            }
        }
        var newSequences: [Int] = []
        if shard.model.hasAttention {
            // A request's sequence grows by one token per iteration, so costing the next lengths now saves
            // later requests (the costs are the same whenever they are asked for).
            let lookahead = configuration.reusesCosts ? Simulator.attentionLookahead : 0
            var requested: [Bool] = []
            for sequence in sequences where attentionCache[sequence] == nil {
                if requested.isEmpty { requested = Array(repeating: false, count: attentionCache.count) }
                guard !requested[sequence] else { continue }
                for next in sequence...min(sequence + lookahead, configuration.maxSequence + 1)
                where attentionCache[next] == nil && !requested[next] {
                    requested[next] = true
                    newSequences.append(next)
                }
            }
        }
        guard !newRows.isEmpty || !newSequences.isEmpty else { return }
        var operations: [Operation] = []
        var templates: [(rows: Int, template: LayerTemplate, head: [Operation], start: Int)] = []
        for rows in newRows {
            let template = LayerTemplate(shard: shard, rows: rows)
            let head = LayerTemplate.head(shard: shard, rows: rows)
            templates.append((rows, template, head, operations.count))
            operations += template.beforeAttention + template.afterAttention + head
        }
        let attentionStart = operations.count
        for sequence in newSequences {
            let ops = attentionOperations(sequenceLength: sequence)
            operations += [ops.logits, ops.attend, ops.softmax]
        }
        let costs = try costGrouped(operations, iteration: iteration)
        for entry in templates {
            let firstAfter = entry.start + entry.template.beforeAttention.count
            let firstHead = firstAfter + entry.template.afterAttention.count
            let end = firstHead + entry.head.count
            var before = segments(of: entry.template.beforeAttention, costs: costs[entry.start..<firstAfter])
            if shard.model.hasAttention, !before.isEmpty {
                // New K and V are appended to the cache over the memory port.
                before[before.count - 1].dataBytes += Int64(entry.rows) * shard.keyValueBytesPerTokenPerLayer
            }
            layerCache[entry.rows] = LayerSegments(
                beforeAttention: before,
                afterAttention: segments(of: entry.template.afterAttention, costs: costs[firstAfter..<firstHead]),
                head: segments(of: entry.head, costs: costs[firstHead..<end]))
        }
        for (index, sequence) in newSequences.enumerated() {
            let base = attentionStart + 3 * index
            let logits = costs[base]
            let attend = costs[base + 1]
            let softmax = costs[base + 2]
            if plan.attentionResource == .pim {
                let figures = pimCommandFigures(sequenceLength: sequence)
                attentionCache[sequence] = AttentionCost(
                    duration: logits.duration + attend.duration,
                    energyPicojoules: logits.energyPicojoules + attend.energyPicojoules, streamedBytes: 0,
                    softmaxDuration: softmax.duration, softmaxEnergyPicojoules: softmax.energyPicojoules,
                    transactions: figures.transactions,
                    blocked: devices.pim!.memory.clock.picoseconds(forCycles: figures.blockedCycles))
            } else {
                attentionCache[sequence] = AttentionCost(
                    duration: logits.duration + attend.duration + softmax.duration,
                    energyPicojoules: logits.energyPicojoules + attend.energyPicojoules + softmax.energyPicojoules,
                    streamedBytes: logits.streamedBytes + attend.streamedBytes, softmaxDuration: 0,
                    softmaxEnergyPicojoules: 0)
            }
        }
    }

    /// A request's attention operations, the PIM ones marked with how the plan drives the PIM.
    func attentionOperations(sequenceLength: Int) -> (logits: Operation, softmax: Operation, attend: Operation) {
        var ops = LayerTemplate.attention(shard: shard, sequenceLength: sequenceLength)
        if plan.attentionResource == .pim {
            ops.logits.pimModes = plan.pimModes
            ops.attend.pimModes = plan.pimModes
        }
        return ops
    }

    /// PIM instructions the host hands over for one request's logits and attend GEMVs, and the cycles they
    /// keep ordinary traffic off the request's channel.
    func pimCommandFigures(sequenceLength: Int) -> (transactions: Int64, blockedCycles: Int64) {
        guard let pim = devices.pim else { return (0, 0) }
        let model = PIMCostModel(configuration: pim.driven(by: plan.pimModes))
        let ops = attentionOperations(sequenceLength: sequenceLength)
        let fused = model.configuration.commandSet == .fused
        let logits = model.commands(for: ops.logits)
        let attend = model.commands(for: ops.attend)
        return (
            logits.hostTransactions(fused: fused) + attend.hostTransactions(fused: fused),
            logits.blockedCycles + attend.blockedCycles
        )
    }
}
