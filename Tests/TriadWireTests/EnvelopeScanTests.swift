import Foundation
import Testing
import TriadWire

/// `EnvelopeScan` reads an envelope's top-level fields as the full decoder does, and a request id appended to a
/// shared encoding (the coordinator's one encoding for all mirrors) decodes as that request's id.
struct EnvelopeScanTests {
    static func result(_ cycles: [Int64]) -> Triad_V1_EvaluateResult {
        var result = Triad_V1_EvaluateResult()
        result.costs = cycles.map {
            var cost = Triad_V1_OperationCost()
            cost.cycles = $0
            cost.durationPs = $0 * 1000
            return cost
        }
        return result
    }

    @Test(arguments: [UInt64(1), 127, 128, 300, 1 << 40, UInt64.max])
    func scanFindsTheRequestIDAndTheResultBytes(requestID: UInt64) throws {
        let result = Self.result([1, 2, 3])
        let bytes = WireProtocol.encode(WireProtocol.envelope(requestID: requestID, .result(result)))
        let scan = try #require(EnvelopeScan(bytes))
        #expect(scan.requestID == requestID)
        #expect(scan.protocolVersion == UInt64(WireProtocol.version))
        #expect(scan.bodyField == EnvelopeScan.resultField)
        #expect(bytes.subdata(in: scan.body) == (try result.serializedData()))
    }

    @Test(arguments: [UInt64(1), 300, UInt64.max])
    func anAppendedRequestIDIsTheEnvelopes(requestID: UInt64) throws {
        var shared = WireProtocol.encode(WireProtocol.envelope(requestID: 0, .result(Self.result([7]))))
        shared.append(EnvelopeScan.varintField(2, requestID))
        let decoded = try WireProtocol.decode(shared)
        #expect(decoded.requestID == requestID)
        #expect(EnvelopeScan(shared)?.requestID == requestID)
    }

    @Test func truncatedOrMalformedBytesAreLeftToTheDecoder() throws {
        let bytes = WireProtocol.encode(WireProtocol.envelope(requestID: 5, .result(Self.result([1, 2]))))
        for cut in 1..<bytes.count {
            // Cut inside a field: the scan refuses rather than reading past the end.
            let prefix = bytes.prefix(cut)
            if let scan = EnvelopeScan(Data(prefix)) { #expect(scan.body.upperBound <= cut) }
        }
        #expect(EnvelopeScan(Data([0x0B])) == nil)  // wire type 3 (a group): not an envelope
        #expect(EnvelopeScan(Data([0x10, 0xFF])) == nil)  // a truncated varint
    }
}
