import Testing
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTestSupport

/// Queueing against the M/D/1 closed form (docs/MODEL.md §9). Integration tier: 160,000 simulated iterations in a
/// debug build.
@Suite(.integrationTier, .tags(.integration))
struct QueueingTests {
    static func experiment(workload: RequestStream, batch: Int, iterations: Int, serving: ServingOptions) throws
        -> Experiment
    {
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
        ]
        var experiment = Experiment(
            devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]), model: ModelPresets.named("gpt3-7b")!,
            workload: workload)
        experiment.batch = batch
        experiment.iterations = iterations
        experiment.serving = serving
        return experiment
    }

    /// One slot, deterministic service (the same fixed request every time), Poisson arrivals at ρ = 0.3: the mean
    /// wait in the queue is the M/D/1 value ρ·D / (2(1 − ρ)).
    @Test func queueingMatchesMD1AtLowLoad() throws {
        var probe = ServingOptions()
        probe.arrivalRate = 1e-3
        probe.recordsRequests = true
        let alone = try QueueingTests.experiment(
            workload: .fixed(input: 64, output: 4), batch: 1, iterations: 8, serving: probe
        ).run([.npuOnly]).reports[0]
        let service = Double(alone.requestRecords[0].finished - alone.requestRecords[0].admitted) / 1e12
        let rho = 0.3
        var serving = ServingOptions()
        serving.arrivalRate = rho / service
        serving.recordsRequests = true
        let report = try QueueingTests.experiment(
            workload: .fixed(input: 64, output: 4), batch: 1, iterations: 4 * 40_000, serving: serving
        ).run([.npuOnly]).reports[0]
        let waits = report.requestRecords.map { Double($0.queueing) / 1e12 }
        let mean = waits.reduce(0, +) / Double(waits.count)
        let theory = rho * service / (2 * (1 - rho))
        #expect(report.requestRecords.count > 39_000)
        #expect(report.requestRecords.allSatisfy { Double($0.finished - $0.admitted) / 1e12 == service })
        #expect(abs(mean / theory - 1) < 0.05, "mean wait \(mean) s, M/D/1 \(theory) s")
    }
}
