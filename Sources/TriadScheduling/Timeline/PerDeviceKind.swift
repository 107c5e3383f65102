public import TriadDevices

/// One value per device kind (`DeviceKind.index`), stored inline: totals the timeline keeps per resource without a heap
/// allocation (the simulator's inner loop composes thousands of timelines a second).
public struct PerDeviceKind<Element>: RandomAccessCollection, MutableCollection {
    // Indexed 0…3 by `DeviceKind.index`.
    private var slot0: Element
    private var slot1: Element
    private var slot2: Element
    private var slot3: Element

    /// Every kind at `value`.
    public init(repeating value: Element) { (slot0, slot1, slot2, slot3) = (value, value, value, value) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { 4 }

    public subscript(index: Int) -> Element {
        get {
            switch index {
            case 0: return slot0
            case 1: return slot1
            case 2: return slot2
            case 3: return slot3
            default: preconditionFailure("no device kind has index \(index)")
            }
        }
        set {
            switch index {
            case 0: slot0 = newValue
            case 1: slot1 = newValue
            case 2: slot2 = newValue
            case 3: slot3 = newValue
            default: preconditionFailure("no device kind has index \(index)")
            }
        }
    }
}

extension PerDeviceKind: Sendable where Element: Sendable {}
extension PerDeviceKind: Equatable where Element: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.elementsEqual(rhs) }
}
