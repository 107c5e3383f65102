import Foundation
import TriadCore
import TriadWire

/// The mirrored groups' check, off the critical path. In a multi-group topology every group is the same hardware
/// and the run simulates the first; every answer the run uses is also asked of the workers of the devices that mirror
/// its device, and theirs must be the same. The run does not wait for them: answers used are gathered per device and
/// sent to all its mirrors together (one encoding for all, `flushOperations` at a time), their replies are judged as
/// they arrive — byte for byte against the first group's answer, decoded only when the bytes differ — and `settle`
/// waits for the last before the report is printed. A mirror that disagrees fails the run. Used on the coordinator's
/// thread only.
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

    /// Operations gathered per first-group device before they go to its mirrors.
    static let flushOperations = 1024

    /// First-group device → the devices that mirror it.
    let mirrors: [String: [String]]
    private var gathered: [String: (operations: [TriadCore.Operation], costs: [OperationCost])] = [:]
    private var gatheredOrder: [String] = []
    private var gatheredCount = 0
    private var batches: [Batch] = []
    private var pending: [Pending] = []
    /// Mirror requests sent and mirror answers judged equal.
    private(set) var sent = 0
    private(set) var agreed = 0

    init(mirrors: [String: [String]]) {
        self.mirrors = mirrors
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
        if gatheredCount >= Self.flushOperations { flush(coordinator, iteration: iteration) }
    }

    /// Sends every gathered operation to the mirrors of its device: one request per mirror, one encoding.
    mutating func flush(_ coordinator: Coordinator, iteration: Int) {
        for device in gatheredOrder {
            guard let (operations, costs) = gathered[device], let devices = mirrors[device] else { continue }
            var result = Triad_V1_EvaluateResult()
            result.costs = costs.map(\.wire)
            let expected = (try? result.serializedData()) ?? Data()
            batches.append(Batch(primary: device, operations: operations, expected: costs, expectedResult: expected))
            let ids = coordinator.submit(operations, iteration: iteration, to: devices, keepingBytes: true)
            for (id, mirror) in zip(ids, devices) {
                pending.append(Pending(requestID: id, deviceID: mirror, batch: batches.count - 1))
            }
            sent += ids.count
        }
        gathered.removeAll(keepingCapacity: true)
        gatheredOrder.removeAll(keepingCapacity: true)
        gatheredCount = 0
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
