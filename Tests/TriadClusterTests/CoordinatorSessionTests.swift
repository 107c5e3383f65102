import Foundation
import Testing
import TriadCore
import TriadTestSupport
import TriadTransport
import TriadWire

@testable import TriadCluster

/// The coordinator's state machine driven directly: no socket, no clock.
struct CoordinatorSessionTests {
    typealias F = SessionFixtures
    static let route = Data([0, 1])

    /// A session whose one device (npu0) has a configured worker under `route`.
    static func ready() -> CoordinatorSession {
        var session = CoordinatorSession(devices: [F.device], modelName: "gpt3-7b", timings: .defaults)
        let admitted = F.sent(session.received(F.register(), from: route, now: 0))
        let configureID = admitted.first { if case .configure? = $0.envelope.body { true } else { false } }!.envelope
            .requestID
        _ = session.received(F.configureAck(requestID: configureID), from: route, now: 1)
        return session
    }

    /// A worker that lost its configuration answers NOT_CONFIGURED: the coordinator configures it again and, once
    /// it acknowledges, re-sends the request — the run goes on instead of failing.
    @Test func aNotConfiguredReplyConfiguresTheWorkerAgainAndResends() throws {
        var session = Self.ready()
        #expect(session.isReady)
        let (id, sent) = session.submit(deviceID: F.device.id, iteration: 0, operations: F.operations, now: 2)
        let evaluate = try #require(F.sent(sent).first)
        let answer = F.sent(session.received(F.error(.notConfigured, requestID: id), from: Self.route, now: 3))
        let configure = try #require(answer.first { if case .configure? = $0.envelope.body { true } else { false } })
        let early = session.inFlight.takeAnswer(id)
        #expect(early == nil)
        #expect(!session.isReady && session.statistics.reconfigurations == 1)
        let resent = F.sent(
            session.received(F.configureAck(requestID: configure.envelope.requestID), from: Self.route, now: 4))
        #expect(resent.map(\.envelope) == [evaluate.envelope])
        var result = Triad_V1_EvaluateResult()
        result.costs = [OperationCost(cycles: 1, duration: Picoseconds(1), energyPicojoules: 0).wire]
        _ = session.received(F.payload(.result(result), requestID: id), from: Self.route, now: 5)
        let answered = session.inFlight.takeAnswer(id)
        let taken = try #require(answered)
        if case .result? = taken.reply?.body {} else { Issue.record("expected the result, got \(taken.reply)") }
    }

    /// Liveness is judged only once the queue is drained: a worker whose heartbeats are still queued is not dead.
    @Test func livenessIsJudgedOnlyWhenEverythingQueuedWasRead() {
        var session = Self.ready()
        let late = SessionTimings.defaults.coordinatorLivenessMilliseconds + 10
        #expect(
            !session.housekeeping(now: late, judgingLiveness: false).contains {
                if case .deviceDead = $0 { true } else { false }
            })
        #expect(
            session.housekeeping(now: late, judgingLiveness: true).contains {
                if case .deviceDead = $0 { true } else { false }
            })
    }

    @Test func registerAckAnnouncesTheCoordinatorsTimings() throws {
        let timings = SessionTimings(
            heartbeatMilliseconds: 50, coordinatorLivenessMilliseconds: 400, workerLivenessMilliseconds: 700)
        var session = CoordinatorSession(devices: [F.device], modelName: "gpt3-7b", timings: timings)
        let sent = F.sent(session.received(F.register(), from: Self.route, now: 0))
        guard case .registerAck(let ack)? = sent.first?.envelope.body else {
            Issue.record("expected a RegisterAck first")
            return
        }
        #expect(SessionTimings(announcedIn: ack) == timings)
    }

    /// Timings from a library user are checked before the coordinator announces them to any worker.
    @Test(arguments: [Int64(0), 5, 70_000])
    func aCoordinatorRefusesAHeartbeatOutOfRange(heartbeat: Int64) {
        var configuration = Coordinator.Configuration(bind: "inmemory")
        configuration.timings.heartbeatMilliseconds = heartbeat
        let coordinator = Coordinator(
            configuration: configuration, devices: [F.device], modelName: "gpt3-7b", logger: ClusterHarness.logger,
            transport: InMemoryTransport())
        #expect(throws: ClusterError.self) { try coordinator.start() }
    }
}
