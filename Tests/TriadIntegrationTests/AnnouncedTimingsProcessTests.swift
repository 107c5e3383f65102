import Foundation
import Testing
import TriadTestSupport
import TriadTransport
import TriadWire

/// Both workers — `triad worker` and the C SDK's `fpga-worker` — follow the timings a coordinator announces in
/// RegisterAck instead of their built-in defaults. A fake coordinator announces a heartbeat of 1 s and a worker
/// liveness of 3 s (defaults: 250 ms and 2 s), then stays silent: the worker must not register again before 3 s
/// and must send at most one heartbeat per second meanwhile. Only lower bounds on time are asserted (a loaded
/// machine can only make a worker later), so the test holds on a busy machine.
@Suite(.serialized, .integrationTier, .tags(.integration, .process))
struct AnnouncedTimingsProcessTests {
    static let announced = SessionTimings(
        heartbeatMilliseconds: 1_000, coordinatorLivenessMilliseconds: 2_500, workerLivenessMilliseconds: 3_000)

    @Test(arguments: ["swift", "c"])
    func workersFollowTheAnnouncedTimings(worker kind: String) throws {
        if kind == "c" { try #require(TestTier.hasCWorker, "the C SDK is not built: bash scripts/build-sdk") }
        #expect(Self.announced.heartbeatMilliseconds != SessionTimings.defaults.heartbeatMilliseconds)
        #expect(Self.announced.workerLivenessMilliseconds > SessionTimings.defaults.workerLivenessMilliseconds)
        let context = ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket(context: context, kind: .router)
        defer { router.close(lingerMilliseconds: 0) }
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let device = kind == "c" ? "fpga0" : "npu0"
        let program =
            kind == "c"
            ? TriadPaths.packageRoot.appendingPathComponent("sdk/c/build/fpga-worker") : TriadPaths.executable
        let worker = try TriadProcess(
            ["worker", "--connect", endpoint, "--device", device, "--once", "--log-level", "critical"], program: program
        )
        defer {
            kill(worker.pid, SIGKILL)
            _ = worker.wait()
        }
        let limits = FrameLimits(maximumFrames: 4, maximumBytes: 1 << 24)
        /// The next message from the worker (within `seconds`) with when it came.
        func next(within seconds: Double) throws -> (routing: Data, envelope: Triad_V1_Envelope, at: Date)? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if case .message(let frames, _)? = try router.receive(timeoutMilliseconds: 100, limits: limits),
                    frames.count == 2, let envelope = try? WireProtocol.decode(frames[1])
                {
                    return (frames[0], envelope, Date())
                }
            }
            return nil
        }
        let hello = try #require(try next(within: 120), "the worker did not register")
        guard case .register? = hello.envelope.body else {
            Issue.record("expected Register first, got \(String(describing: hello.envelope.body))")
            return
        }
        var ack = Triad_V1_RegisterAck()
        ack.deviceID = device
        Self.announced.announce(in: &ack)
        _ = try router.send([
            hello.routing,
            WireProtocol.encode(WireProtocol.envelope(requestID: hello.envelope.requestID, .registerAck(ack))),
        ])
        let acknowledged = Date()
        // Silent from here on: the worker heartbeats at the announced period and registers again only after the
        // announced liveness window.
        var heartbeats = 0
        while true {
            let message = try #require(try next(within: 120), "the worker never registered again")
            if case .heartbeat? = message.envelope.body {
                heartbeats += 1
                continue
            }
            guard case .register? = message.envelope.body else { continue }
            let waited = message.at.timeIntervalSince(acknowledged) * 1000
            #expect(
                waited >= Double(Self.announced.workerLivenessMilliseconds) - 50,
                "registered again after \(Int(waited)) ms")
            // At most one heartbeat per announced period (the default period would send about 12 in 3 s).
            #expect(
                Double(heartbeats) <= waited / Double(Self.announced.heartbeatMilliseconds) + 1,
                "\(heartbeats) heartbeats in \(Int(waited)) ms")
            print(
                "\(kind) worker: registered again after \(Int(waited)) ms with \(heartbeats) heartbeats (announced: 3,000 ms, 1 per 1,000 ms)"
            )
            break
        }
    }
}
