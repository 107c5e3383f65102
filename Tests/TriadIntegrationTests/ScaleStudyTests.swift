import Foundation
import Testing
import TriadStudy
import TriadTestSupport

/// `triad bench --scale` runs its whole study (in-process points up to 1,024 simulated devices, and 8, 32 and 64
/// worker processes) and reports every point measured or skipped with its reason; nothing about its timings is
/// asserted (speed is measured by the bench, never by tests). Uses the optimised binary (`scripts/integration-test`
/// builds it): a debug build would take minutes on the largest points.
@Suite(.integrationTier, .tags(.integration, .process))
struct ScaleStudyTests {
    @Test func everyPointIsMeasuredOrExplained() throws {
        let binary = TriadPaths.packageRoot.appendingPathComponent(".build/release/triad")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build the optimised binary first: swift build -c release --product triad")
        let outcome = try TriadProcess.run(
            ["bench", "--scale", "--length", "0.01", "--format", "json"], program: binary)
        #expect(outcome.status == 0, "\(outcome.error.suffix(600))")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let points = try #require(document["points"] as? [[String: Any]])
        let expected =
            ScaleStudy.models.count * ScaleStudy.deviceCounts.count + 3  // and 8, 32 and 64 worker processes
        #expect(points.count == expected)
        for point in points {
            let label = "\(point["model"] ?? "?") \(point["mode"] ?? "?") \(point["devices"] ?? "?")"
            if let reason = point["skipped"] as? String {
                #expect(!reason.isEmpty, "\(label): skipped without a reason")
                // GPT3-175B fits every device count of the study (only the 1T model may not fit 8 devices); a point may
                // still go unmeasured on a machine too busy for the longer run to take longer.
                #expect(point["model"] as? String != "gpt3-175b" || reason.contains("too busy"), "\(label): \(reason)")
            } else {
                #expect((point["iterations"] as? Int ?? 0) > 0, "\(label)")
                #expect((point["seconds_per_iteration"] as? Double ?? 0) > 0, "\(label)")
            }
        }
        let growth = try #require(document["growth"] as? [[String: Any]])
        #expect(growth.count == 3)
        // Progress goes to standard error, one line per point.
        #expect(outcome.error.components(separatedBy: "bench --scale: ").count > expected)
    }
}
