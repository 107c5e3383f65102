import TriadCore

/// One operation on one device: what a cost answers (costs are deterministic functions of both).
struct CostKey: Hashable {
    var deviceID: String
    var operation: Operation
}
