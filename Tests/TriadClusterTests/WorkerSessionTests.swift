import Foundation
import Testing
import TriadCore
import TriadTestSupport
import TriadWire

@testable import TriadCluster

/// The worker's state machine driven directly: no socket, no clock.
struct WorkerSessionTests {
    typealias F = SessionFixtures

    static func session() -> WorkerSession {
        WorkerSession(deviceID: "npu0", endpoint: "inmemory", instance: "test", servesOnce: true, timings: .defaults)
    }

    /// A registered and configured session at `now`.
    static func configured(_ timings: SessionTimings = .defaults, now: Int64 = 20) -> WorkerSession {
        var session = session()
        _ = session.start(now: 0)
        _ = session.received(F.registerAck(timings), now: 10)
        _ = session.received(F.configure(), now: now)
        return session
    }

    /// The race a loaded machine exposed: a coordinator too busy to answer for a liveness window makes the worker
    /// register again, and an evaluate it sent before must still be answered with costs, not NOT_CONFIGURED.
    @Test func keepsItsConfigurationThroughASilentCoordinator() throws {
        var session = Self.configured()
        let silence = SessionTimings.defaults.workerLivenessMilliseconds
        let actions = session.tick(now: 20 + silence + 1)
        #expect(F.sent(actions).contains { if case .register? = $0.body { true } else { false } })
        #expect(session.device != nil)
        let reply = F.sent(session.received(F.evaluate(requestID: 7), now: 20 + silence + 2))
        #expect(reply.count == 1 && reply[0].requestID == 7)
        guard case .result(let result)? = reply.first?.body else {
            Issue.record("expected costs, got \(String(describing: reply.first?.body))")
            return
        }
        #expect(result.costs.count == F.operations.count)
    }

    @Test func followsTheTimingsTheCoordinatorAnnounces() {
        let announced = SessionTimings(
            heartbeatMilliseconds: 40, coordinatorLivenessMilliseconds: 100, workerLivenessMilliseconds: 300)
        var session = Self.configured(announced)
        #expect(session.timings == announced)
        // The configure ack went out at 20: the next heartbeat is due 40 ms later, not 250.
        #expect(F.sent(session.tick(now: 59)).isEmpty)
        #expect(
            F.sent(session.tick(now: 60)).map(\.body).first.map { if case .heartbeat = $0 { true } else { false } }
                == true)
        // Silence past the announced worker liveness (300 ms after the last message at 20): register again.
        let late = F.sent(session.tick(now: 321))
        #expect(late.contains { if case .register? = $0.body { true } else { false } })
    }

    @Test(arguments: [
        (Int64(0), Int64(0), Int64(0)), (9, 100, 100), (40, 40, 100), (40, 100, 40), (40, 100, 3_600_001),
        (60_001, 100_000, 100_000),
    ])
    func timingsOutOfRangeAreRefusedAndKept(heartbeat: Int64, coordinator: Int64, worker: Int64) {
        var session = Self.session()
        _ = session.start(now: 0)
        let actions = session.received(
            F.registerAck(
                SessionTimings(
                    heartbeatMilliseconds: heartbeat, coordinatorLivenessMilliseconds: coordinator,
                    workerLivenessMilliseconds: worker)), now: 1)
        #expect(session.timings == .defaults)
        #expect(actions.contains { if case .reject = $0 { true } else { false } })
    }

    @Test func aDaemonForgetsTheRunWhenToldItIsOverAndRegistersAgain() {
        var session = WorkerSession(
            deviceID: "npu0", endpoint: "inmemory", instance: "test", servesOnce: false, timings: .defaults)
        _ = session.start(now: 0)
        _ = session.received(F.configure(), now: 1)
        #expect(session.device != nil)
        let actions = session.received(F.payload(.disconnect(Triad_V1_Disconnect())), now: 2)
        #expect(session.device == nil && !session.isFinished)
        #expect(F.sent(actions).contains { if case .register? = $0.body { true } else { false } })
    }

    @Test func anEvaluateBeforeAnyConfigurationIsAnsweredNotConfigured() {
        var session = Self.session()
        _ = session.start(now: 0)
        let reply = F.sent(session.received(F.evaluate(requestID: 3), now: 1))
        guard case .error(let body)? = reply.first?.body else {
            Issue.record("expected an error")
            return
        }
        #expect(WireError.Code(wire: body.code) == .notConfigured)
    }
}
