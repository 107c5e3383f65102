import Testing
import TriadCore
import TriadScheduling
@testable import TriadCluster

/// What the cluster asks ahead of the simulator: the next window after each run of attention lengths asked, nearest
/// first, then the lengths between those asked; never a length twice.
struct AttentionLookaheadTests {
    static func logits(_ length: Int) -> Operation {
        Operation(
            kind: .attentionLogits, rows: 1, inner: 4096, sequenceLength: length, heads: 32, keyValueHeads: 32,
            headDimension: 128)
    }

    static func softmax(_ length: Int) -> Operation { Operation(kind: .softmax, rows: 32, inner: length) }

    static func lengths(_ operations: [Operation]) -> [Int32] {
        operations.map { $0.kind == .softmax ? $0.inner : $0.sequenceLength }
    }

    @Test func aWindowAskedBringsTheNextAndTheGapsBetween() {
        var lookahead = AttentionLookahead()
        let asked = (100...131).map(Self.logits) + (200...231).map(Self.logits)
        let plan = lookahead.plan(after: [CostRequest(deviceID: "pim0", iteration: 0, operations: asked)])
        #expect(plan.count == 1 && plan[0].deviceID == "pim0")
        let soon = Self.lengths(plan[0].soon)
        #expect(Set(soon) == Set(Array(132...163) + Array(232...263)))
        #expect(Array(soon.prefix(2)) == [132, 232])  // nearest first
        #expect(Self.lengths(plan[0].later) == Array(1...99) + Array(164...199))
        // Asked again: nothing new.
        let again = lookahead.plan(after: [CostRequest(deviceID: "pim0", iteration: 1, operations: asked)])
        #expect(again.allSatisfy { $0.soon.isEmpty && $0.later.isEmpty })
    }

    @Test func familiesAreKeptApartAndOtherOperationsIgnored() {
        var lookahead = AttentionLookahead()
        let matrix = Operation(kind: .feedForwardUp, rows: 64, inner: 4096, columns: 11008)
        let plan = lookahead.plan(after: [
            CostRequest(deviceID: "pim0", iteration: 0, operations: [Self.logits(10), matrix]),
            CostRequest(deviceID: "npu0", iteration: 0, operations: [Self.softmax(10)]),
        ])
        #expect(Set(plan.map(\.deviceID)) == ["pim0", "npu0"])
        for entry in plan {
            #expect(Self.lengths(entry.soon) == Array(11...42))
            #expect(entry.soon.allSatisfy { $0.kind == (entry.deviceID == "npu0" ? .softmax : .attentionLogits) })
        }
        #expect(AttentionLookahead.family(of: matrix, on: "npu0") == nil)
    }

    @Test func batchSizesEitherSideOfThoseAskedFollow() {
        var lookahead = BatchRowsLookahead()
        let layer = (40...56).map { Operation(kind: .feedForwardUp, rows: $0, inner: 4096, columns: 11008) }
        let plan = lookahead.plan(after: [CostRequest(deviceID: "npu0", iteration: 0, operations: layer)])
        let rows = plan.first?.operations.map(\.rows) ?? []
        #expect(Set(rows) == Set(Array(23...39) + Array(57...73)))
        #expect(Set(rows.prefix(2)) == [39, 57])  // nearest first
        #expect(plan.first?.operations.allSatisfy { $0.kind == .feedForwardUp && $0.inner == 4096 } == true)
        let small = lookahead.plan(after: [
            CostRequest(deviceID: "npu0", iteration: 1, operations: [Operation(kind: .norm, rows: 3, inner: 4096)])
        ])
        #expect(small.first?.operations.map(\.rows).min() == 1)  // never below one row
        #expect(BatchRowsLookahead.family(of: Self.logits(5), on: "pim0") == nil)
    }
}
