public import TriadScheduling
import TriadCore

/// One simulated point of a reproduction sweep.
public struct ReproductionPoint: Sendable {
    public var model: String
    public var dataset: String
    public var batch: Int
    public var system: String
    public var report: RunReport

    public init(model: String, dataset: String, batch: Int, system: String, report: RunReport) {
        self.model = model
        self.dataset = dataset
        self.batch = batch
        self.system = system
        self.report = report
    }

    /// Utilization of device `id` as the NeuPIMs paper measures it (pipeline busy, channels' mean PIM busy).
    public func paperUtilization(_ id: String) -> Double {
        report.paperUtilization.first { $0.id == id }?.value ?? 0
    }

    public func utilization(_ id: String) -> Double {
        report.deviceUtilization.first { $0.id == id }?.value ?? 0
    }

    /// CSV header matching `csvRow`.
    public static let csvHeader =
        "experiment,model,dataset,batch,system,tokens_per_second,tpot_mean_ms,tpot_p99_ms,energy_per_token_j,npu_utilization,pim_utilization,interleaved_fraction"

    public func csvRow(experiment: String) -> String {
        [
            experiment, model, dataset, String(batch), system, String(report.tokensPerSecond),
            String(report.interTokenLatencyMeanMilliseconds), String(report.interTokenLatencyP99Milliseconds),
            String(report.energyPerTokenJoules), String(utilization("npu0")), String(utilization("pim0")),
            String(report.interleavedFraction),
        ].csvLine
    }
}

extension [String] {
    /// The fields as one CSV line (quoted where they need it).
    var csvLine: String { CSV.line(self) }
}
