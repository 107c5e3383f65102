public import TriadCore

/// Which FC operation classes of a plan run on the PIM as GEMVs, and up to how many rows (the requests of the
/// (sub-)batch): AttAcc's and PAPI's FC-on-PIM choice, per class (docs/MODEL.md §2.9, §11). A class runs on PIM
/// when its operation has at most its limit's rows; above it, on the plan's host device. Written `fc` (every class,
/// any rows), `fc:8` (every class up to 8 rows) or per class, `fc:qkv=8,proj=8,ffn-up=4,ffn-down=4,lm-head=2`.
public struct MatrixOffload: Sendable, Hashable {
    /// The FC classes a PIM can run, in the layer's order.
    public static let classes: [Operation.Kind] = [
        .qkvProjection, .outputProjection, .feedForwardUp, .feedForwardDown, .lmHead,
    ]
    /// The largest limit one can write; `fc` alone means every row count.
    public static let limitRange: ClosedRange<Int> = 1...(1 << 20)

    /// The row limit of each class of `classes`, 0 where the class stays on the host.
    public private(set) var rowLimits: [Int]

    /// Nothing on PIM.
    public static let none = MatrixOffload(rowLimits: Array(repeating: 0, count: classes.count))

    /// Every class on PIM up to `rows` rows.
    public static func every(upTo rows: Int = Int(Int32.max)) -> MatrixOffload {
        MatrixOffload(rowLimits: Array(repeating: rows, count: classes.count))
    }

    public init(rowLimits: [Int]) {
        precondition(rowLimits.count == Self.classes.count)
        self.rowLimits = rowLimits.map { max(0, $0) }
    }

    /// Whether nothing runs on PIM.
    public var isEmpty: Bool { rowLimits.allSatisfy { $0 == 0 } }

    /// The position of `kind` in `classes`, if it is one.
    static func classIndex(_ kind: Operation.Kind) -> Int? {
        switch kind {
        case .qkvProjection: return 0
        case .outputProjection: return 1
        case .feedForwardUp: return 2
        case .feedForwardDown: return 3
        case .lmHead: return 4
        default: return nil
        }
    }

    /// Whether `operation` runs on the PIM under this offload.
    public func runsOnPIM(_ operation: Operation) -> Bool {
        guard !operation.isTernary, let index = Self.classIndex(operation.kind) else { return false }
        return Int(operation.rows) <= rowLimits[index]
    }

    /// How users write it (empty when nothing runs on PIM).
    public var label: String {
        guard !isEmpty else { return "" }
        if Set(rowLimits).count == 1 {
            let rows = rowLimits[0]
            return rows >= Int(Int32.max) ? "fc" : "fc:\(rows)"
        }
        let parts = zip(Self.classes, rowLimits).filter { $0.1 > 0 }.map { kind, rows in
            kind.label + "=" + (rows >= Int(Int32.max) ? "any" : "\(rows)")
        }
        return "fc:" + parts.joined(separator: ",")
    }

    /// Parses `fc`, `fc:N` or `fc:class=N,…` (class labels as `label` writes them, `any` for every row count).
    public init?(label: String) {
        guard label == "fc" || label.hasPrefix("fc:") else { return nil }
        if label == "fc" {
            self = .every()
            return
        }
        let body = label.dropFirst(3)
        if let rows = Int(body) {
            guard Self.limitRange.contains(rows) else { return nil }
            self = .every(upTo: rows)
            return
        }
        var limits = Array(repeating: 0, count: Self.classes.count)
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2, let index = Self.classes.firstIndex(where: { $0.label == pair[0] }),
                limits[index] == 0
            else { return nil }
            if pair[1] == "any" {
                limits[index] = Int(Int32.max)
            } else {
                guard let rows = Int(pair[1]), Self.limitRange.contains(rows) else { return nil }
                limits[index] = rows
            }
        }
        self.init(rowLimits: limits)
    }
}
