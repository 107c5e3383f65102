public import TriadCore
import Foundation

/// Reads a decode batch in the NeuPIMs simulator's request-trace format: a `seq_len,ch_idx` header, then
/// one line per request with its KV length (tokens, ≥ 1) and the PIM channel its KV cache lives in
/// (casys-kaist/NeuPIMs, `request-traces/` and `trace-generator/get_distributions.py`).
public enum NeuPIMsBatchReader {
    /// Most requests a batch file may hold (the simulator's traces hold ≤ 512).
    public static let maximumRequests = 65_536
    /// Longest KV length a line may give, tokens.
    public static let maximumSequenceLength = 1 << 20
    /// Highest channel index a line may give (the topology's channel count is checked later).
    public static let maximumChannel = 4_095

    /// Parses `text`; `file` names it in errors (`file:line: …`).
    public static func parse(_ text: String, file: String) throws -> [BatchEntry] {
        var entries: [BatchEntry] = []
        var sawHeader = false
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let raw = CSV.fields(Substring(line)) else {
                throw DatasetError("\(file):\(index + 1): unclosed quote")
            }
            let fields = raw.map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawHeader {
                guard fields == ["seq_len", "ch_idx"] else {
                    throw DatasetError("\(file):\(index + 1): expected the header 'seq_len,ch_idx'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 2, let length = Int(fields[0]), let channel = Int(fields[1]) else {
                throw DatasetError("\(file):\(index + 1): expected two integers 'seq_len,ch_idx'")
            }
            guard (1...maximumSequenceLength).contains(length) else {
                throw DatasetError("\(file):\(index + 1): seq_len \(length) is outside 1…\(maximumSequenceLength)")
            }
            guard (0...maximumChannel).contains(channel) else {
                throw DatasetError("\(file):\(index + 1): ch_idx \(channel) is outside 0…\(maximumChannel)")
            }
            guard entries.count < maximumRequests else {
                throw DatasetError("\(file):\(index + 1): more than \(maximumRequests) requests")
            }
            entries.append(BatchEntry(sequenceLength: length, channel: channel))
        }
        guard !entries.isEmpty else { throw DatasetError("\(file): the batch has no requests") }
        return entries
    }
}
