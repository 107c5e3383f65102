import Foundation
public import TriadCore
public import TriadDevices
import TriadWire

/// Requests and replies: each reply awaited and checked — a reply that cannot be right (wrong count, out of range,
/// beyond the device's bound for the operation) marks its worker faulty and the request goes to a standby.
extension Coordinator {
    /// Costs `operations` on the worker emulating `deviceID`: one request, re-sent to a replacement worker if this
    /// one dies; only the first reply counts.
    public func evaluate(deviceID: String, iteration: Int, operations: [TriadCore.Operation]) throws -> [OperationCost]
    {
        try evaluate([(deviceID, iteration, operations)])[0]
    }

    /// Sends every request before waiting for any reply (one round trip for the lot), then returns the costs in
    /// request order.
    public func evaluate(_ requests: [(deviceID: String, iteration: Int, operations: [TriadCore.Operation])]) throws
        -> [[OperationCost]]
    {
        let ids = requests.map { request in
            let submitted = session.submit(
                deviceID: request.deviceID, iteration: request.iteration, operations: request.operations,
                now: clock.milliseconds())
            perform(submitted.actions)
            return submitted.id
        }
        return try zip(ids, requests).map { id, request in
            try awaitReply(id, deviceID: request.deviceID, operations: request.operations)
        }
    }

    /// Waits for the answer to `requestID` and checks it. An invalid answer — the wrong number of costs, a
    /// cost out of range — marks its worker faulty: the request (and any other answer of that worker not yet
    /// used) goes to a standby worker if one is waiting, else the run fails. Answers of a worker found faulty
    /// meanwhile are never used.
    func awaitReply(_ requestID: UInt64, deviceID: String, operations: [TriadCore.Operation]) throws -> [OperationCost]
    {
        var started = clock.milliseconds()
        while true {
            var answer = session.inFlight.takeAnswer(requestID)
            while answer == nil {
                try pump(timeoutMilliseconds: Int(configuration.timings.heartbeatMilliseconds))
                if let refused = session.refusedConfiguration { throw ClusterError(refused) }
                if clock.milliseconds() - started > configuration.requestTimeoutMilliseconds {
                    throw ClusterError(
                        "no reply from \(deviceID) within \(configuration.requestTimeoutMilliseconds) ms")
                }
                answer = session.inFlight.takeAnswer(requestID)
            }
            let (reply, request, from) = answer!
            if session.faultyRoutes.contains(from) {
                session.inFlight.requeue(requestID, request)
                perform(session.dispatch(requestID, now: clock.milliseconds()))
                continue
            }
            do {
                return try check(reply, deviceID: deviceID, operations: operations)
            } catch let fault as WorkerFault {
                session.inFlight.requeue(requestID, request)
                let marked = session.markFaulty(
                    deviceID, routing: from, reason: fault.reason, now: clock.milliseconds())
                perform(marked.actions)
                guard marked.replaced else {
                    throw ClusterError("\(deviceID)'s worker \(fault.reason); no standby worker to redo its work")
                }
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
                            "answered \(cost.cycles) cycles / \(cost.duration) ps for \(operation.kind.label), beyond the device's own bound"
                    )
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
