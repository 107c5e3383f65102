import Foundation
import Testing
import TriadCluster
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTransport

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
                workers: ClusterHarness.devices.map { RemoteDeviceWorker(device: $0, coordinator: coordinator) },
                broker: CoordinatorCostBroker(coordinator: coordinator))
            var local = try Simulator(
                configuration: configuration, devices: deviceSet,
                workers: ClusterHarness.devices.map { LocalDeviceWorker(device: $0) })
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
