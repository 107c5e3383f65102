import TriadCore
import TriadScheduling

/// Which layer shapes the cluster asks for before the simulator needs them. The simulator costs a layer's operations
/// for a window of batch sizes around one it lacks (rows ± 8); the batch drifts by a few requests per iteration, so
/// after it asks sizes a…b the sizes just outside are the likeliest next: the window either side, a−17…a−1 and
/// b+1…b+17, goes to the worker at once and is not awaited. Pure: no sockets here.
struct BatchRowsLookahead {
    /// Layer operations that differ only in their rows (the batch size), on one device.
    struct Family: Hashable {
        var deviceID: String
        /// The operation with `rows` zeroed.
        var template: Operation
    }

    /// Sizes asked ahead on either side of a run of sizes asked (the simulator's own window is 17).
    static let window: Int32 = 17

    private var asked: [Family: Set<Int32>] = [:]

    /// The family of `operation` on `deviceID` and its rows, for the operations of a layer costed per batch size
    /// (attention, whose shapes follow the sequence length, is `AttentionLookahead`'s).
    static func family(of operation: Operation, on deviceID: String) -> (family: Family, rows: Int32)? {
        switch operation.kind {
        case .attentionLogits, .attentionAttend, .softmax: return nil
        default:
            guard operation.rows > 0 else { return nil }
            var template = operation
            template.rows = 0
            return (Family(deviceID: deviceID, template: template), operation.rows)
        }
    }

    /// Records what `requests` asked and returns the sizes to ask ahead, per device: for each run a…b of sizes asked
    /// of a family, the sizes within `window` of it not asked yet (at least 1), nearest first.
    mutating func plan(after requests: [CostRequest]) -> [(deviceID: String, operations: [Operation])] {
        // One hash per operation: families numbered in order of appearance.
        var index: [Family: Int] = [:]
        var order: [Family] = []
        var touchedRows: [[Int32]] = []
        for request in requests {
            for operation in request.operations {
                guard let (family, rows) = Self.family(of: operation, on: request.deviceID) else { continue }
                if let position = index[family] {
                    touchedRows[position].append(rows)
                } else {
                    index[family] = order.count
                    order.append(family)
                    touchedRows.append([rows])
                }
            }
        }
        var ahead: [(deviceID: String, distance: Int32, operation: Operation)] = []
        for (position, family) in order.enumerated() {
            let sizes = Set(touchedRows[position]).sorted()
            // Taken out while it grows, so that it is not copied.
            var known = asked.removeValue(forKey: family) ?? []
            known.formUnion(sizes)
            for (index, size) in sizes.enumerated() {
                let startsRun = index == 0 || sizes[index - 1] != size - 1
                let endsRun = index + 1 == sizes.count || sizes[index + 1] != size + 1
                var candidates: [(Int32, Int32)] = []
                if startsRun { candidates += (1...Self.window).map { (size - $0, $0) } }
                if endsRun && size < Int32.max - Self.window { candidates += (1...Self.window).map { (size + $0, $0) } }
                for (rows, distance) in candidates where rows >= 1 && known.insert(rows).inserted {
                    var operation = family.template
                    operation.rows = rows
                    ahead.append((family.deviceID, distance, operation))
                }
            }
            asked[family] = known
        }
        ahead.sort { $0.distance < $1.distance }
        var byDevice: [String: [Operation]] = [:]
        var devices: [String] = []
        for entry in ahead {
            if byDevice[entry.deviceID] == nil { devices.append(entry.deviceID) }
            byDevice[entry.deviceID, default: []].append(entry.operation)
        }
        return devices.map { ($0, byDevice[$0]!) }
    }
}
