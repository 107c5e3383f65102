import Foundation
import Testing
import TriadTestSupport
import TriadCluster
import TriadCore
import TriadDevices
import TriadTransport

/// CurveZMQ: the coordinator encrypts and admits only allow-listed worker keys.
@Suite(.serialized, .integrationTier, .tags(.integration))
struct CurveTests {
    final class CurveWorker: @unchecked Sendable {
        let stop = StopSignal()
        let finished = DispatchSemaphore(value: 0)

        init(endpoint: String, device: String, context: ZMQContext, keys: CurveClientKeys?) {
            var configuration = WorkerLoop.Configuration(endpoint: endpoint, deviceID: device, curve: keys)
            configuration.timings.workerLivenessMilliseconds = 60_000
            let loop = Box(
                WorkerLoop(
                    configuration: configuration, logger: ClusterHarness.logger, stop: stop,
                    transport: ZMQTransport(context: context)))
            Thread { [finished] in
                try? loop.value.run()
                finished.signal()
            }.start()
        }

        func halt() {
            stop.raise()
            finished.wait()
        }
    }

    enum Admission: String, CaseIterable {
        case listed, unlisted, plaintext
    }

    @Test(arguments: Admission.allCases)
    func onlyListedKeysAreAdmitted(case admission: Admission) async throws {
        try #require(ZMQContext.hasCurve)
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let server = try ZMQContext.curveKeyPair()
            let listed = try ZMQContext.curveKeyPair()
            let unlisted = try ZMQContext.curveKeyPair()
            let coordinator = Coordinator(
                configuration: .init(
                    bind: "tcp://127.0.0.1:*",
                    curve: CurveServerKeys(
                        publicKey: server.publicKey, secretKey: server.secretKey, allowedClientKeys: [listed.publicKey])
                ),
                devices: [ClusterHarness.devices[0]], modelName: "m", logger: ClusterHarness.logger,
                transport: ZMQTransport(context: context))
            let endpoint = try coordinator.start()
            let keys: CurveClientKeys?
            switch admission {
            case .listed:
                keys = CurveClientKeys(
                    publicKey: listed.publicKey, secretKey: listed.secretKey, serverPublicKey: server.publicKey)
            case .unlisted:
                keys = CurveClientKeys(
                    publicKey: unlisted.publicKey, secretKey: unlisted.secretKey, serverPublicKey: server.publicKey)
            case .plaintext:
                keys = nil
            }
            let worker = CurveWorker(endpoint: endpoint, device: "npu0", context: context, keys: keys)
            var admitted = true
            do {
                try coordinator.waitUntilReady(timeoutMilliseconds: admission == .listed ? 10_000 : 1500)
            } catch {
                admitted = false
            }
            #expect(admitted == (admission == .listed))
            if admitted {
                let costs = try coordinator.evaluate(
                    deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
                #expect(costs.count == ClusterHarness.sampleOperations.count)
            }
            coordinator.shutdown()
            worker.halt()
            context.terminate()
        }
    }
}
