import Foundation
import Testing
import TriadCluster
import TriadScheduling
import TriadSetup
import TriadTestSupport
import TriadTransport

@testable import triad

/// The cluster mode in process: every golden scenario through a coordinator and one worker loop per device (each
/// on its own thread, over the in-memory transport, every mirrored worker asked) gives the in-process report byte
/// for byte. The same check with real processes and ZeroMQ is in the integration tier (`triad up`).
struct InMemoryClusterTests {
    @Test(arguments: EndToEndTests.scenarios.map(\.name))
    func clusterReportEqualsInProcess(name: String) async throws {
        try await Self.expectClusterEqualsInProcess(EndToEndTests.scenarios.first { $0.name == name }!.arguments)
    }

    /// Today's models through the cluster: requests spanning PIM channels (Llama-3-8B at 8K on NeuPIMs), units on
    /// the buffer die serving whole query groups, AttAcc's HBM3 stacks, and the `auto` policy choosing among the
    /// plans — their new operations and keys cross the wire and give the in-process report byte for byte.
    @Test(arguments: [
        [
            "compare", "Topologies/neupims.yaml", "--model", "llama-3-8b", "--workload", "fixed:7936:256",
            "--max-sequence", "8192", "--batch", "8", "--iterations", "12", "--policies", "npu-only,neupims",
        ],
        [
            "compare", "Topologies/logic-pim.yaml", "--model", "llama-3.1-8b", "--workload", "fixed:4096:64",
            "--max-sequence", "4160", "--batch", "16", "--iterations", "12", "--policies", "neupims",
        ],
        [
            "run", "Topologies/hbm3-attacc.yaml", "--model", "llama-3-8b", "--workload", "sharegpt", "--batch", "32",
            "--iterations", "12", "--policy", "npu+pim+drb+fused+bulk",
        ],
        [
            "compare", "Topologies/neupims.yaml", "--model", "llama-3-8b", "--batch", "16", "--iterations", "20",
            "--policies", "npu-only,neupims,auto",
        ],
    ])
    func groupedQueryScenariosEqualInProcess(arguments: [String]) async throws {
        try await Self.expectClusterEqualsInProcess(arguments)
    }

    static func expectClusterEqualsInProcess(_ arguments: [String]) async throws {
        let options: RunOptions
        let policies: [Policy]
        if arguments[0] == "run" {
            let command = try RunCommand.parse(Array(arguments.dropFirst()))
            (options, policies) = (command.options, [try Inputs.policy(command.policy)])
        } else {
            let command = try CompareCommand.parse(Array(arguments.dropFirst()))
            (options, policies) = (command.options, try Inputs.policies(command.policies))
        }
        let loaded = try options.load()
        let local = try loaded.experiment.run(policies).reports
        let remote = try await ClusterHarness.onThread {
            let transport = InMemoryTransport()
            let devices = loaded.inputs.topology.devices
            let coordinator = Coordinator(
                configuration: .init(bind: "inmemory"), devices: devices, modelName: loaded.inputs.model.name,
                logger: ClusterHarness.logger, transport: transport)
            try coordinator.start()
            let stop = StopSignal()
            let finished = devices.map { device in
                let done = DispatchSemaphore(value: 0)
                let loop = Box(
                    WorkerLoop(
                        configuration: .init(endpoint: "inmemory", deviceID: device.id), logger: ClusterHarness.logger,
                        stop: stop, transport: transport))
                Thread {
                    try? loop.value.run()
                    done.signal()
                }.start()
                return done
            }
            defer {
                coordinator.shutdown()
                for done in finished { done.wait() }
            }
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
            return try ClusterCostService.run(coordinator: coordinator, mirrors: loaded.inputs.groups.mirrorMap) {
                try loaded.experiment.run(policies, costs: $0).reports
            }.result
        }
        #expect(RunReport.json(remote) == RunReport.json(local))
        #expect(!local.isEmpty)
    }
}
