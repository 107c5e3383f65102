import Foundation
import TriadTestSupport
import Testing

/// `triad sweep` with bad specs: one located line, exit 2.
struct SweepProcessTests {
    static let spec = SweepFixtures.spec

    static func directory(_ name: String) -> URL { SweepFixtures.directory(name) }

    @Test func badSpecValuesPointAtTheirLine() throws {
        let root = Self.directory("bad")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let cases = [
            (Self.spec.replacingOccurrences(of: "gpt3-13b]", with: "gpt5]"), ":3:19: "),
            (Self.spec.replacingOccurrences(of: "neupims]", with: "fastest]"), ":6:31: "),
            (Self.spec + "\nparameters: {pim0.chanels: [16]}\n", ":9:29: "),
        ]
        for (index, (text, location)) in cases.enumerated() {
            let file = root.appendingPathComponent("spec\(index).yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try TriadProcess.run([
                "sweep", file.path, "--out", root.appendingPathComponent("o\(index)").path,
            ])
            #expect(outcome.status == 2, "\(outcome.error)")
            #expect(outcome.error.hasPrefix(file.path + location), "\(outcome.error)")
            #expect(outcome.error.split(separator: "\n").count == 1)
        }
    }
}
