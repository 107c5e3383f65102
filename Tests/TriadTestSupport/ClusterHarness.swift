public import Foundation
public import Logging
public import TriadCore
public import TriadDevices

/// What the cluster tests share: two devices, a quiet logger, a thread to run socket loops on, and sample
/// operations of one GPT3-7B layer.
public enum ClusterHarness {
    public static let logger: Logger = {
        var logger = Logger(label: "triad.test")
        logger.logLevel = .critical
        return logger
    }()

    public static let devices = [
        DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
        DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
    ]

    /// Runs `body` on a dedicated thread (never on the test's task pool) and returns its result.
    public static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }.start()
        }
    }

    public static let sampleOperations: [TriadCore.Operation] = {
        let shard = ModelShard(ModelPresets.named("gpt3-7b")!)
        let layer = LayerTemplate(shard: shard, rows: 256)
        return layer.beforeAttention + layer.afterAttention
    }()

    public static let sampleAttention: [TriadCore.Operation] = {
        let shard = ModelShard(ModelPresets.named("gpt3-7b")!)
        return [300, 1024, 2048].flatMap {
            let ops = LayerTemplate.attention(shard: shard, sequenceLength: $0)
            return [ops.logits, ops.attend]
        }
    }()
}

/// Hands a thread-confined object to the one thread that uses it.
public final class Box<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
