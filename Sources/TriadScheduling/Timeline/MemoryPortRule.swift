/// Whether the NPU's traffic to the shared memory may overlap PIM computation in that memory.
public enum MemoryPortRule: Sendable, Hashable {
    /// Single row buffer: while PIM computes, ordinary reads and writes wait, and PIM waits for them.
    case blockedDuringPIM
    /// Dual row buffers (or no PIM): ordinary traffic proceeds during PIM computation.
    case independent
}
