import Foundation
import Testing
import TriadScheduling
import TriadStudy

/// The journal keeps complete lines and drops a line cut by a kill; points summarise seeds and pair speed-ups.
struct JournalTests {
    static func runs() throws -> [SweepRun] {
        let text = "name: j\ntopologies: [t.yaml]\npolicies: [npu-only, neupims]\nseeds: [1, 2]\n"
        return try SweepSpecParser.parse(text, file: "j.yaml").runs
    }

    static func metrics(_ run: SweepRun, _ throughput: Double) -> RunMetrics {
        var metrics = RunMetrics(key: run.key)
        metrics.tokensPerSecond = throughput
        metrics.utilization = [DeviceFigure(id: "npu0", value: 0.5), DeviceFigure(id: "pim0", value: 0.25)]
        metrics.energy = [DeviceFigure(id: "npu0", value: 0.001), DeviceFigure(id: "pim0", value: 0.002)]
        return metrics
    }

    @Test func aCutLastLineIsDropped() throws {
        let runs = try Self.runs()
        let header = SweepJournal.header(name: "j", runs: runs)
        let lines = [header, Self.metrics(runs[0], 100).journalLine, Self.metrics(runs[1], 110).journalLine]
        let complete = lines.joined(separator: "\n") + "\n"
        let cut = complete + String(Self.metrics(runs[2], 300).journalLine.prefix(40))
        let contents = try SweepJournal.read(Data(cut.utf8))
        #expect(contents.results.count == 2)
        #expect(contents.completeBytes == complete.utf8.count)
        #expect(contents.runsHash == SweepJournal.hash(runs))
        #expect(contents.results[runs[1].key]?.tokensPerSecond == 110)
        #expect(contents.results[runs[0].key]?.utilization.map(\.id) == ["npu0", "pim0"])
        #expect(throws: SweepJournal.Problem.self) { try SweepJournal.read(Data("{\"key\":1}\n".utf8)) }
    }

    /// A serving run's figures survive the journal, and a point averages its seeds' quantiles.
    @Test func servingFiguresRoundTrip() throws {
        let runs = try Self.runs()
        var results: [String: RunMetrics] = [:]
        for (index, run) in runs.enumerated() {
            var metrics = Self.metrics(run, 100)
            var serving = RunMetrics.Serving()
            serving.ttftP99 = Double(10 + index)
            serving.sloAttainment = 0.5
            serving.goodput = 3
            serving.ttftQuantiles = (0...100).map { Double($0 + index) }
            serving.e2eQuantiles = (0...100).map { Double($0) }
            metrics.serving = serving
            let header = SweepJournal.header(name: "j", runs: runs)
            let read = try SweepJournal.read(Data((header + "\n" + metrics.journalLine + "\n").utf8))
            #expect(read.results[run.key] == metrics)
            results[run.key] = metrics
        }
        let points = SweepPoint.summarise(runs, results: results, baseline: "npu-only")
        // Seeds 1 and 2 of npu-only are runs 0 and 1: p99 TTFT 10 and 11, quantiles offset by 0 and 1.
        #expect(points[0].serving?.ttftP99.mean == 10.5)
        #expect(points[0].serving?.ttftQuantiles[0] == 0.5)
        #expect(SweepOutput.csv(points).split(separator: "\n")[1].contains(",closed,"))
    }

    @Test func pointsPairSeedsForSpeedUps() throws {
        let runs = try Self.runs()
        // npu-only seeds 1, 2: 100, 200; neupims: 150, 260 → speed-ups 1.5, 1.3.
        let values = [100.0, 200, 150, 260]
        var results: [String: RunMetrics] = [:]
        for (run, value) in zip(runs, values) { results[run.key] = Self.metrics(run, value) }
        let points = SweepPoint.summarise(runs, results: results, baseline: "npu-only")
        #expect(points.count == 2)
        #expect(points[1].throughput.mean == 205 && points[1].seeds == 2)
        #expect(abs(points[1].speedup.mean - 1.4) < 1e-12)
        #expect(abs(points[1].speedup.halfWidth95 - 12.706 * 0.1) < 1e-9)
        #expect(points[0].speedup.mean == 1)
        let csv = SweepOutput.csv(points).split(separator: "\n")
        #expect(csv.count == 3 && csv[0].hasPrefix("topology,parameters,model"))
        #expect(csv[2].contains(",neupims,2,205,"))
    }
}
