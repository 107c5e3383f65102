import TriadCore
import TriadScheduling

/// Which attention shapes the cluster asks for before the simulator needs them. A request's attention grows by one
/// token per iteration, and the simulator asks for a window of lengths at a time (the lengths it lacks, with a
/// look-ahead); when it asks for lengths a…b of an attention operation, it will ask for b+1… a few dozen iterations
/// later. So each window asked brings the next one, asked of the first group's worker at once and not awaited:
/// the worker computes it while the simulator goes on, and the simulator finds it answered. Costs are deterministic
/// functions of the shape, so an answer asked early is the answer; a shape asked for nothing costs a worker a few
/// microseconds. Pure: no sockets here.
struct AttentionLookahead {
    /// Attention operations that differ only in their length, on one device.
    struct Family: Hashable {
        var deviceID: String
        /// The operation with its length field zeroed.
        var template: Operation
    }

    /// Lengths asked ahead past a window's end, per family (the simulator's own look-ahead window is 32).
    static let window: Int32 = 32
    /// Most operations asked ahead per call.
    static let limit = 8192

    /// Lengths already asked of each family (by the simulator or ahead).
    private var asked: [Family: Set<Int32>] = [:]
    /// Per family, the length up to which every length has been asked (by the simulator or ahead).
    private var filled: [Family: Int32] = [:]

    /// The family of `operation` on `deviceID` and its length, if it is an attention operation: the length is
    /// `sequenceLength` for the logits and attend GEMVs and `inner` (the row being normalised) for a softmax.
    static func family(of operation: Operation, on deviceID: String) -> (family: Family, length: Int32)? {
        var template = operation
        let length: Int32
        switch operation.kind {
        case .attentionLogits, .attentionAttend:
            length = operation.sequenceLength
            template.sequenceLength = 0
        case .softmax:
            length = operation.inner
            template.inner = 0
        default:
            return nil
        }
        return (Family(deviceID: deviceID, template: template), length)
    }

    /// The member of `family` of `length`.
    static func member(of family: Family, length: Int32) -> Operation {
        var operation = family.template
        if operation.kind == .softmax { operation.inner = length } else { operation.sequenceLength = length }
        return operation
    }

    /// Records what `requests` asked and returns what to ask ahead, per device: `soon`, for each run a…b of
    /// consecutive lengths asked of a family, the lengths b+1…b+`window` not asked yet, nearest first; `later`, the
    /// lengths not asked yet from 1 to the longest asked of the family so far (where new requests' lengths fall),
    /// shortest first — for the caller to send a chunk at a time.
    mutating func plan(after requests: [CostRequest]) -> [(deviceID: String, soon: [Operation], later: [Operation])] {
        // One hash per operation: families numbered in order of appearance.
        var index: [Family: Int] = [:]
        var order: [Family] = []
        var touchedLengths: [[Int32]] = []
        for request in requests {
            for operation in request.operations {
                guard let (family, length) = Self.family(of: operation, on: request.deviceID) else { continue }
                if let position = index[family] {
                    touchedLengths[position].append(length)
                } else {
                    index[family] = order.count
                    order.append(family)
                    touchedLengths.append([length])
                }
            }
        }
        var soon: [(deviceID: String, distance: Int32, length: Int32, operation: Operation)] = []
        var later: [String: [Operation]] = [:]
        for (position, family) in order.enumerated() {
            let lengths = Set(touchedLengths[position]).sorted()
            // Taken out while it grows, so that it is not copied.
            var known = asked.removeValue(forKey: family) ?? []
            known.formUnion(lengths)
            for (index, length) in lengths.enumerated() where index + 1 == lengths.count || lengths[index + 1] != length + 1 {
                // `length` ends a run: ask the next window.
                guard length < Int32.max - Self.window else { continue }
                for next in (length + 1)...(length + Self.window) where known.insert(next).inserted {
                    soon.append((family.deviceID, next - length, next, Self.member(of: family, length: next)))
                }
            }
            // From length 1 (a new request's attention starts at its prompt's length, shorter than any asked yet) to
            // the longest asked, each length once.
            let low = (filled[family] ?? 0) + 1
            let high = lengths[lengths.count - 1]
            if low <= high && high - low < Self.limit {
                for length in low...high where known.insert(length).inserted {
                    later[family.deviceID, default: []].append(Self.member(of: family, length: length))
                }
                filled[family] = high
            }
            asked[family] = known
        }
        soon.sort { ($0.distance, $0.length) < ($1.distance, $1.length) }
        var byDevice: [String: [Operation]] = [:]
        var devices: [String] = []
        for entry in soon.prefix(Self.limit) {
            if byDevice[entry.deviceID] == nil { devices.append(entry.deviceID) }
            byDevice[entry.deviceID, default: []].append(entry.operation)
        }
        for device in later.keys.sorted() where byDevice[device] == nil { devices.append(device) }
        return devices.map { ($0, byDevice[$0] ?? [], later[$0] ?? []) }
    }
}
