import TriadCore
import Logging
import TriadWire

/// Counts rejected input by code and logs the first rejection of each (peer, code) pair once.
struct RejectionCounter {
    private(set) var counts: [WireError.Code: Int] = [:]
    private var logged: Set<String> = []

    mutating func reject(_ error: WireError, peer: String, logger: Logger) {
        counts[error.code, default: 0] += 1
        let key = "\(peer)|\(error.code.rawValue)"
        if !logged.contains(key) {
            logged.insert(key)
            logger.warning(
                "rejected input",
                metadata: [
                    "peer": "\(LogSafe.text(peer, limit: 80))", "code": "\(error.code.rawValue)",
                    "reason": "\(LogSafe.text(error.message))",
                ])
        }
    }

    var total: Int { counts.values.reduce(0, +) }

    /// `code=count` pairs in a stable order, for logs and tests.
    var summary: String {
        let pairs = WireError.Code.allCases.compactMap { code in counts[code].map { "\(code.rawValue)=\($0)" } }
        return pairs.isEmpty ? "none" : pairs.joined(separator: " ")
    }
}
