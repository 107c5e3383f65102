import Foundation
import Testing
import TriadTestSupport
import TriadCluster
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTransport
import TriadWire

/// A worker that registers properly and then answers every request wrongly, in one of several ways.
final class HostileWorker: @unchecked Sendable {
    enum Behaviour: String, CaseIterable, Sendable {
        case wrongCount, nanEnergy, negativeCycles, hugeDuration, infiniteEnergy, maximumCycles
        /// In range on the wire, but far beyond what the device could take for the operation.
        case absurdForTheShape
        /// The device's own costs, one cycle more: plausible, but not what an identical device answers.
        case plausibleButDifferent
    }

    private let stopSignal = StopSignal()
    private let finished = DispatchSemaphore(value: 0)
    private let refusedFlag = Box(Locked(false))
    var wasRefused: Bool { refusedFlag.value.value }

    init(endpoint: String, device: String, context: ZMQContext, behaviour: Behaviour) throws {
        let socket = try ZMQSocket(context: context, kind: .dealer)
        try socket.connect(endpoint)
        let box = Box(socket)
        let stop = stopSignal
        let refused = refusedFlag
        Thread { [finished] in
            let socket = box.value
            var register = Triad_V1_Register()
            register.deviceID = device
            register.protocolVersion = WireProtocol.version
            _ = try? socket.send([WireProtocol.encode(WireProtocol.envelope(requestID: 1, .register(register)))])
            var lastBeat = Date()
            var configured: DeviceDescription?
            let limits = FrameLimits(maximumFrames: 1, maximumBytes: 1 << 24)
            while !stop.isRaised {
                if Date().timeIntervalSince(lastBeat) > 0.2 {
                    _ = try? socket.send([WireProtocol.encode(WireProtocol.envelope(requestID: 0, .heartbeat(.init())))]
                    )
                    lastBeat = Date()
                }
                guard case .message(let frames, _)? = try? socket.receive(timeoutMilliseconds: 50, limits: limits),
                    let envelope = try? WireProtocol.decode(frames[0])
                else { continue }
                switch envelope.body {
                case .configure(let configure)?:
                    configured = try? DeviceDescription(wire: configure.device)
                    var ack = Triad_V1_ConfigureAck()
                    ack.deviceID = configure.device.id
                    _ = try? socket.send([
                        WireProtocol.encode(WireProtocol.envelope(requestID: envelope.requestID, .configureAck(ack)))
                    ])
                case .evaluate(let batch)?:
                    var result = Triad_V1_EvaluateResult()
                    if behaviour == .plausibleButDifferent, let configured,
                        let operations = try? batch.operations.map({ try TriadCore.Operation(wire: $0) }),
                        let own = try? DeviceEvaluator(device: configured).costs(of: operations)
                    {
                        result.costs = own.map { cost in
                            var changed = cost
                            changed.cycles += 1
                            return changed.wire
                        }
                    } else {
                        result.costs = HostileWorker.costs(for: batch.operations.count, behaviour)
                    }
                    _ = try? socket.send([
                        WireProtocol.encode(WireProtocol.envelope(requestID: envelope.requestID, .result(result)))
                    ])
                case .error(let body)? where WireError.Code(wire: body.code) == .refused:
                    refused.value.value = true
                default:
                    break
                }
            }
            socket.close(lingerMilliseconds: 0)
            finished.signal()
        }.start()
    }

    static func costs(for count: Int, _ behaviour: Behaviour) -> [Triad_V1_OperationCost] {
        var cost = Triad_V1_OperationCost()
        cost.cycles = 1000
        cost.durationPs = 1_000_000
        cost.energyPj = 10
        switch behaviour {
        case .wrongCount: return Array(repeating: cost, count: count + 1)
        case .nanEnergy: cost.energyPj = .nan
        case .infiniteEnergy: cost.energyPj = .infinity
        case .negativeCycles: cost.cycles = -5
        case .hugeDuration: cost.durationPs = .max
        case .maximumCycles: cost.cycles = .max
        case .absurdForTheShape:
            cost.cycles = 1 << 49
            cost.durationPs = 1 << 49
        case .plausibleButDifferent:
            break
        }
        return Array(repeating: cost, count: count)
    }

    func stop() {
        stopSignal.raise()
        finished.wait()
    }
}

/// A worker whose replies cannot be right never changes a result and never crashes the coordinator: with a
/// standby its work is redone there, without one the run fails with a one-line reason.
@Suite(.serialized, .integrationTier, .tags(.integration, .fault))
struct HostileWorkerTests {
    static func coordinator(_ context: ZMQContext, devices: [DeviceDescription] = [ClusterHarness.devices[0]]) throws
        -> (Coordinator, String)
    {
        let coordinator = Coordinator(
            configuration: .init(bind: "tcp://127.0.0.1:*"), devices: devices, modelName: "gpt3-7b",
            logger: ClusterHarness.logger, transport: ZMQTransport(context: context))
        return (coordinator, try coordinator.start())
    }

    static let invalid = HostileWorker.Behaviour.allCases.filter { $0 != .plausibleButDifferent }

    @Test(arguments: invalid)
    func withoutStandbyTheRunFailsWithAReason(behaviour: HostileWorker.Behaviour) async throws {
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let (coordinator, endpoint) = try Self.coordinator(context)
            let hostile = try HostileWorker(endpoint: endpoint, device: "npu0", context: context, behaviour: behaviour)
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
            do {
                _ = try coordinator.evaluate(
                    deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
                Issue.record("\(behaviour): a faulty reply was accepted")
            } catch let error as ClusterError {
                #expect(error.message.contains("no standby"), "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
            #expect(coordinator.statistics.faults.count == 1)
            let deadline = Date().addingTimeInterval(120)
            while !hostile.wasRefused && Date() < deadline { try? coordinator.pump(timeoutMilliseconds: 20) }
            #expect(hostile.wasRefused, "the faulty worker was told it is refused")
            coordinator.shutdown()
            hostile.stop()
            context.terminate()
        }
    }

    @Test(arguments: invalid)
    func aStandbyRedoesTheWorkWithTheRightCosts(behaviour: HostileWorker.Behaviour) async throws {
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let (coordinator, endpoint) = try Self.coordinator(context)
            let hostile = try HostileWorker(endpoint: endpoint, device: "npu0", context: context, behaviour: behaviour)
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
            let standby = ZMQClusterHarness.RunningWorker(endpoint: endpoint, device: "npu0", context: context)
            let deadline = Date().addingTimeInterval(5)
            while coordinator.standbyCount(for: "npu0") == 0 && Date() < deadline {
                try coordinator.pump(timeoutMilliseconds: 20)
            }
            #expect(coordinator.standbyCount(for: "npu0") == 1)
            let remote = try coordinator.evaluate(
                deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
            let local = try DeviceEvaluator(device: ClusterHarness.devices[0]).costs(
                of: ClusterHarness.sampleOperations)
            #expect(remote == local)
            #expect(coordinator.statistics.faults.count == 1)
            #expect(coordinator.statistics.faults.first?.device == "npu0")
            // The faulty worker stays out: later requests go to the standby too.
            let again = try coordinator.evaluate(
                deviceID: "npu0", iteration: 1, operations: ClusterHarness.sampleOperations)
            #expect(again == local)
            coordinator.shutdown()
            hostile.stop()
            standby.stop()
            context.terminate()
        }
    }

    /// In a multi-group topology every request also goes to the mirrored groups' workers: agreeing answers
    /// pass, a worker that answers other (plausible) costs fails the run in one line.
    @Test(arguments: [false, true])
    func mirroredWorkersMustAgree(oneDisagrees: Bool) async throws {
        try await ClusterHarness.onThread {
            let context = ZMQContext()
            let devices = [
                ClusterHarness.devices[0],
                DeviceDescription(id: "npu1", configuration: ClusterHarness.devices[0].configuration),
            ]
            let (coordinator, endpoint) = try Self.coordinator(context, devices: devices)
            let primary = ZMQClusterHarness.RunningWorker(endpoint: endpoint, device: "npu0", context: context)
            var mirror: ZMQClusterHarness.RunningWorker?
            var liar: HostileWorker?
            if oneDisagrees {
                liar = try HostileWorker(
                    endpoint: endpoint, device: "npu1", context: context, behaviour: .plausibleButDifferent)
            } else {
                mirror = ZMQClusterHarness.RunningWorker(endpoint: endpoint, device: "npu1", context: context)
            }
            try coordinator.waitUntilReady(timeoutMilliseconds: 120_000)
            let service = ClusterCostService(coordinator: coordinator, mirrors: ["npu0": ["npu1"]])
            let request = CostRequest(deviceID: "npu0", iteration: 0, operations: ClusterHarness.sampleOperations)
            if oneDisagrees {
                do {
                    // The run does not wait for mirrors; their verdicts are in before the report (`settle`).
                    _ = try service.costs([request])
                    try service.settle()
                    Issue.record("a disagreeing mirror was accepted")
                } catch let error as ClusterError {
                    #expect(error.message.contains("mirrored groups must agree"), "\(error.message)")
                }
            } else {
                let local = try DeviceEvaluator(device: devices[0]).costs(of: ClusterHarness.sampleOperations)
                #expect(try service.costs([request]) == [local])
                try service.settle()
            }
            coordinator.shutdown()
            primary.stop()
            mirror?.stop()
            liar?.stop()
            context.terminate()
        }
    }
}
