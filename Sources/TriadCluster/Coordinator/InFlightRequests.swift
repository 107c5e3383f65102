import Foundation
import TriadWire

/// Requests sent and not yet answered, and answers not yet collected. Request ids are issued in order;
/// a request keeps its encoded payload so it can be re-sent to a replacement worker.
struct InFlightRequests {
    struct Request {
        var deviceID: String
        var payload: Data
        /// The routing id it was last sent to (nil: not sent yet).
        var sentTo: Data?
        /// Whether a result is kept as its bytes, undecoded (a mirrored worker's, checked byte for byte).
        var keepsBytes = false
    }

    /// A reply waiting to be collected: decoded, or (a result to a request that `keepsBytes`) the bytes of its
    /// `EvaluateResult`.
    struct Answer {
        var reply: Triad_V1_Envelope?
        var resultBytes: Data?
        var request: Request
        var from: Data
    }

    private var waiting: [UInt64: Request] = [:]
    private var answers: [UInt64: Answer] = [:]
    private var next: UInt64 = 1

    /// A fresh request id (also used for configure messages).
    mutating func newID() -> UInt64 {
        defer { next += 1 }
        return next
    }

    subscript(id: UInt64) -> Request? {
        get { waiting[id] }
        set { waiting[id] = newValue }
    }

    /// Ids waiting on `device`, oldest first.
    func waiting(on device: String) -> [UInt64] {
        waiting.filter { $0.value.deviceID == device }.keys.sorted()
    }

    /// Records `reply` as the answer to its request; false when nothing waits for it (unknown or answered).
    mutating func complete(with reply: Triad_V1_Envelope, from device: String?, routing routingID: Data) -> Bool {
        guard let request = waiting[reply.requestID], let device, request.deviceID == device else { return false }
        waiting.removeValue(forKey: reply.requestID)
        answers[reply.requestID] = Answer(reply: reply, resultBytes: nil, request: request, from: routingID)
        return true
    }

    /// Records the bytes of `EvaluateResult` as the answer to request `id`, which `keepsBytes`; false when nothing
    /// from `device` waits for it.
    mutating func complete(_ id: UInt64, resultBytes: Data, from device: String, routing routingID: Data) -> Bool {
        guard let request = waiting[id], request.keepsBytes, request.deviceID == device else { return false }
        waiting.removeValue(forKey: id)
        answers[id] = Answer(reply: nil, resultBytes: resultBytes, request: request, from: routingID)
        return true
    }

    /// Whether request `id` waits for a reply kept as bytes.
    func keepsBytes(_ id: UInt64) -> Bool { waiting[id]?.keepsBytes == true }

    /// The answer to `id` (with the request it answers and the routing id of the worker that gave it), once; nil
    /// while it is outstanding.
    mutating func takeAnswer(_ id: UInt64) -> Answer? {
        answers.removeValue(forKey: id)
    }

    /// Whether `id` has been answered and the answer not yet taken.
    func hasAnswer(_ id: UInt64) -> Bool { answers[id] != nil }

    /// Puts a request back to wait for another worker (its answer came from a faulty one).
    mutating func requeue(_ id: UInt64, _ request: Request) {
        var again = request
        again.sentTo = nil
        waiting[id] = again
    }

    /// Puts back to wait every request whose answer, not yet used, came from `routingID` (found faulty).
    mutating func requeueAll(answeredBy routingID: Data) {
        for (id, answered) in answers where answered.from == routingID {
            answers.removeValue(forKey: id)
            requeue(id, answered.request)
        }
    }
}
