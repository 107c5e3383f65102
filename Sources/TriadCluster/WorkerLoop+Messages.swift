import Foundation
import Logging
import TriadCore
import TriadDevices
import TriadTransport
import TriadWire

/// What a worker does with each message from the coordinator: acknowledgements, its configuration, evaluate
/// requests (answered with its cost models), heartbeats, disconnects and errors (a refusal ends the loop).
extension WorkerLoop {
    /// Handles one message from the coordinator; returns true when told to disconnect.
    func handle(_ bytes: Data) -> Bool {
        let envelope: Triad_V1_Envelope
        do {
            envelope = try WireProtocol.decode(bytes)
        } catch {
            rejections.reject(error, peer: "coordinator", logger: logger)
            send(WireProtocol.error(requestID: 0, error))
            return false
        }
        switch envelope.body {
        case .registerAck?:
            logger.info("registered", metadata: ["device": "\(configuration.deviceID)"])
        case .configure(let configure)?:
            do {
                let described = try DeviceDescription(wire: configure.device)
                guard described.id == configuration.deviceID else {
                    throw WireError(
                        .unknownDevice, "configured as \(described.id), but this worker is \(configuration.deviceID)")
                }
                device = described
                var ack = Triad_V1_ConfigureAck()
                ack.deviceID = described.id
                send(WireProtocol.envelope(requestID: envelope.requestID, .configureAck(ack)))
                logger.info(
                    "configured",
                    metadata: [
                        "device": "\(described.id)", "kind": "\(described.configuration.kind.rawValue)",
                        "model": "\(configure.modelName)",
                    ])
            } catch let error as WireError {
                reply(error: error, to: envelope.requestID)
            } catch {
                reply(error: WireError(.malformed, "\(error)"), to: envelope.requestID)
            }
        case .evaluate(let batch)?:
            guard let device else {
                reply(error: WireError(.notConfigured, "evaluate before configure"), to: envelope.requestID)
                return false
            }
            do {
                var operations: [TriadCore.Operation] = []
                operations.reserveCapacity(batch.operations.count)
                for operation in batch.operations { operations.append(try TriadCore.Operation(wire: operation)) }
                let costs = try DeviceEvaluator(device: device).costs(of: operations)
                var result = Triad_V1_EvaluateResult()
                result.costs = costs.map(\.wire)
                send(WireProtocol.envelope(requestID: envelope.requestID, .result(result)))
                answered += 1
            } catch let error as WireError {
                reply(error: error, to: envelope.requestID)
            } catch let error as DeviceError {
                let code: WireError.Code = error.code == .notYetImplemented ? .notYetImplemented : .unsupportedOperation
                reply(error: WireError(code, error.message), to: envelope.requestID)
            } catch {
                reply(error: WireError(.unsupportedOperation, "\(error)"), to: envelope.requestID)
            }
        case .heartbeat?:
            break
        case .disconnect(let body)?:
            logger.info("coordinator disconnected", metadata: ["reason": "\(LogSafe.text(body.reason))"])
            return true
        case .error(let body)? where WireError.Code(wire: body.code) == .refused:
            refusal = WorkerRefusal("the coordinator refused this worker: \(LogSafe.text(body.message))")
            return true
        case .error(let body)?:
            let code = WireError.Code(wire: body.code)
            if code == .unknownDevice || code == .duplicateDevice || code == .notConfigured {
                // The coordinator does not know us (it restarted) or another worker holds our device (we are
                // a standby): register again, at most once a second.
                if clock.milliseconds() - lastRegistered >= 1000 {
                    logger.info(
                        "coordinator does not know this worker; registering again",
                        metadata: ["device": "\(configuration.deviceID)"])
                    device = nil
                    register()
                }
            } else {
                logger.warning(
                    "coordinator reported an error",
                    metadata: ["code": "\(body.code)", "message": "\(LogSafe.text(body.message))"])
            }
        default:
            reply(error: WireError(.unknownMessage, "a worker does not accept this message"), to: envelope.requestID)
        }
        return false
    }

    func reply(error: WireError, to requestID: UInt64) {
        rejections.reject(error, peer: "coordinator", logger: logger)
        send(WireProtocol.error(requestID: requestID, error))
    }
}
