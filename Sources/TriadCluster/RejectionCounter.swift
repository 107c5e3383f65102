import TriadCore
import Logging
import TriadWire

/// Counts rejected input by code and logs the first rejection of each (peer, code) pair once.
struct RejectionCounter {
    private(set) var counts: [WireError.Code: Int] = [:]
    private var logged: Set<String> = []

    /// Counts `error` from `peer`; true when it is the first of its (peer, code) pair, to be logged.
    mutating func count(_ error: WireError, peer: String) -> Bool {
        counts[error.code, default: 0] += 1
        return logged.insert("\(peer)|\(error.code.rawValue)").inserted
    }

    /// Counts `error` from `peer` and logs it if it is the first of its kind.
    mutating func reject(_ error: WireError, peer: String, logger: Logger) {
        if count(error, peer: peer) { logger.warning("rejected input", metadata: Self.metadata(error, peer: peer)) }
    }

    /// What a log line says about a rejection.
    static func metadata(_ error: WireError, peer: String) -> Logger.Metadata {
        [
            "peer": "\(LogSafe.text(peer, limit: 80))", "code": "\(error.code.rawValue)",
            "reason": "\(LogSafe.text(error.message))",
        ]
    }

    var total: Int { counts.values.reduce(0, +) }

    /// `code=count` pairs in a stable order, for logs and tests.
    var summary: String {
        let pairs = WireError.Code.allCases.compactMap { code in counts[code].map { "\(code.rawValue)=\($0)" } }
        return pairs.isEmpty ? "none" : pairs.joined(separator: " ")
    }
}
