import Foundation
import Testing
import TriadCore
import TriadStudy

/// Confidence intervals against a hand-computed case and a simulated coverage check with a known mean.
struct StatisticsTests {
    @Test func summaryOfOneToFive() {
        let summary = SampleSummary([1, 2, 3, 4, 5])
        #expect(summary.mean == 3)
        #expect(abs(summary.standardDeviation - 2.5.squareRoot()) < 1e-12)
        // t(0.975, 4) = 2.776; s / √n = √2.5 / √5 = 0.70711.
        #expect(abs(summary.halfWidth95 - 2.776 * 0.5.squareRoot()) < 1e-9)
        #expect(SampleSummary([7]).halfWidth95 == 0)
        #expect(SampleSummary([]).count == 0)
    }

    @Test func studentQuantilesMatchTheTable() {
        #expect(SampleSummary.studentT975(degreesOfFreedom: 1) == 12.706)
        #expect(SampleSummary.studentT975(degreesOfFreedom: 30) == 2.042)
        for (df, table) in [(40, 2.021), (60, 2.000), (120, 1.980)] {
            #expect(abs(SampleSummary.studentT975(degreesOfFreedom: df) - table) < 0.003)
        }
    }

    /// Samples of 5 from a normal distribution with mean 10: about 95 % of the intervals hold 10.
    @Test func intervalsCoverTheTrueMean() {
        var random = SplitMix64(seed: 42)
        func uniform() -> Double { (Double(random.next() >> 11) + 0.5) / Double(1 << 53) }
        func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
        let trials = 4_000
        var covered = 0
        for _ in 0..<trials {
            let summary = SampleSummary((0..<5).map { _ in 10 + 3 * normal() })
            if abs(summary.mean - 10) <= summary.halfWidth95 { covered += 1 }
        }
        let coverage = Double(covered) / Double(trials)
        #expect(coverage > 0.935 && coverage < 0.965, "coverage \(coverage)")
    }
}
