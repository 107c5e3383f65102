import Foundation
import Testing
import TriadCluster
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTransport
import TriadWire

/// The cluster logic over the in-memory transport: no network, same results.
@Suite(.serialized)
struct InMemoryTransportTests {
    @Test func simulationThroughInMemoryWorkersEqualsInProcess() async throws {
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let router = InMemoryRouter()
            let coordinator = Coordinator(
                configuration: .init(bind: "inmemory"), devices: ClusterHarness.devices, modelName: "gpt3-7b",
                logger: ClusterHarness.logger, context: context)
            coordinator.start(socket: router.socket)
            var finished: [DispatchSemaphore] = []
            let stop = StopSignal()
            for device in ClusterHarness.devices {
                let loop = Box(
                    WorkerLoop(
                        configuration: .init(endpoint: "inmemory", deviceID: device.id), logger: ClusterHarness.logger,
                        stop: stop))
                let socket = Box(router.connect())
                let done = DispatchSemaphore(value: 0)
                finished.append(done)
                Thread {
                    try? loop.value.serve(on: socket.value)
                    done.signal()
                }.start()
            }
            try coordinator.waitUntilReady(timeoutMilliseconds: 10_000)
            let deviceSet = try DeviceSet(devices: ClusterHarness.devices, links: [("npu0", "pim0")])
            let configuration = SimulationConfiguration(
                model: ModelPresets.named("gpt3-7b")!, stream: .fixed(input: 200, output: 300), batchSize: 96,
                iterations: 60, seed: 4, policy: .neupims, topologyName: "t")
            var remote = try Simulator(
                configuration: configuration, devices: deviceSet,
                costs: ClusterCostService(coordinator: coordinator))
            var local = try Simulator(
                configuration: configuration, devices: deviceSet,
                costs: LocalCostService(devices: ClusterHarness.devices))
            #expect(RunReport.json([try remote.run()]) == RunReport.json([try local.run()]))
            coordinator.shutdown()
            for done in finished { done.wait() }
            context.terminate()
        }
    }

    @Test func framingCapsApplyInMemoryToo() throws {
        let router = InMemoryRouter()
        let dealer = router.connect()
        _ = try dealer.send([Data("a".utf8), Data("b".utf8)])
        let limits = FrameLimits(maximumFrames: 2, maximumBytes: 1024)
        guard case .rejected(.tooManyFrames, _)? = try router.socket.receive(timeoutMilliseconds: 100, limits: limits)
        else {
            Issue.record("three frames (id + two) must be refused with a two-frame cap")
            return
        }
        #expect(try router.socket.send([Data("nobody".utf8), Data("x".utf8)]) == .unreachable)
    }
}

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
        let router = InMemoryRouter()
        let coordinator = Coordinator(
            configuration: .init(bind: "inmemory"), devices: ClusterHarness.devices, modelName: "gpt3-7b",
            logger: ClusterHarness.logger, context: ZMQContext(), clock: clock)
        coordinator.start(socket: router.socket)
        var dead: [String] = []
        coordinator.onDeviceDead = { dead.append($0) }
        // A worker that registers and acknowledges its configuration, then goes silent.
        let worker = router.connect()
        var register = Triad_V1_Register()
        register.deviceID = "npu0"
        register.protocolVersion = WireProtocol.version
        _ = try worker.send([WireProtocol.encode(WireProtocol.envelope(requestID: 1, .register(register)))])
        try coordinator.pump(timeoutMilliseconds: 0)
        var ack = Triad_V1_ConfigureAck()
        ack.deviceID = "npu0"
        _ = try worker.send([WireProtocol.encode(WireProtocol.envelope(requestID: 2, .configureAck(ack)))])
        try coordinator.pump(timeoutMilliseconds: 0)
        clock.advance(by: coordinator.configuration.livenessMilliseconds)
        try coordinator.pump(timeoutMilliseconds: 0)
        #expect(dead.isEmpty)
        clock.advance(by: 1)
        try coordinator.pump(timeoutMilliseconds: 0)
        #expect(dead == ["npu0"])
        #expect(coordinator.statistics.deaths.first?.silentMilliseconds == coordinator.configuration.livenessMilliseconds + 1)
    }
}
