import Foundation
import Logging
import TriadCluster
import TriadCore
import TriadDevices
import TriadTestSupport
import TriadTransport
import TriadWire

/// Real ZeroMQ sockets on loopback, each socket loop on its own thread (never on the test's task pool).
enum ZMQClusterHarness {
    /// A worker loop on its own thread; `stop()` ends it and waits.
    final class RunningWorker: @unchecked Sendable {
        let stopSignal = StopSignal()
        let finished = DispatchSemaphore(value: 0)
        private(set) var loop: WorkerLoop?

        init(endpoint: String, device: String, context: ZMQContext, livenessMilliseconds: Int64 = 2000) {
            var configuration = WorkerLoop.Configuration(endpoint: endpoint, deviceID: device)
            configuration.timings.workerLivenessMilliseconds = livenessMilliseconds
            let loop = WorkerLoop(
                configuration: configuration, logger: ClusterHarness.logger, stop: stopSignal,
                transport: ZMQTransport(context: context))
            self.loop = loop
            let box = Box(loop)
            Thread { [finished] in
                try? box.value.run()
                finished.signal()
            }.start()
        }

        func stop() {
            stopSignal.raise()
            finished.wait()
        }
    }

    /// A started coordinator for `devices` on loopback with one ready worker thread per device.
    final class LiveCluster {
        let context = ZMQContext()
        let coordinator: Coordinator
        let endpoint: String
        let workers: [RunningWorker]

        init(devices: [DeviceDescription] = ClusterHarness.devices) throws {
            coordinator = Coordinator(
                configuration: .init(bind: "tcp://127.0.0.1:*"), devices: devices, modelName: "gpt3-7b",
                logger: ClusterHarness.logger, transport: ZMQTransport(context: context))
            endpoint = try coordinator.start()
            let endpoint = endpoint
            let context = context
            workers = devices.map { RunningWorker(endpoint: endpoint, device: $0.id, context: context) }
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
        }

        func stop() {
            coordinator.shutdown()
            for worker in workers { worker.stop() }
            context.terminate()
        }
    }
}
