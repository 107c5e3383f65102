import Foundation
import Testing
import TriadTestSupport
import TriadCluster
import TriadCore
import TriadDevices
import TriadTransport
import TriadWire

@preconcurrency import CZeroMQ

@Suite(.serialized, .integrationTier, .tags(.integration, .fault))
struct ClusterTests {
    @Test func remoteCostsEqualLocalCosts() async throws {
        try await ClusterHarness.onThread {
            let cluster = try ZMQClusterHarness.LiveCluster()
            let coordinator = cluster.coordinator
            let remote = try coordinator.evaluate(
                deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
            let local = try DeviceEvaluator(device: ClusterHarness.devices[0]).costs(
                of:
                    ClusterHarness.sampleOperations)
            #expect(remote == local)
            let remotePIM = try coordinator.evaluate(
                deviceID: "pim0", iteration: 1, operations: ClusterHarness.sampleAttention)
            let localPIM = try DeviceEvaluator(device: ClusterHarness.devices[1]).costs(
                of:
                    ClusterHarness.sampleAttention)
            #expect(remotePIM == localPIM)
            // A worker refuses work its device cannot do, with a typed error.
            #expect(throws: DeviceError.self) {
                _ = try coordinator.evaluate(
                    deviceID: "pim0", iteration: 2, operations: ClusterHarness.sampleOperations)
            }
            cluster.stop()
        }
    }

    /// Each kind of bad input is rejected and counted, and the coordinator keeps serving.
    @Test func coordinatorRejectsBadInputAndKeepsServing() async throws {
        try await ClusterHarness.onThread {
            let cluster = try ZMQClusterHarness.LiveCluster(devices: [ClusterHarness.devices[0]])
            let coordinator = cluster.coordinator
            let attacker = try ZMQSocket(context: cluster.context, kind: .dealer)
            try attacker.connect(cluster.endpoint)
            var wrongVersion = WireProtocol.envelope(requestID: 1, .heartbeat(Triad_V1_Heartbeat()))
            wrongVersion.protocolVersion = 99
            var noBody = Triad_V1_Envelope()
            noBody.protocolVersion = WireProtocol.version
            var register = Triad_V1_Register()
            register.deviceID = "npu0"
            register.protocolVersion = WireProtocol.version
            let inputs: [[Data]] = [
                [Data([0xFF, 0x00, 0x13, 0x37])],
                [WireProtocol.encode(wrongVersion)],
                [WireProtocol.encode(noBody)],
                [Data("a".utf8), Data("b".utf8), Data("c".utf8)],
                [Data(count: WireProtocol.maximumMessageBytes + 1024)],
                [WireProtocol.encode(WireProtocol.envelope(requestID: 424_242, .result(Triad_V1_EvaluateResult())))],
                [WireProtocol.encode(WireProtocol.envelope(requestID: 7, .register(register)))],
            ]
            for frames in inputs {
                // Each attack is rejected and counted: wait for the count to move (a deadline, not a fixed time).
                let before = coordinator.rejectionCount
                try attacker.send(frames)
                let deadline = Date().addingTimeInterval(120)
                while coordinator.rejectionCount == before && Date() < deadline {
                    try coordinator.pump(timeoutMilliseconds: 20)
                }
            }
            let summary = coordinator.rejectionSummary
            for code in [
                "malformed", "wrongProtocolVersion", "unknownMessage", "tooManyFrames", "oversize", "unknownRequest",
                "duplicateDevice",
            ] {
                #expect(summary.contains("\(code)="), "\(summary)")
            }
            // Still serving the real worker, with correct results.
            let costs = try coordinator.evaluate(
                deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
            #expect(costs.count == ClusterHarness.sampleOperations.count)
            attacker.close(lingerMilliseconds: 0)
            cluster.stop()
        }
    }
}
