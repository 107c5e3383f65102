import Foundation
import Testing
import TriadTestSupport
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
            let transport = InMemoryTransport()
            let coordinator = Coordinator(
                configuration: .init(bind: "inmemory"), devices: ClusterHarness.devices, modelName: "gpt3-7b",
                logger: ClusterHarness.logger, transport: transport)
            try coordinator.start()
            var finished: [DispatchSemaphore] = []
            let stop = StopSignal()
            for device in ClusterHarness.devices {
                let loop = Box(
                    WorkerLoop(
                        configuration: .init(endpoint: "inmemory", deviceID: device.id), logger: ClusterHarness.logger,
                        stop: stop, transport: transport))
                let done = DispatchSemaphore(value: 0)
                finished.append(done)
                Thread {
                    try? loop.value.run()
                    done.signal()
                }.start()
            }
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
            let deviceSet = try DeviceSet(devices: ClusterHarness.devices, links: [("npu0", "pim0")])
            var experiment = Experiment(
                devices: deviceSet, model: ModelPresets.named("gpt3-7b")!, workload: .fixed(input: 200, output: 300),
                topologyName: "t")
            (experiment.batch, experiment.iterations, experiment.seed) = (96, 60, 4)
            var remote = try Simulator(
                experiment, policy: .neupims, costs: ClusterCostService(coordinator: coordinator))
            var local = try Simulator(
                experiment, policy: .neupims,
                costs: LocalCostService(devices: ClusterHarness.devices))
            #expect(RunReport.json([try remote.run()]) == RunReport.json([try local.run()]))
            coordinator.shutdown()
            for done in finished { done.wait() }
        }
    }
}
