public import Foundation
import TriadCore
import TriadScheduling

/// The journal of a sweep (JSON Lines): a header naming the sweep and the hash of its runs, then one line per
/// finished run in the order runs finished. A sweep killed at any moment leaves at most a partial last line,
/// which reading drops; `--resume` keeps every complete line and recomputes only the runs missing.
public enum SweepJournal {
    /// The header line for a sweep called `name` with `runs`.
    public static func header(name: String, runs: [SweepRun]) -> String {
        JSON.object([
            "triad_version": .string(TriadVersion.current), "sweep": .string(name),
            "runs": .integer(Int64(runs.count)), "runs_hash": .string(hash(runs)),
        ]).rendered
    }

    /// FNV-1a (64-bit) of every run key, as 16 hex digits: the same grid gives the same hash.
    public static func hash(_ runs: [SweepRun]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for run in runs {
            for byte in run.key.utf8 + [0] {
                value ^= UInt64(byte)
                value = value &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// What a journal holds: its header's runs hash, the complete lines' results, and how many bytes of the
    /// file those lines (and the header) take, so an appending sweep can cut a partial last line first.
    public struct Contents: Sendable {
        public var runsHash: String
        public var results: [String: RunMetrics]
        public var completeBytes: Int
    }

    /// Why a journal cannot be resumed.
    public struct Problem: Error, Sendable {
        public let message: String
    }

    /// Reads `data`; lines after the header that are not complete JSON results (a line cut by a kill) end the
    /// journal there.
    public static func read(_ data: Data) throws -> Contents {
        var offset = 0
        var contents = Contents(runsHash: "", results: [:], completeBytes: 0)
        var first = true
        while offset < data.count {
            guard let newline = data[offset...].firstIndex(of: 0x0A) else { break }
            let line = data[offset..<newline]
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { break }
            if first {
                guard let hash = object["runs_hash"] as? String else {
                    throw Problem(message: "the journal's first line is not a sweep journal header")
                }
                contents.runsHash = hash
                first = false
            } else {
                guard let metrics = metrics(object) else { break }
                contents.results[metrics.key] = metrics
            }
            offset = newline + 1
            contents.completeBytes = offset
        }
        if first { throw Problem(message: "the journal has no header line") }
        return contents
    }

    private static func metrics(_ object: [String: Any]) -> RunMetrics? {
        guard let key = object["key"] as? String else { return nil }
        if let error = object["error"] as? String { return RunMetrics(key: key, error: error) }
        func number(_ name: String) -> Double? { (object[name] as? NSNumber)?.doubleValue }
        func numbers(_ name: String) -> [Double]? { (object[name] as? [NSNumber])?.map(\.doubleValue) }
        guard let devices = object["devices"] as? [String], let utilization = numbers("utilization"),
            let byDevice = numbers("energy_by_device"), utilization.count == devices.count,
            byDevice.count == devices.count
        else { return nil }
        var metrics = RunMetrics(key: key)
        for metric in SweepMetric.journaled {
            guard let value = number(metric.journalKey!) else { return nil }
            metrics[metric.journalKey!] = value
        }
        metrics.split = object["split"] as? String ?? ""
        metrics.plan = object["plan"] as? String ?? ""
        metrics.utilization = zip(devices, utilization).map { DeviceFigure(id: $0, value: $1) }
        metrics.energy = zip(devices, byDevice).map { DeviceFigure(id: $0, value: $1) }
        if let block = object["serving"] as? [String: Any] {
            func value(_ name: String) -> Double? { (block[name] as? NSNumber)?.doubleValue }
            guard let ttft50 = value("ttft_p50_ms"), let ttft99 = value("ttft_p99_ms"),
                let tpot99 = value("tpot_p99_ms"),
                let e2e99 = value("e2e_p99_ms"), let attainment = value("slo_attainment"),
                let goodput = value("goodput"),
                let ttft = (block["ttft_quantiles_ms"] as? [NSNumber])?.map(\.doubleValue),
                let e2e = (block["e2e_quantiles_ms"] as? [NSNumber])?.map(\.doubleValue)
            else { return nil }
            var serving = RunMetrics.Serving()
            serving.ttftP50 = ttft50
            serving.ttftP99 = ttft99
            serving.tpotP99 = tpot99
            serving.e2eP99 = e2e99
            serving.sloAttainment = attainment
            serving.goodput = goodput
            serving.ttftQuantiles = ttft
            serving.e2eQuantiles = e2e
            metrics.serving = serving
        }
        return metrics
    }
}
