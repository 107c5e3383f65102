import Foundation
import Testing
import TriadTransport

/// The transports' framing caps and send outcomes, over ZeroMQ and in memory.
struct FramingTests {
    @Test func framingCapsApplyInMemoryToo() throws {
        let router = InMemoryRouter()
        let dealer = router.connect()
        _ = try dealer.send([Data("a".utf8), Data("b".utf8)])
        let limits = FrameLimits(maximumFrames: 2, maximumBytes: 1024)
        guard case .rejected(.tooManyFrames, _)? = try router.socket.receive(timeoutMilliseconds: 100, limits: limits)
        else {
            Issue.record("three frames (id + two) must be refused with a two-frame cap")
            return
        }
        #expect(try router.socket.send([Data("nobody".utf8), Data("x".utf8)]) == .unreachable)
    }

    @Test func zeroMQRouterRefusesMessagesOverTheCaps() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket.coordinatorRouter(
            context: context, bind: "tcp://127.0.0.1:*", maximumMessageBytes: 1 << 16, curve: nil)
        let dealer = try ZMQSocket.workerDealer(
            context: context, connect: try router.lastEndpoint(), maximumMessageBytes: 1 << 16, curve: nil)
        #expect(try dealer.send([Data("a".utf8), Data("b".utf8)]) == .sent)
        let limits = FrameLimits(maximumFrames: 2, maximumBytes: 1024)
        guard case .rejected(.tooManyFrames, _)? = try router.receive(timeoutMilliseconds: 2000, limits: limits) else {
            Issue.record("three frames (id + two) must be refused with a two-frame cap")
            return
        }
        #expect(try dealer.send([Data(repeating: 7, count: 2000)]) == .sent)
        guard case .rejected(.oversize, _)? = try router.receive(timeoutMilliseconds: 2000, limits: limits) else {
            Issue.record("a 2,000-byte frame must be refused with a 1,024-byte cap")
            return
        }
        #expect(try router.send([Data("nobody".utf8), Data("x".utf8)]) == .unreachable)
        dealer.close(lingerMilliseconds: 0)
        router.close(lingerMilliseconds: 0)
    }

    /// Z85 (ZeroMQ RFC 32) test vector: 0x86 0x4F 0xD2 0x6F 0xB5 0x59 0xF7 0x5B → "HelloWorld".
    @Test func z85EncodesTheRFCVector() {
        #expect(z85(Data([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])) == "HelloWorld")
    }
}
