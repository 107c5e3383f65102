import Foundation
import Testing
import TriadTestSupport
import TriadCluster
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTransport
import TriadWire

/// A clock the test moves by hand.
final class ManualClock: ClusterClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64 = 1_000

    func milliseconds() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return now
    }

    func advance(by milliseconds: Int64) {
        lock.lock()
        now += milliseconds
        lock.unlock()
    }
}

/// Liveness on an injected clock: no sleeping, exact windows.
struct LivenessTests {
    @Test func silentWorkerIsDeclaredDeadExactlyAfterTheLivenessWindow() throws {
        let clock = ManualClock()
        let transport = InMemoryTransport()
        let coordinator = Coordinator(
            configuration: .init(bind: "inmemory"), devices: ClusterHarness.devices, modelName: "gpt3-7b",
            logger: ClusterHarness.logger, transport: transport, clock: clock)
        try coordinator.start()
        var dead: [String] = []
        coordinator.onDeviceDead = { dead.append($0) }
        // A worker that registers and acknowledges its configuration, then goes silent.
        let worker = transport.router.connect()
        var register = Triad_V1_Register()
        register.deviceID = "npu0"
        register.protocolVersion = WireProtocol.version
        _ = try worker.send([WireProtocol.encode(WireProtocol.envelope(requestID: 1, .register(register)))])
        try coordinator.pump(timeoutMilliseconds: 0)
        var ack = Triad_V1_ConfigureAck()
        ack.deviceID = "npu0"
        _ = try worker.send([WireProtocol.encode(WireProtocol.envelope(requestID: 2, .configureAck(ack)))])
        try coordinator.pump(timeoutMilliseconds: 0)
        clock.advance(by: coordinator.configuration.timings.coordinatorLivenessMilliseconds)
        try coordinator.pump(timeoutMilliseconds: 0)
        #expect(dead.isEmpty)
        clock.advance(by: 1)
        try coordinator.pump(timeoutMilliseconds: 0)
        #expect(dead == ["npu0"])
        #expect(
            coordinator.statistics.deaths.first?.silentMilliseconds == coordinator.configuration.timings
                .coordinatorLivenessMilliseconds + 1)
    }
}
