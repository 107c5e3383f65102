public import Foundation

/// The sweep spec the sweep tests share: 48 points × 3 seeds = 144 runs on the bundled NeuPIMs topology.
public enum SweepFixtures {
    public static let spec = """
        name: resume-check
        topologies: [\(TriadPaths.packageRoot.path)/Topologies/neupims.yaml]
        models: [gpt3-7b, gpt3-13b]
        workloads: [sharegpt, alpaca]
        batches: [32, 64, 128, 256]
        policies: [npu-only, npu+pim, neupims]
        seeds: [1, 2, 3]
        iterations: 400
        """

    /// A fresh path for a sweep test's files (the caller creates and removes it).
    public static func directory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("triad-sweep-\(getpid())-\(name)")
    }
}
