import Foundation
import Testing
import TriadTestSupport
import TriadCluster
import TriadCore
import TriadDevices
import TriadTransport
import TriadWire

@preconcurrency import CZeroMQ

/// ≥ 100,000 random and mutated frames at a live worker and a live coordinator: no crash, no hang, and
/// correct results afterwards.
@Suite(.serialized, .integrationTier, .tags(.integration, .fault))
struct FuzzTests {
    static let framesPerTarget = 50_000

    /// Random bytes, mutated valid envelopes, and multi-frame messages, from a seeded generator.
    struct FrameSource {
        var generator = SplitMix64(seed: 20_261_129)
        let seeds: [Data]

        init() {
            var batch = Triad_V1_EvaluateBatch()
            batch.operations = ClusterHarness.sampleOperations.map(\.wire)
            var register = Triad_V1_Register()
            register.deviceID = "npu0"
            register.protocolVersion = WireProtocol.version
            seeds = [
                WireProtocol.encode(WireProtocol.envelope(requestID: 5, .evaluate(batch))),
                WireProtocol.encode(WireProtocol.envelope(requestID: 0, .heartbeat(Triad_V1_Heartbeat()))),
                WireProtocol.encode(WireProtocol.envelope(requestID: 9, .register(register))),
                WireProtocol.encode(WireProtocol.envelope(requestID: 11, .result(Triad_V1_EvaluateResult()))),
            ]
        }

        mutating func next() -> [Data] {
            switch generator.nextIndex(below: 10) {
            case 0, 1, 2:
                let count = generator.nextIndex(below: 300)
                return [Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })]
            case 3:
                return (0..<(2 + generator.nextIndex(below: 4))).map { _ in
                    Data([UInt8(truncatingIfNeeded: generator.next())])
                }
            default:
                var bytes = [UInt8](seeds[generator.nextIndex(below: seeds.count)])
                for _ in 0...generator.nextIndex(below: 4) {
                    guard !bytes.isEmpty else { break }
                    let position = generator.nextIndex(below: bytes.count)
                    switch generator.nextIndex(below: 3) {
                    case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    case 1: bytes.removeSubrange(position...)
                    default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                    }
                }
                return [Data(bytes)]
            }
        }
    }

    /// Whether a frame is a well-formed instruction a worker is meant to obey (stop, reconfigure); the
    /// fuzzer leaves those out so that "correct results afterwards" stays meaningful.
    static func isLegitimateControl(_ frames: [Data]) -> Bool {
        guard frames.count == 1, let envelope = try? WireProtocol.decode(frames[0]) else { return false }
        switch envelope.body {
        case .disconnect?, .configure?: return true
        case .error(let body)?: return WireError.Code(wire: body.code) == .refused
        default: return false
        }
    }

    @Test func fuzzedWorkerKeepsServing() async throws {
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let fake = try ZMQSocket(context: context, kind: .router)
            try fake.set(ZMQ_ROUTER_MANDATORY, Int32(1))
            try fake.bind("tcp://127.0.0.1:*")
            let worker = ZMQClusterHarness.RunningWorker(
                endpoint: try fake.lastEndpoint(), device: "npu0", context: context, livenessMilliseconds: 60_000)
            let limits = FrameLimits(maximumFrames: 4, maximumBytes: 1 << 24)
            // Registration handshake by hand.
            guard case .message(let hello, _)? = try fake.receive(timeoutMilliseconds: 120_000, limits: limits) else {
                Issue.record("worker did not register")
                return
            }
            let identity = hello[0]
            var configure = Triad_V1_Configure()
            configure.device = ClusterHarness.devices[0].wire
            try fake.send([identity, WireProtocol.encode(WireProtocol.envelope(requestID: 1, .configure(configure)))])
            var source = FrameSource()
            var sent = 0
            var replies = 0
            while sent < Self.framesPerTarget {
                let frames = source.next()
                if Self.isLegitimateControl(frames) { continue }
                switch try fake.send([identity] + frames) {
                case .sent: sent += 1
                default: _ = try fake.receive(timeoutMilliseconds: 10, limits: limits)
                }
                while case .message? = try fake.receive(timeoutMilliseconds: 0, limits: limits) { replies += 1 }
            }
            // Afterwards: a real request gets the right answer.
            var batch = Triad_V1_EvaluateBatch()
            batch.operations = ClusterHarness.sampleOperations.map(\.wire)
            try fake.send([identity, WireProtocol.encode(WireProtocol.envelope(requestID: 777_777, .evaluate(batch)))])
            var answer: Triad_V1_EvaluateResult?
            let deadline = Date().addingTimeInterval(60)
            while answer == nil && Date() < deadline {
                if case .message(let frames, _)? = try fake.receive(timeoutMilliseconds: 100, limits: limits),
                    let envelope = try? WireProtocol.decode(frames[1]), envelope.requestID == 777_777,
                    case .result(let result)? = envelope.body
                {
                    answer = result
                }
            }
            let local = try DeviceEvaluator(device: ClusterHarness.devices[0]).costs(
                of:
                    ClusterHarness.sampleOperations)
            #expect(try answer?.costs.map { try OperationCost(wire: $0) } == local)
            print(
                "fuzz: \(sent) frames at a live worker, \(replies) replies; rejected \(worker.loop?.rejectionSummary ?? "")"
            )
            worker.stop()
            fake.close(lingerMilliseconds: 0)
            context.terminate()
        }
    }

    @Test func fuzzedCoordinatorKeepsServing() async throws {
        try await ClusterHarness.onThread {
            let cluster = try ZMQClusterHarness.LiveCluster(devices: [ClusterHarness.devices[0]])
            let coordinator = cluster.coordinator
            let attacker = try ZMQSocket(context: cluster.context, kind: .dealer)
            try attacker.connect(cluster.endpoint)
            let limits = FrameLimits(maximumFrames: 4, maximumBytes: 1 << 24)
            var source = FrameSource()
            var sent = 0
            while sent < Self.framesPerTarget {
                switch try attacker.send(source.next()) {
                case .sent: sent += 1
                default: try coordinator.pump(timeoutMilliseconds: 1)
                }
                if sent % 64 == 0 {
                    try coordinator.pump(timeoutMilliseconds: 0)
                    while case .message? = try attacker.receive(timeoutMilliseconds: 0, limits: limits) {}
                }
            }
            // Wait until the coordinator has taken every frame (plus the worker's heartbeats).
            let drainUntil = Date().addingTimeInterval(60)
            while coordinator.statistics.messagesReceived < sent && Date() < drainUntil {
                try coordinator.pump(timeoutMilliseconds: 5)
                while case .message? = try attacker.receive(timeoutMilliseconds: 0, limits: limits) {}
            }
            #expect(coordinator.statistics.messagesReceived >= sent)
            let costs = try coordinator.evaluate(
                deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
            let local = try DeviceEvaluator(device: ClusterHarness.devices[0]).costs(
                of:
                    ClusterHarness.sampleOperations)
            #expect(costs == local)
            #expect(coordinator.rejectionCount > 0)
            print("fuzz: \(sent) frames at a live coordinator; rejected \(coordinator.rejectionSummary)")
            attacker.close(lingerMilliseconds: 0)
            cluster.stop()
        }
    }
}
