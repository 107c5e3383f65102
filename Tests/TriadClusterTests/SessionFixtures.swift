import Foundation
import TriadCore
import TriadDevices
import TriadTestSupport
import TriadWire

@testable import TriadCluster

/// Envelopes and action readers for driving the session state machines directly.
enum SessionFixtures {
    static let device = ClusterHarness.devices[0]
    static let operations = [TriadCore.Operation(kind: .qkvProjection, rows: 4, inner: 64, columns: 64)]

    static func payload(_ body: Triad_V1_Envelope.OneOf_Body, requestID: UInt64 = 0) -> Data {
        WireProtocol.encode(WireProtocol.envelope(requestID: requestID, body))
    }

    static func registerAck(_ timings: SessionTimings = .defaults) -> Data {
        var ack = Triad_V1_RegisterAck()
        ack.deviceID = device.id
        timings.announce(in: &ack)
        return payload(.registerAck(ack))
    }

    static func configure(requestID: UInt64 = 1) -> Data {
        var configure = Triad_V1_Configure()
        configure.device = device.wire
        configure.modelName = "gpt3-7b"
        return payload(.configure(configure), requestID: requestID)
    }

    static func evaluate(requestID: UInt64) -> Data {
        var batch = Triad_V1_EvaluateBatch()
        batch.operations = operations.map(\.wire)
        return payload(.evaluate(batch), requestID: requestID)
    }

    static func register(requestID: UInt64 = 1) -> Data {
        var register = Triad_V1_Register()
        register.deviceID = device.id
        register.protocolVersion = WireProtocol.version
        return payload(.register(register), requestID: requestID)
    }

    static func configureAck(requestID: UInt64) -> Data {
        var ack = Triad_V1_ConfigureAck()
        ack.deviceID = device.id
        return payload(.configureAck(ack), requestID: requestID)
    }

    static func error(_ code: WireError.Code, requestID: UInt64) -> Data {
        WireProtocol.encode(WireProtocol.error(requestID: requestID, WireError(code, "test")))
    }

    /// The envelopes a worker's actions send.
    static func sent(_ actions: [WorkerSession.Action]) -> [Triad_V1_Envelope] {
        actions.compactMap {
            guard case .send(let envelope) = $0 else { return nil }
            return envelope
        }
    }

    /// The envelopes a coordinator's actions send, with their routing ids.
    static func sent(_ actions: [CoordinatorSession.Action]) -> [(routingID: Data, envelope: Triad_V1_Envelope)] {
        actions.compactMap {
            guard case .send(let routingID, let payload) = $0, let envelope = try? WireProtocol.decode(payload) else {
                return nil
            }
            return (routingID, envelope)
        }
    }
}
