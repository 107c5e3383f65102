public import TriadCore
public import TriadScheduling
import TriadDevices

/// Costs from worker processes through the coordinator, costing the run only the round trips it cannot avoid. Used
/// on the coordinator's thread only.
///
/// - Each answer is kept for the rest of the run and every policy of it, keyed by (device, operation): costs are
///   deterministic functions of both, so a kept answer is the answer (`reusesAnswers`; off for `--no-cost-reuse`,
///   which asks the workers again every time).
/// - An iteration's new operations go to their workers all at once (one request per device), so workers compute in
///   parallel and the iteration waits for one round trip.
/// - Shapes are asked ahead of need: the next window of a growing request's attention (`AttentionLookahead`) and the
///   batch sizes either side of those asked (`BatchRowsLookahead`) are on their way while the simulator goes on, so
///   most iterations wait for nothing.
/// - In a multi-group topology every answer used is also asked of the workers that mirror its device (`mirrors`),
///   off the critical path (`MirrorChecks`); `settle()` waits for their verdicts, and a mirror that disagrees fails
///   the run. Call `settle()` before trusting the reports (`ClusterCostService.run` does).
public final class ClusterCostService: CostService, @unchecked Sendable {
    /// How the service saves round trips.
    public struct Options: Sendable {
        /// Keep answers for the rest of the run and ask attention lengths ahead; off, every call asks the workers.
        public var reusesAnswers = true
        /// Ask every mirror every answer the run uses (else the mirrors share them out, `MirrorChecks`).
        public var checksEveryMirror = false

        public init(reusesAnswers: Bool = true, checksEveryMirror: Bool = false) {
            self.reusesAnswers = reusesAnswers
            self.checksEveryMirror = checksEveryMirror
        }
    }

    /// What the service saved and spent, for `triad up`'s summary and `triad bench`.
    public struct Statistics: Sendable {
        /// `costs` calls, and those that waited for a worker's reply.
        public var calls = 0
        public var waitingCalls = 0
        /// Operations asked of a first-group worker because the simulator needed them, and asked ahead of need.
        public var operationsAsked = 0
        public var operationsAskedAhead = 0
        /// Mirror requests sent, and mirror answers judged equal to the first group's.
        public var mirrorRequests = 0
        public var mirrorAgreements = 0
    }

    private struct Outstanding {
        var deviceID: String
        var operations: [Operation]
        /// Asked ahead of need: a refusal is not the run's (the operation is asked again if it is ever needed).
        var ahead: Bool
    }

    private let coordinator: Coordinator
    private let options: Options
    private var mirrorChecks: MirrorChecks
    private var answers: [CostKey: OperationCost] = [:]
    /// Answers already gathered for the mirrors.
    private var mirrored: Set<CostKey> = []
    private var outstanding: [UInt64: Outstanding] = [:]
    /// The outstanding request that will answer each key.
    private var answering: [CostKey: UInt64] = [:]
    private var lookahead = AttentionLookahead()
    private var rowsLookahead = BatchRowsLookahead()
    /// Lengths between those asked, to ask ahead a chunk at a time per device (`AttentionLookahead.plan`'s `later`).
    private var gaps: [String: [Operation]] = [:]
    /// The outstanding chunk of `gaps` per device (one at a time, so a needed request never queues behind many).
    private var gapRequest: [String: UInt64] = [:]
    /// Operations per chunk of `gaps`.
    static let gapChunk = 512
    private var lastIteration = 0
    public private(set) var statistics = Statistics()

    /// - Parameter mirrors: first-group device → the devices of the other groups that mirror it.
    public init(coordinator: Coordinator, mirrors: [String: [String]] = [:], options: Options = Options()) {
        self.coordinator = coordinator
        self.options = options
        mirrorChecks = MirrorChecks(mirrors: mirrors, everyMirror: options.checksEveryMirror)
        answers.reserveCapacity(1 << 14)
        answering.reserveCapacity(1 << 12)
    }

    /// Runs `body` with a service and settles it (every mirror answer judged) before returning what `body` gave.
    public static func run<Result>(
        coordinator: Coordinator, mirrors: [String: [String]], options: Options = Options(),
        _ body: (ClusterCostService) throws -> Result
    ) throws -> (result: Result, statistics: Statistics) {
        let service = ClusterCostService(coordinator: coordinator, mirrors: mirrors, options: options)
        let result = try body(service)
        try service.settle()
        return (result, service.statistics)
    }

    public func costs(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        statistics.calls += 1
        lastIteration = requests.first?.iteration ?? lastIteration
        _ = try mirrorChecks.judgeArrived(coordinator)
        guard options.reusesAnswers else { return try askEveryTime(requests) }
        try collectArrived()
        var needed = try ask(requests)
        askAhead(after: requests)
        if !needed.isEmpty { statistics.waitingCalls += 1 }
        while !needed.isEmpty {
            for id in needed.sorted() { try collect(id, waiting: true) }
            // A key left unanswered was asked ahead in a batch its worker refused: ask it on its own.
            needed = try ask(requests)
        }
        var result: [[OperationCost]] = []
        result.reserveCapacity(requests.count)
        for request in requests {
            var costs: [OperationCost] = []
            costs.reserveCapacity(request.operations.count)
            var fresh: [Operation] = []
            var freshCosts: [OperationCost] = []
            for operation in request.operations {
                let key = CostKey(deviceID: request.deviceID, operation: operation)
                let cost = answers[key]!
                costs.append(cost)
                if !mirrorChecks.isEmpty && mirrored.insert(key).inserted {
                    fresh.append(operation)
                    freshCosts.append(cost)
                }
            }
            mirrorChecks.add(request.deviceID, operations: fresh, costs: freshCosts)
            result.append(costs)
        }
        mirrorChecks.flushIfFull(coordinator, iteration: lastIteration)
        statistics.mirrorRequests = mirrorChecks.sent
        return result
    }

    /// Sends what the mirrors have not been asked yet and waits until every mirror answer has been judged; throws if
    /// a mirror disagreed (or did not answer in time).
    public func settle() throws {
        try mirrorChecks.settle(coordinator, iteration: lastIteration)
        statistics.mirrorRequests = mirrorChecks.sent
        statistics.mirrorAgreements = mirrorChecks.agreed
    }

    // MARK: Steps

    /// `--no-cost-reuse`: every call asks the workers (one round trip), the mirrors too.
    private func askEveryTime(_ requests: [CostRequest]) throws -> [[OperationCost]] {
        statistics.waitingCalls += requests.isEmpty ? 0 : 1
        statistics.operationsAsked += requests.reduce(0) { $0 + $1.operations.count }
        let answers = try coordinator.evaluate(requests.map { ($0.deviceID, $0.iteration, $0.operations) })
        for (request, costs) in zip(requests, answers) {
            mirrorChecks.add(request.deviceID, operations: request.operations, costs: costs)
        }
        mirrorChecks.flushIfFull(coordinator, iteration: lastIteration)
        statistics.mirrorRequests = mirrorChecks.sent
        return answers
    }

    /// Asks every operation of `requests` neither answered nor on its way (one request per device); returns the
    /// requests to wait for.
    private func ask(_ requests: [CostRequest]) throws -> Set<UInt64> {
        var needed: Set<UInt64> = []
        for request in requests {
            var fresh: [Operation] = []
            var seen: Set<Operation> = []
            for operation in request.operations {
                let key = CostKey(deviceID: request.deviceID, operation: operation)
                if answers[key] != nil { continue }
                if let id = answering[key] {
                    needed.insert(id)
                } else if seen.insert(operation).inserted {
                    fresh.append(operation)
                }
            }
            guard !fresh.isEmpty else { continue }
            needed.insert(send(fresh, to: request.deviceID, iteration: request.iteration, ahead: false))
            statistics.operationsAsked += fresh.count
        }
        return needed
    }

    /// Asks shapes ahead of need, after `requests` (nothing is awaited): the batch sizes either side of those asked
    /// and the next attention windows at once, and a chunk of the attention lengths between per device when its
    /// previous chunk has been answered.
    private func askAhead(after requests: [CostRequest]) {
        var soon: [String: [Operation]] = [:]
        var devices: [String] = []
        for (deviceID, operations) in rowsLookahead.plan(after: requests) {
            if soon[deviceID] == nil { devices.append(deviceID) }
            soon[deviceID, default: []] += operations
        }
        for (deviceID, next, later) in lookahead.plan(after: requests) {
            gaps[deviceID, default: []] += later
            if soon[deviceID] == nil { devices.append(deviceID) }
            soon[deviceID, default: []] += next
        }
        for deviceID in devices {
            let fresh = unknown(soon[deviceID]!, on: deviceID)
            guard !fresh.isEmpty else { continue }
            _ = send(fresh, to: deviceID, iteration: lastIteration, ahead: true)
            statistics.operationsAskedAhead += fresh.count
        }
        for deviceID in gaps.keys.sorted() {
            if let id = gapRequest[deviceID], outstanding[id] != nil { continue }
            var chunk: [Operation] = []
            while chunk.count < Self.gapChunk, let queued = gaps[deviceID], !queued.isEmpty {
                let take = min(Self.gapChunk - chunk.count, queued.count)
                chunk += unknown(Array(queued.prefix(take)), on: deviceID)
                gaps[deviceID]!.removeFirst(take)
            }
            if gaps[deviceID]?.isEmpty == true { gaps.removeValue(forKey: deviceID) }
            guard !chunk.isEmpty else { continue }
            gapRequest[deviceID] = send(chunk, to: deviceID, iteration: lastIteration, ahead: true)
            statistics.operationsAskedAhead += chunk.count
        }
    }

    /// `operations` of `deviceID` neither answered nor on their way.
    private func unknown(_ operations: [Operation], on deviceID: String) -> [Operation] {
        operations.filter {
            let key = CostKey(deviceID: deviceID, operation: $0)
            return answers[key] == nil && answering[key] == nil
        }
    }

    private func send(_ operations: [Operation], to deviceID: String, iteration: Int, ahead: Bool) -> UInt64 {
        let id = coordinator.submit(operations, iteration: iteration, to: [deviceID])[0]
        outstanding[id] = Outstanding(deviceID: deviceID, operations: operations, ahead: ahead)
        for operation in operations { answering[CostKey(deviceID: deviceID, operation: operation)] = id }
        return id
    }

    /// Reads what has arrived and takes every answer among it, without waiting.
    private func collectArrived() throws {
        guard !outstanding.isEmpty else { return }
        try coordinator.pump(timeoutMilliseconds: 0)
        for id in outstanding.keys.sorted() { try collect(id, waiting: false) }
    }

    /// Takes the answer to `id` (waiting for it if `waiting`) and keeps its costs. A refusal of operations asked
    /// ahead is dropped (they are asked again if ever needed); any other is the run's.
    private func collect(_ id: UInt64, waiting: Bool) throws {
        guard let request = outstanding[id] else { return }
        let costs: [OperationCost]
        do {
            if waiting {
                costs = try coordinator.awaitReply(id, deviceID: request.deviceID, operations: request.operations)
            } else {
                var started = coordinator.now
                guard
                    let arrived = try coordinator.arrivedCosts(
                        id, deviceID: request.deviceID, operations: request.operations, since: &started)
                else { return }
                costs = arrived
            }
        } catch let error as DeviceError where request.ahead {
            _ = error
            forget(id, request)
            return
        }
        forget(id, request)
        for (operation, cost) in zip(request.operations, costs) {
            answers[CostKey(deviceID: request.deviceID, operation: operation)] = cost
        }
    }

    private func forget(_ id: UInt64, _ request: Outstanding) {
        outstanding.removeValue(forKey: id)
        for operation in request.operations {
            let key = CostKey(deviceID: request.deviceID, operation: operation)
            if answering[key] == id { answering.removeValue(forKey: key) }
        }
    }
}
