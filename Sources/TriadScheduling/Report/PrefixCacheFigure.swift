/// What the prefix cache did in a run (`RunReport.prefixCache`).
public struct PrefixCacheFigure: Sendable, Hashable {
    /// Admissions that found their prefix cached, those that computed it, the prompt tokens not prefilled, and the
    /// prefixes evicted (LRU).
    public var hits: Int
    public var misses: Int
    public var tokensSaved: Int64
    public var evictions: Int

    public var hitRate: Double { hits + misses > 0 ? Double(hits) / Double(hits + misses) : 0 }
}
