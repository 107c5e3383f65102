import Foundation
import Testing
import TriadWire

/// The protocol's timings and limits are defined once, in Proto/triad.proto, and both implementations take them
/// from code generated from it: the Swift `ProtocolDefaults` enum and the C SDK's generated header. Changing a
/// value in the .proto (and regenerating) changes both; a hand-copied constant would drift and fail here.
struct ProtocolDefaultsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `NAME = value` pairs of `enum ProtocolDefaults` in the .proto.
    static func protoValues() throws -> [String: Int] {
        let text = try String(contentsOf: root.appendingPathComponent("Proto/triad.proto"), encoding: .utf8)
        let body = try #require(text.range(of: "enum ProtocolDefaults {").map { text[$0.upperBound...] })
        var values: [String: Int] = [:]
        for line in body.prefix { $0 != "}" }.split(separator: "\n") {
            let parts = line.split(separator: "=").map {
                $0.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: ";")))
            }
            if parts.count == 2, parts[0].hasPrefix("PROTOCOL_DEFAULTS_"), let value = Int(parts[1]) {
                values[String(parts[0].dropFirst("PROTOCOL_DEFAULTS_".count))] = value
            }
        }
        return values
    }

    @Test func swiftTakesEveryDefaultFromTheProto() throws {
        let proto = try Self.protoValues()
        #expect(proto.count == 7)
        #expect(SessionTimings.defaults.heartbeatMilliseconds == Int64(proto["HEARTBEAT_MS"] ?? -1))
        #expect(
            SessionTimings.defaults.coordinatorLivenessMilliseconds == Int64(proto["COORDINATOR_LIVENESS_MS"] ?? -1))
        #expect(SessionTimings.defaults.workerLivenessMilliseconds == Int64(proto["WORKER_LIVENESS_MS"] ?? -1))
        #expect(SessionTimings.droppedConnectionGraceMilliseconds == Int64(proto["DROPPED_CONNECTION_GRACE_MS"] ?? -1))
        #expect(SessionTimings.registerIntervalMilliseconds == Int64(proto["REGISTER_INTERVAL_MS"] ?? -1))
        #expect(WireProtocol.maximumMessageBytes == proto["MAXIMUM_MESSAGE_BYTES"])
        #expect(SessionTimings.defaults.isValid)
    }

    @Test func theCSDKsGeneratedHeaderHasTheSameDefaults() throws {
        let proto = try Self.protoValues()
        let header = try String(
            contentsOf: Self.root.appendingPathComponent("sdk/c/generated/triad.pb-c.h"), encoding: .utf8)
        for (name, value) in proto {
            #expect(header.contains("TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_\(name) = \(value)"), "\(name)")
        }
        #expect(header.contains("TRIAD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT = \(WireProtocol.version)"))
    }

    /// Neither implementation copies a timing by hand: the C sources name the generated constants.
    @Test func theCWorkerNamesTheGeneratedConstants() throws {
        let internalHeader = try String(
            contentsOf: Self.root.appendingPathComponent("sdk/c/src/worker_internal.h"), encoding: .utf8)
        for name in [
            "HEARTBEAT_MS", "WORKER_LIVENESS_MS", "DROPPED_CONNECTION_GRACE_MS", "REGISTER_INTERVAL_MS",
            "MAXIMUM_MESSAGE_BYTES",
        ] {
            #expect(internalHeader.contains("PROTOCOL_DEFAULTS_\(name)"), "\(name)")
        }
    }
}
