public import Foundation
public import Testing

/// The two test tiers. `swift test` runs the fast tier (unit, golden and in-process tests, a process smoke test per
/// command); the integration tier (real processes, ZeroMQ clusters, faults, the generative CLI, the C SDK) runs
/// with `bash scripts/integration-test`, which sets `TRIAD_INTEGRATION=1`.
public enum TestTier {
    /// Whether this run includes the integration tier.
    public static var runsIntegration: Bool { ProcessInfo.processInfo.environment["TRIAD_INTEGRATION"] == "1" }

    /// Whether the C worker SDK's example worker is built (`bash scripts/build-sdk`).
    public static var hasCWorker: Bool {
        FileManager.default.isExecutableFile(
            atPath: TriadPaths.packageRoot.appendingPathComponent("sdk/c/build/fpga-worker").path)
    }
}

extension Tag {
    /// Tests of the integration tier.
    @Tag public static var integration: Self
    /// Tests that start real processes.
    @Tag public static var process: Self
    /// Tests that inject faults (killed, stopped or hostile peers).
    @Tag public static var fault: Self
    /// Tests of the C worker SDK.
    @Tag public static var cSDK: Self
}

extension Trait where Self == ConditionTrait {
    /// Runs only in the integration tier.
    public static var integrationTier: Self {
        .enabled(if: TestTier.runsIntegration, "integration tier: run bash scripts/integration-test")
    }

    /// Runs only when the C SDK's fpga-worker is built.
    public static var cWorkerBuilt: Self {
        .enabled(if: TestTier.hasCWorker, "the C SDK is not built: bash scripts/build-sdk")
    }
}
