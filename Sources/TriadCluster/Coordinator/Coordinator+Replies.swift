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
        let ids = requests.map { submit($0.operations, iteration: $0.iteration, to: [$0.deviceID])[0] }
        return try zip(ids, requests).map { id, request in
            try awaitReply(id, deviceID: request.deviceID, operations: request.operations)
        }
    }

    /// Sends `operations` to the worker of each of `deviceIDs` (encoded once for all) without waiting; returns
    /// the request ids, in order. With `keepingBytes` the replies are kept undecoded for `mirrorVerdict`.
    public func submit(
        _ operations: [TriadCore.Operation], iteration: Int, to deviceIDs: [String], keepingBytes: Bool = false
    ) -> [UInt64] {
        let submitted = session.submit(
            to: deviceIDs, iteration: iteration, operations: operations, keepingBytes: keepingBytes,
            now: clock.milliseconds())
        perform(submitted.actions)
        return submitted.ids
    }

    /// Waits for the answer to `requestID` and checks it. An invalid answer — the wrong number of costs, a
    /// cost out of range — marks its worker faulty: the request (and any other answer of that worker not yet
    /// used) goes to a standby worker if one is waiting, else the run fails. Answers of a worker found faulty
    /// meanwhile are never used.
    public func awaitReply(_ requestID: UInt64, deviceID: String, operations: [TriadCore.Operation]) throws
        -> [OperationCost]
    {
        var started = clock.milliseconds()
        while true {
            if let costs = try arrivedCosts(requestID, deviceID: deviceID, operations: operations, since: &started) {
                return costs
            }
            try pump(timeoutMilliseconds: Int(configuration.timings.heartbeatMilliseconds))
            try checkWaited(since: started, on: deviceID)
        }
    }

    /// The checked costs of `requestID` if its answer has arrived, without waiting; nil while it is outstanding
    /// (or was sent again, its worker found faulty: `started` is then reset).
    public func arrivedCosts(
        _ requestID: UInt64, deviceID: String, operations: [TriadCore.Operation], since started: inout Int64
    ) throws -> [OperationCost]? {
        guard let answer = session.inFlight.takeAnswer(requestID) else { return nil }
        guard !session.faultyRoutes.contains(answer.from) else {
            redo(requestID, answer)
            return nil
        }
        do {
            return try check(try decoded(answer), deviceID: deviceID, operations: operations)
        } catch let fault as WorkerFault {
            try markFaulty(requestID, answer, deviceID: deviceID, fault: fault)
            started = clock.milliseconds()
            return nil
        }
    }

    /// Judges a mirrored worker's answer to `requestID` (sent with `keepingBytes`) against `expected`, the first
    /// group's costs, whose `EvaluateResult` encodes as `expectedResult`: true once it agrees, false while it is
    /// outstanding (or sent again to a standby, its worker found faulty). Equal bytes agree without decoding; other
    /// bytes are decoded and checked. Throws when the worker answered other costs or refused the operations.
    func mirrorVerdict(
        _ requestID: UInt64, deviceID: String, mirroring primary: String, operations: [TriadCore.Operation],
        expected: [OperationCost], expectedResult: Data
    ) throws -> Bool {
        guard let answer = session.inFlight.takeAnswer(requestID) else { return false }
        guard !session.faultyRoutes.contains(answer.from) else {
            redo(requestID, answer)
            return false
        }
        if answer.resultBytes == expectedResult { return true }
        let costs: [OperationCost]
        do {
            costs = try check(try decoded(answer), deviceID: deviceID, operations: operations)
        } catch let fault as WorkerFault {
            try markFaulty(requestID, answer, deviceID: deviceID, fault: fault)
            return false
        } catch let error as DeviceError {
            throw ClusterError(
                "\(deviceID)'s worker refused operations \(primary)'s answered (\(error.message)); mirrored groups must agree"
            )
        }
        guard costs == expected else {
            throw ClusterError(
                "\(deviceID)'s worker answered other costs than \(primary)'s for the same operations; mirrored groups must agree"
            )
        }
        return true
    }

    /// Throws when the coordinator cannot go on waiting since `started` for `deviceID`: a refused configuration,
    /// or no reply within the request timeout.
    public func checkWaited(since started: Int64, on deviceID: String) throws {
        if let refused = session.refusedConfiguration { throw ClusterError(refused) }
        if let registrationDeadline, clock.milliseconds() > registrationDeadline,
            session.peers[deviceID] == nil, diedAt(deviceID) == nil
        {
            throw ClusterError("workers did not register in time: \(deviceID)")
        }
        if clock.milliseconds() - started > configuration.requestTimeoutMilliseconds {
            throw ClusterError("no reply from \(deviceID) within \(configuration.requestTimeoutMilliseconds) ms")
        }
    }

    /// When `deviceID`'s worker died, while no replacement has been configured.
    private func diedAt(_ deviceID: String) -> Int64? { session.diedAt[deviceID] }

    /// Wall-clock milliseconds on the coordinator's clock.
    public var now: Int64 { clock.milliseconds() }

    /// The envelope of `answer`, decoding kept bytes; a `WorkerFault` if they do not decode.
    private func decoded(_ answer: InFlightRequests.Answer) throws -> Triad_V1_Envelope {
        if let reply = answer.reply { return reply }
        var result = Triad_V1_EvaluateResult()
        do {
            result = try Triad_V1_EvaluateResult(serializedBytes: answer.resultBytes ?? Data())
        } catch {
            throw WorkerFault(reason: "answered a result that does not decode (\(error))")
        }
        return WireProtocol.envelope(requestID: 0, .result(result))
    }

    /// Sends `requestID` again (its answer came from a worker found faulty meanwhile).
    private func redo(_ requestID: UInt64, _ answer: InFlightRequests.Answer) {
        session.inFlight.requeue(requestID, answer.request)
        perform(session.dispatch(requestID, now: clock.milliseconds()))
    }

    /// Marks the worker that gave `answer` faulty and hands `requestID` to a standby; the run fails without one.
    private func markFaulty(
        _ requestID: UInt64, _ answer: InFlightRequests.Answer, deviceID: String, fault: WorkerFault
    ) throws {
        session.inFlight.requeue(requestID, answer.request)
        let marked = session.markFaulty(
            deviceID, routing: answer.from, reason: fault.reason, now: clock.milliseconds())
        perform(marked.actions)
        guard marked.replaced else {
            throw ClusterError("\(deviceID)'s worker \(fault.reason); no standby worker to redo its work")
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
