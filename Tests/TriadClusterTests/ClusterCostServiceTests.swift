import Foundation
import Testing
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTestSupport
import TriadTransport
@testable import TriadCluster

/// The cluster cost service over in-memory workers: an answer is asked once per run whatever asks it again (another
/// iteration, another policy), answers equal the local ones, and mirrors are asked what the run used, off the
/// critical path, with every verdict in after `settle`.
@Suite(.serialized)
struct ClusterCostServiceTests {
    static let mirror = DeviceDescription(id: "npu1", configuration: ClusterHarness.devices[0].configuration)

    /// A coordinator with one in-memory worker per device of `devices`, ready; `body` runs on the coordinator's thread.
    static func withWorkers<T: Sendable>(
        _ devices: [DeviceDescription], _ body: @escaping @Sendable (Coordinator) throws -> T
    ) async throws -> T {
        try await ClusterHarness.onThread {
            let transport = InMemoryTransport()
            let coordinator = Coordinator(
                configuration: .init(bind: "inmemory"), devices: devices, modelName: "gpt3-7b",
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
            return try body(coordinator)
        }
    }

    @Test func anAnswerIsAskedOnceAndEqualsTheLocalOne() async throws {
        let devices = ClusterHarness.devices + [Self.mirror]
        let local = try LocalCostService(devices: devices).costs([
            CostRequest(deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
        ])
        let outcome = try await Self.withWorkers(devices) { coordinator in
            try ClusterCostService.run(coordinator: coordinator, mirrors: ["npu0": ["npu1"]]) { service in
                let first = try service.costs([
                    CostRequest(deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
                ])
                let asked = coordinator.statistics.requests
                let again = try service.costs([
                    CostRequest(deviceID: "npu0", iteration: 7, operations: ClusterHarness.sampleOperations.reversed())
                ])
                return (first, Array(again[0].reversed()), asked, coordinator.statistics.requests)
            }
        }
        let (first, again, askedFirst, askedAfter) = outcome.result
        #expect(first == local)
        #expect(again == local[0])
        #expect(askedAfter == askedFirst, "the second call asked nothing")
        #expect(outcome.statistics.mirrorRequests == 1 && outcome.statistics.mirrorAgreements == 1)
    }

    /// By default a device's answers are shared out among its mirrors (each checked once); with `checksEveryMirror`
    /// every mirror is asked all of them (more bytes sent); either way every mirror is asked and agrees.
    @Test func mirrorsShareTheAnswersUnlessEveryMirrorIsChecked() async throws {
        let mirrors = (1...3).map {
            DeviceDescription(id: "npu\($0)", configuration: ClusterHarness.devices[0].configuration)
        }
        let operations = ClusterHarness.sampleOperations
        try #require(operations.count >= mirrors.count)
        var sent: [Int] = []
        for everyMirror in [false, true] {
            let (statistics, bytes) = try await Self.withWorkers(ClusterHarness.devices + mirrors) { coordinator in
                let outcome = try ClusterCostService.run(
                    coordinator: coordinator, mirrors: ["npu0": mirrors.map(\.id)],
                    options: .init(checksEveryMirror: everyMirror)
                ) { service in
                    _ = try service.costs([CostRequest(deviceID: "npu0", iteration: 0, operations: operations)])
                }
                return (outcome.statistics, coordinator.statistics.bytesSent)
            }
            #expect(statistics.mirrorRequests == mirrors.count, "every mirror asked once (\(everyMirror))")
            #expect(statistics.mirrorAgreements == mirrors.count)
            sent.append(bytes)
        }
        // Shared answers cost fewer bytes than every mirror asked each.
        #expect(sent[0] < sent[1], "\(sent)")
    }

    /// A mirror that got no share of the answers (fewer answers than mirrors) is still asked some before the report.
    @Test func aMirrorWithoutAShareIsStillAsked() async throws {
        let mirrors = (1...3).map {
            DeviceDescription(id: "npu\($0)", configuration: ClusterHarness.devices[0].configuration)
        }
        let outcome = try await Self.withWorkers(ClusterHarness.devices + mirrors) { coordinator in
            try ClusterCostService.run(coordinator: coordinator, mirrors: ["npu0": mirrors.map(\.id)]) { service in
                _ = try service.costs([
                    CostRequest(deviceID: "npu0", iteration: 0, operations: [ClusterHarness.sampleOperations[0]])
                ])
            }
        }
        #expect(outcome.statistics.mirrorRequests == mirrors.count)
        #expect(outcome.statistics.mirrorAgreements == mirrors.count)
    }

    @Test func withoutReuseEveryCallAsksTheWorkers() async throws {
        let requests = try await Self.withWorkers(ClusterHarness.devices) { coordinator in
            let service = ClusterCostService(coordinator: coordinator, options: .init(reusesAnswers: false))
            for iteration in 0..<3 {
                _ = try service.costs([
                    CostRequest(deviceID: "npu0", iteration: iteration, operations: ClusterHarness.sampleOperations)
                ])
            }
            try service.settle()
            return coordinator.statistics.requests
        }
        #expect(requests == 3)
    }
}
