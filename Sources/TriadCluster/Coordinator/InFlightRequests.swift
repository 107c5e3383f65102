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
    }

    private var waiting: [UInt64: Request] = [:]
    private var answers: [UInt64: (reply: Triad_V1_Envelope, request: Request, from: Data)] = [:]
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
        answers[reply.requestID] = (reply, request, routingID)
        return true
    }

    /// The answer to `id`, the request it answers and the routing id of the worker that gave it, once; nil
    /// while it is outstanding.
    mutating func takeAnswer(_ id: UInt64) -> (reply: Triad_V1_Envelope, request: Request, from: Data)? {
        answers.removeValue(forKey: id)
    }

    /// Puts a request back to wait for another worker (its answer came from a faulty one).
    mutating func requeue(_ id: UInt64, _ request: Request) {
        waiting[id] = Request(deviceID: request.deviceID, payload: request.payload, sentTo: nil)
    }

    /// Puts back to wait every request whose answer, not yet used, came from `routingID` (found faulty).
    mutating func requeueAll(answeredBy routingID: Data) {
        for (id, answered) in answers where answered.from == routingID {
            answers.removeValue(forKey: id)
            requeue(id, answered.request)
        }
    }
}
