import Foundation
import TriadCore
import TriadDevices
import TriadWire

/// Replies: each awaited and checked — a reply that cannot be right (wrong count, out of range, beyond the
/// device's bound for the operation) marks its worker faulty and the request goes to a standby.
extension Coordinator {
    /// Waits for the answer to `requestID` and checks it. An invalid answer — the wrong number of costs, a
    /// cost out of range — marks its worker faulty: the request (and any other answer of that worker not yet
    /// used) goes to a standby worker if one is waiting, else the run fails. Answers of a worker found faulty
    /// meanwhile are never used.
    func awaitReply(_ requestID: UInt64, deviceID: String, operations: [TriadCore.Operation]) throws -> [OperationCost] {
        var started = clock.milliseconds()
        while true {
            var answer = inFlight.takeAnswer(requestID)
            while answer == nil {
                try pump(timeoutMilliseconds: Int(configuration.heartbeatMilliseconds))
                if let refusedConfiguration { throw ClusterError(refusedConfiguration) }
                if clock.milliseconds() - started > configuration.requestTimeoutMilliseconds {
                    throw ClusterError("no reply from \(deviceID) within \(configuration.requestTimeoutMilliseconds) ms")
                }
                answer = inFlight.takeAnswer(requestID)
            }
            let (reply, request, from) = answer!
            if faultyRoutes.contains(from) {
                inFlight.requeue(requestID, request)
                dispatch(requestID)
                continue
            }
            do {
                return try check(reply, deviceID: deviceID, operations: operations)
            } catch let fault as WorkerFault {
                inFlight.requeue(requestID, request)
                try markFaulty(deviceID, routing: from, reason: fault.reason)
                started = clock.milliseconds()
            }
        }
    }

    /// The costs in `reply`, or the worker's own error as a `DeviceError`; a `WorkerFault` if the reply is invalid.
    func check(_ reply: Triad_V1_Envelope, deviceID: String, operations: [TriadCore.Operation]) throws
        -> [OperationCost]
    {
        switch reply.body {
        case .result(let result)?:
            guard result.costs.count == operations.count else {
                throw WorkerFault(reason: "answered \(result.costs.count) costs for \(operations.count) operations")
            }
            let costs: [OperationCost]
            do {
                costs = try result.costs.map { try OperationCost(wire: $0) }
            } catch {
                throw WorkerFault(reason: "answered an invalid cost: \(error)")
            }
            if let configuration = devices.first(where: { $0.id == deviceID })?.configuration {
                for (cost, operation) in zip(costs, operations)
                where CostBound.isAbsurd(cost, for: operation, on: configuration) {
                    throw WorkerFault(
                        reason:
                            "answered \(cost.cycles) cycles / \(cost.duration) ps for \(operation.kind.label), beyond the device's own bound")
                }
            }
            return costs
        case .error(let error)?:
            let code = WireError.Code(wire: error.code)
            throw DeviceError(
                code == .notYetImplemented ? .notYetImplemented : .unsupportedOperation,
                "\(deviceID): \(LogSafe.text(error.message))")
        default:
            throw WorkerFault(reason: "answered with an unexpected message")
        }
    }
}
