import Foundation
import Testing
import TriadCore
import TriadTestSupport
import TriadWire

@testable import TriadCluster

/// The session model explored exhaustively for one device, one worker and one request: every interleaving, up to a
/// depth, of message deliveries in either direction, a coordinator too busy to listen while the worker's liveness
/// window passes (the worker registers again), the worker giving up its connection (a fresh socket: what was on
/// its way to the old one is lost), and the coordinator's housekeeping. In every state the coordinator never holds
/// an error for the request (a healthy worker's request must not fail the run); from every state, once messages
/// flow again, the request is answered with costs.
struct SessionExplorationTests {
    typealias F = SessionFixtures

    /// One state of the little world.
    struct World {
        var coordinator = CoordinatorSession(devices: [F.device], modelName: "gpt3-7b", timings: .defaults)
        var worker = WorkerSession(
            deviceID: F.device.id, endpoint: "inmemory", instance: "model", servesOnce: true, timings: .defaults)
        /// The worker's current connection (a fresh socket is a new routing id).
        var route = Data([0, 1])
        var toWorker: [Data] = []
        var toCoordinator: [(route: Data, payload: Data)] = []
        var now: Int64 = 0
        var request: UInt64 = 0
        var answer: Triad_V1_Envelope?

        init() {
            take(worker.start(now: now))
            let submitted = coordinator.submit(deviceID: F.device.id, iteration: 0, operations: F.operations, now: now)
            request = submitted.id
            take(submitted.actions)
        }

        mutating func take(_ actions: [WorkerSession.Action]) {
            for case .send(let envelope) in actions { toCoordinator.append((route, WireProtocol.encode(envelope))) }
        }

        mutating func take(_ actions: [CoordinatorSession.Action]) {
            for action in actions {
                guard case .send(let routingID, let payload) = action else { continue }
                if routingID == route {
                    toWorker.append(payload)
                } else {
                    // The old connection is gone: the transport reports the peer unreachable.
                    take(coordinator.unreachable(routingID, now: now))
                }
            }
            collect()
        }

        mutating func collect() {
            if answer == nil, let taken = coordinator.inFlight.takeAnswer(request) { answer = taken.reply }
        }

        enum Event: CaseIterable {
            case deliverToWorker, deliverToCoordinator, workerSilence, workerReconnects, housekeeping
        }

        /// Applies `event`; false when it cannot happen in this state.
        mutating func apply(_ event: Event) -> Bool {
            switch event {
            case .deliverToWorker:
                guard !toWorker.isEmpty else { return false }
                take(worker.received(toWorker.removeFirst(), now: now))
            case .deliverToCoordinator:
                guard !toCoordinator.isEmpty else { return false }
                let (from, payload) = toCoordinator.removeFirst()
                take(coordinator.received(payload, from: from, now: now))
            case .workerSilence:
                // The coordinator is busy: nothing reaches the worker for a liveness window.
                now += worker.timings.workerLivenessMilliseconds + 1
                take(worker.tick(now: now))
            case .workerReconnects:
                now += 2 * worker.timings.workerLivenessMilliseconds + 1
                let actions = worker.tick(now: now)
                guard actions.contains(where: { if case .reconnect = $0 { true } else { false } }) else { return false }
                route = Data([0, route[1] &+ 1])
                toWorker.removeAll()
                take(worker.reconnected(now: now))
            case .housekeeping:
                take(coordinator.housekeeping(now: now, judgingLiveness: toCoordinator.isEmpty))
            }
            return true
        }

        /// Lets messages flow (the worker's silence rule brings back a worker the coordinator dropped) until the
        /// request is answered or `rounds` pass.
        mutating func settle(rounds: Int = 40) {
            for _ in 0..<rounds where answer == nil {
                if apply(.deliverToCoordinator) || apply(.deliverToWorker) { continue }
                _ = apply(.housekeeping)
                if toCoordinator.isEmpty && toWorker.isEmpty { _ = apply(.workerSilence) }
            }
        }

        var answeredWithError: Bool {
            if case .error? = answer?.body { return true }
            return false
        }
    }

    @Test func everyInterleavingAnswersTheRequestWithCosts() {
        var explored = 0
        var failures: [String] = []
        func explore(_ world: World, path: [World.Event], depth: Int) {
            explored += 1
            if world.answeredWithError { failures.append("error after \(path)") }
            if world.coordinator.refusedConfiguration != nil { failures.append("configuration refused after \(path)") }
            var settled = world
            settled.settle()
            if case .result? = settled.answer?.body {
            } else {
                failures.append("no costs after \(path) and settling: \(String(describing: settled.answer?.body))")
            }
            guard depth > 0, failures.count < 5 else { return }
            for event in World.Event.allCases {
                var next = world
                if next.apply(event) { explore(next, path: path + [event], depth: depth - 1) }
            }
        }
        explore(World(), path: [], depth: 7)
        print("session exploration: \(explored) states")
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(explored > 1_000)
    }
}
