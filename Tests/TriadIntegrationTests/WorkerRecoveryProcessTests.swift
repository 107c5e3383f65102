import Foundation
import Testing
import TriadTestSupport
import TriadTransport
import TriadWire

/// `triad worker` processes against what the network and coordinators do to them: refused workers exit 3
/// at once, a connection torn down by an oversized frame or a security mismatch comes back by itself.
@Suite(.serialized, .integrationTier, .tags(.integration, .process, .fault))
struct WorkerRecoveryProcessTests {
    typealias Running = TriadProcess

    @Test func aWorkerForAnUnknownDeviceExitsThreeInOneLine() throws {
        let coordinator = try Running([
            "coordinator", "--bind", "tcp://127.0.0.1:*", "Topologies/neupims.yaml", "--iterations", "2",
            "--wait-timeout", "600", "--log-level", "info",
        ])
        let endpoint = try #require(coordinator.boundEndpoint(), "\(coordinator.errorText)")
        let worker = try Running(["worker", "--connect", endpoint, "--device", "gpu9", "--log-level", "critical"])
        let outcome = worker.wait(killingAfter: 120)
        #expect(outcome.status == 3, "\(outcome.error)")
        #expect(outcome.error.split(separator: "\n").count == 1, "\(outcome.error)")
        #expect(outcome.error.contains("refused this worker: no device 'gpu9'"), "\(outcome.error)")
        kill(coordinator.pid, SIGTERM)
        _ = coordinator.wait(killingAfter: 60)
    }

    /// A frame over the worker's size limit makes libzmq drop the connection and never retry; the worker
    /// notices, connects a fresh socket, registers again and serves correctly.
    @Test func aWorkerComesBackAfterAnOversizedFrame() throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, kind: .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let worker = try Running(
            ["worker", "--connect", endpoint, "--device", "npu0", "--once", "--log-level", "critical"])
        let limits = FrameLimits(maximumFrames: 4, maximumBytes: 1 << 26)
        func nextRegister(within seconds: Double) throws -> Data? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if case .message(let frames, _)? = try router.receive(timeoutMilliseconds: 50, limits: limits),
                    frames.count == 2, let envelope = try? WireProtocol.decode(frames[1]),
                    case .register? = envelope.body
                {
                    return frames[0]
                }
            }
            return nil
        }
        let first = try #require(try nextRegister(within: 10))
        let oversized = Data(count: 3 * WireProtocol.maximumMessageBytes)
        _ = try router.send([first, oversized])
        let dropped = Date()
        let second = try #require(try nextRegister(within: 10), "the worker did not come back")
        #expect(second != first, "a fresh connection has a fresh routing id")
        print("oversized frame: the worker registered again after \(Int(Date().timeIntervalSince(dropped) * 1000)) ms")
        var disconnect = Triad_V1_Disconnect()
        disconnect.reason = "test over"
        _ = try router.send([second, WireProtocol.encode(WireProtocol.envelope(requestID: 0, .disconnect(disconnect)))])
        let outcome = worker.wait(killingAfter: 60)
        #expect(outcome.status == 0, "\(outcome.error)")
        router.close(lingerMilliseconds: 0)
        context.terminate()
    }

    /// A worker without CURVE meets a coordinator with it (libzmq gives up after a mechanism mismatch); once
    /// the coordinator is restarted without CURVE the worker joins it and the run completes.
    @Test func aWorkerFollowsACoordinatorRestartedWithOtherSecurity() throws {
        let directory = try TriadPaths.temporaryDirectory("security")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("coordinator").path
        #expect(try TriadProcess.run(["keygen", keys]).status == 0)
        let common = ["Topologies/neupims.yaml", "--batch", "16", "--iterations", "3"]
        // The secured coordinator gives up after its wait: no worker can get in.
        let secured = try Running(
            [
                "coordinator", "--bind", "tcp://127.0.0.1:*", "--curve-key", keys + ".key", "--allow", keys + ".pub",
                "--wait-timeout", "3", "--log-level", "info",
            ] + common)
        let endpoint = try #require(secured.boundEndpoint(), "\(secured.errorText)")
        let workers = try ["npu0", "pim0"].map {
            try Running(["worker", "--connect", endpoint, "--device", $0, "--once", "--log-level", "critical"])
        }
        let refused = secured.wait(killingAfter: 120)
        #expect(refused.status == 1, "\(refused.error)")
        let plain = try Running(
            ["coordinator", "--bind", endpoint, "--wait-timeout", "600", "--log-level", "critical"] + common)
        let outcome = plain.wait(killingAfter: 600)
        #expect(outcome.status == 0, "\(outcome.error)")
        for worker in workers { #expect(worker.wait(killingAfter: 60).status == 0) }
    }

    /// Workers are daemons by default: after one coordinator's run they serve the next one on the same
    /// endpoint, with the same report as in-process, until stopped.
    @Test func daemonWorkersServeOneCoordinatorAfterAnother() throws {
        let common = ["Topologies/neupims.yaml", "--batch", "16", "--iterations", "5", "--format", "json"]
        let expected = try TriadProcess.run(["compare"] + common + ["--policies", "npu-only,npu+pim,neupims"])
        var endpoint = "tcp://127.0.0.1:*"
        var workers: [Running] = []
        for round in 0..<2 {
            let coordinator = try Running(
                ["coordinator", "--bind", endpoint, "--wait-timeout", "600", "--log-level", "info"] + common)
            if round == 0 {
                endpoint = try #require(coordinator.boundEndpoint(), "\(coordinator.errorText)")
                workers = try ["npu0", "pim0"].map {
                    try Running(["worker", "--connect", endpoint, "--device", $0, "--log-level", "critical"])
                }
            }
            let outcome = coordinator.wait(killingAfter: 600)
            #expect(outcome.status == 0, "round \(round): \(outcome.error)")
            #expect(outcome.output == expected.output, "round \(round)")
        }
        for worker in workers {
            #expect(worker.process.isRunning, "a daemon worker exited after a run")
            kill(worker.pid, SIGTERM)
            #expect(worker.wait(killingAfter: 60).status == 0)
        }
    }
}
