import Foundation
import TriadCore
import TriadWire

/// The mirrored groups' check, off the critical path. In a multi-group topology every group is the same hardware
/// and the run simulates the first; every answer the run uses is also asked of the workers of the devices that mirror
/// its device, and theirs must be the same. By default the answers are shared out: each goes to one of its device's
/// mirrors in turn, so every mirror serves the run and every answer is checked once, at the cost of one extra group
/// (`everyMirror` asks every mirror everything — a check as many times dearer as there are mirrors). The run does not
/// wait for them: answers used are gathered per device and sent together (`flushOperations` at a time; with
/// `everyMirror` one encoding for all), their replies are judged as they arrive — byte for byte against the first
/// group's answer, decoded only when the bytes differ — and `settle` waits for the last before the report is printed,
/// after asking any mirror that got no share something. A mirror that disagrees fails the run. Used on the
/// coordinator's thread only.
struct MirrorChecks {
    /// A mirror request not judged yet.
    private struct Pending {
        var requestID: UInt64
        var deviceID: String
        var batch: Int
    }

    /// What one first-group device's mirrors were asked together, with the answers they must give.
    private struct Batch {
        var primary: String
        var operations: [TriadCore.Operation]
        var expected: [OperationCost]
        /// `expected` as the `EvaluateResult` a worker encodes.
        var expectedResult: Data
    }

    /// Operations a mirror is sent at a time: every mirror's share is sent once `flushOperations` × mirrors answers
    /// are gathered (with `everyMirror`, once `flushOperations` are).
    static let flushOperations = 1024
    /// Answers gathered before they are sent (`flushOperations` per mirror of the device with the most).
    private let flushThreshold: Int

    /// First-group device → the devices that mirror it.
    let mirrors: [String: [String]]
    /// Whether every mirror is asked every answer (else they share them out).
    let everyMirror: Bool
    /// Per first-group device, the mirror the next shared answer goes to, and a few of its answers (to ask a mirror
    /// that got no share); the mirrors asked so far.
    private var nextShare: [String: Int] = [:]
    private var sample: [String: (operations: [TriadCore.Operation], costs: [OperationCost])] = [:]
    private var asked: Set<String> = []
    private var gathered: [String: (operations: [TriadCore.Operation], costs: [OperationCost])] = [:]
    private var gatheredOrder: [String] = []
    private var gatheredCount = 0
    private var batches: [Batch] = []
    private var pending: [Pending] = []
    /// Mirror requests sent and mirror answers judged equal.
    private(set) var sent = 0
    private(set) var agreed = 0

    init(mirrors: [String: [String]], everyMirror: Bool = false) {
        self.mirrors = mirrors
        self.everyMirror = everyMirror
        flushThreshold = Self.flushOperations * (everyMirror ? 1 : max(1, mirrors.values.map(\.count).max() ?? 1))
    }

    /// Whether any device has mirrors.
    var isEmpty: Bool { mirrors.values.allSatisfy(\.isEmpty) }

    /// Mirror answers not judged yet.
    var outstanding: Int { pending.count }

    /// Gathers `operations` of `deviceID` and the costs its worker answered, for its mirrors.
    mutating func add(_ deviceID: String, operations: [TriadCore.Operation], costs: [OperationCost]) {
        guard let devices = mirrors[deviceID], !devices.isEmpty, !operations.isEmpty else { return }
        if gathered[deviceID] == nil {
            gathered[deviceID] = ([], [])
            gatheredOrder.append(deviceID)
        }
        gathered[deviceID]!.operations += operations
        gathered[deviceID]!.costs += costs
        gatheredCount += operations.count
    }

    /// Sends what has been gathered once it reaches `flushOperations` operations.
    mutating func flushIfFull(_ coordinator: Coordinator, iteration: Int) {
        if gatheredCount >= flushThreshold { flush(coordinator, iteration: iteration) }
    }

    /// Sends every gathered operation to the mirrors of its device: one request per mirror, one encoding.
    mutating func flush(_ coordinator: Coordinator, iteration: Int) {
        for device in gatheredOrder {
            guard let (operations, costs) = gathered[device], let devices = mirrors[device] else { continue }
            if sample[device] == nil { sample[device] = (Array(operations.prefix(16)), Array(costs.prefix(16))) }
            guard !everyMirror else {
                send(operations, costs: costs, of: device, to: devices, coordinator, iteration: iteration)
                continue
            }
            // Answer k of the device's shared answers goes to its mirror k mod mirrors.
            let start = nextShare[device, default: 0]
            for (offset, mirror) in devices.enumerated() {
                let first = (offset - start % devices.count + devices.count) % devices.count
                let indices = Swift.stride(from: first, to: operations.count, by: devices.count)
                let share = indices.map { operations[$0] }
                guard !share.isEmpty else { continue }
                send(share, costs: indices.map { costs[$0] }, of: device, to: [mirror], coordinator, iteration: iteration)
            }
            nextShare[device] = (start + operations.count) % devices.count
        }
        gathered.removeAll(keepingCapacity: true)
        gatheredOrder.removeAll(keepingCapacity: true)
        gatheredCount = 0
    }

    /// Asks `devices` (mirrors of `primary`) for `operations`, whose answers must be `costs`: one encoding for all.
    private mutating func send(
        _ operations: [TriadCore.Operation], costs: [OperationCost], of primary: String, to devices: [String],
        _ coordinator: Coordinator, iteration: Int
    ) {
        var result = Triad_V1_EvaluateResult()
        result.costs = costs.map(\.wire)
        let expected = (try? result.serializedData()) ?? Data()
        batches.append(Batch(primary: primary, operations: operations, expected: costs, expectedResult: expected))
        let ids = coordinator.submit(operations, iteration: iteration, to: devices, keepingBytes: true)
        for (id, mirror) in zip(ids, devices) {
            pending.append(Pending(requestID: id, deviceID: mirror, batch: batches.count - 1))
            asked.insert(mirror)
        }
        sent += ids.count
    }

    /// Asks every mirror that has had no share yet a few of its device's answers (every worker serves the run).
    private mutating func askUnasked(_ coordinator: Coordinator, iteration: Int) {
        for device in mirrors.keys.sorted() {
            guard let (operations, costs) = sample[device], !operations.isEmpty else { continue }
            let unasked = mirrors[device, default: []].filter { !asked.contains($0) }
            if !unasked.isEmpty {
                send(operations, costs: costs, of: device, to: unasked, coordinator, iteration: iteration)
            }
        }
    }

    /// Judges every mirror answer that has arrived, without waiting; throws on the first that disagrees.
    mutating func judgeArrived(_ coordinator: Coordinator) throws -> Bool {
        var progressed = false
        var index = 0
        while index < pending.count {
            let entry = pending[index]
            let batch = batches[entry.batch]
            if try coordinator.mirrorVerdict(
                entry.requestID, deviceID: entry.deviceID, mirroring: batch.primary, operations: batch.operations,
                expected: batch.expected, expectedResult: batch.expectedResult)
            {
                pending.swapAt(index, pending.count - 1)
                pending.removeLast()
                agreed += 1
                progressed = true
            } else {
                index += 1
            }
        }
        return progressed
    }

    /// Sends what is gathered and waits until every mirror has answered and agreed (each wait bounded by the
    /// coordinator's request timeout); throws if one disagrees.
    mutating func settle(_ coordinator: Coordinator, iteration: Int) throws {
        flush(coordinator, iteration: iteration)
        askUnasked(coordinator, iteration: iteration)
        var started = coordinator.now
        while true {
            if try judgeArrived(coordinator) { started = coordinator.now }
            guard let first = pending.first else { break }
            try coordinator.pump(timeoutMilliseconds: Int(coordinator.configuration.timings.heartbeatMilliseconds))
            try coordinator.checkWaited(since: started, on: first.deviceID)
        }
        batches.removeAll(keepingCapacity: true)
    }
}
