public import TriadCore
import Foundation

/// Reads request traces in the formats users of vidur and LLMServingSim already have:
/// - vidur CSV: a header naming `arrived_at` (seconds), `num_prefill_tokens`, `num_decode_tokens`;
/// - LLMServingSim JSONL: one `{"input_toks":…, "output_toks":…, "arrival_time_ns":…}` per line.
/// Either may name each request's conversation (a `session_id` column or key, any label): a session's requests, in
/// arrival order, are its turns, and a turn whose prompt is at least the previous turn's prompt plus reply starts
/// with that history (its prefix, which a prefix cache can keep; docs/MODEL.md §9.9).
public enum TraceReader {
    /// Latest arrival a trace may give (about 11.6 days), so arrivals fit integer picoseconds.
    public static let maximumArrivalSeconds = 1e6
    /// Most prompt or output tokens a request may have.
    public static let maximumTokens = 1 << 20

    /// Parses `text`; `file` names it in errors. The format follows from the content. Requests come back
    /// in arrival order (ties keep file order), numbered from 0.
    public static func parse(_ text: String, file: String) throws -> [Request] {
        let trimmed = text.drop { $0.isWhitespace }
        var sessions: [String?] = []
        let parsed =
            trimmed.hasPrefix("{")
            ? try parseJSONLines(text, file: file, sessions: &sessions) : try parseCSV(text, file: file, sessions: &sessions)
        guard !parsed.isEmpty else { throw DatasetError("\(file): the trace has no requests") }
        let ordered = parsed.sorted { ($0.arrival, $0.id) < ($1.arrival, $1.id) }
        // Sessions are numbered by their first arrival; each remembers its last turn.
        var numbers: [String: Int] = [:]
        var lastTurn: [Int: Request] = [:]
        return ordered.enumerated().map { index, request in
            var renumbered = request
            renumbered.id = index
            guard let label = sessions[request.id] else { return renumbered }
            let session = numbers[label] ?? numbers.count
            numbers[label] = session
            renumbered.session = session
            if let previous = lastTurn[session] {
                renumbered.turn = previous.turn + 1
                let history = previous.inputTokens + previous.outputTokens
                if history > 0 && history <= request.inputTokens {
                    renumbered.prefix = Request.sessionPrefix(of: session)
                    renumbered.prefixTokens = history
                }
            }
            lastTurn[session] = renumbered
            return renumbered
        }
    }

    /// Longest session label accepted.
    static let maximumSessionLabel = 200

    static func parseCSV(_ text: String, file: String, sessions: inout [String?]) throws -> [Request] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .makeIterator()
        guard let (_, headerLine) = lines.next() else { throw DatasetError("\(file):1: empty trace") }
        guard let headerFields = CSV.fields(headerLine) else { throw DatasetError("\(file):1: unclosed quote") }
        let header = headerFields.map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw DatasetError(
                    "\(file):1: vidur CSV header must name '\(name)' (got \(header.joined(separator: ",").prefix(200)))"
                )
            }
            guard header.lastIndex(of: name) == index else {
                throw DatasetError("\(file):1: the header names '\(name)' twice")
            }
            return index
        }
        let arrival = try column("arrived_at")
        let prefill = try column("num_prefill_tokens")
        let decode = try column("num_decode_tokens")
        let session = header.contains("session_id") ? try column("session_id") : nil
        var requests: [Request] = []
        while let (index, line) = lines.next() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let raw = CSV.fields(line) else { throw DatasetError("\(file):\(index + 1): unclosed quote") }
            let fields = raw.map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == header.count,
                fields[arrival].allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
                let seconds = Double(fields[arrival]), (0...maximumArrivalSeconds).contains(seconds),
                let input = Int(fields[prefill]), (0...maximumTokens).contains(input), let output = Int(fields[decode]),
                (0...maximumTokens).contains(output)
            else {
                throw DatasetError(
                    "\(file):\(index + 1): expected \(header.count) fields: an arrival in 0…\(Int(maximumArrivalSeconds)) s and token counts in 0…\(maximumTokens)"
                )
            }
            if let session {
                guard !fields[session].isEmpty, fields[session].count <= maximumSessionLabel else {
                    throw DatasetError(
                        "\(file):\(index + 1): session_id must be a label of 1…\(maximumSessionLabel) characters")
                }
            }
            sessions.append(session.map { fields[$0] })
            requests.append(
                Request(
                    id: requests.count, inputTokens: input, outputTokens: output,
                    arrival: Int64((seconds * 1e12).rounded())))
            if output == 0 { throw zeroOutput(file: file, line: index + 1) }
        }
        return requests
    }

    /// A request with no output tokens has nothing to decode: refused rather than silently given one.
    private static func zeroOutput(file: String, line: Int) -> DatasetError {
        DatasetError(
            "\(file):\(line): a request with 0 output tokens has nothing to decode (Triad simulates decoding); remove it"
        )
    }

    private struct JSONLine: Decodable {
        static let keys = ["input_toks", "output_toks", "arrival_time_ns", "session_id"]
        var input_toks: Int
        var output_toks: Int
        var arrival_time_ns: Int64?
        var session_id: SessionLabel?
    }

    /// A session label given as a string or an integer.
    private struct SessionLabel: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    static func parseJSONLines(_ text: String, file: String, sessions: inout [String?]) throws -> [Request] {
        var requests: [Request] = []
        let decoder = JSONDecoder()
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let unknown = object.keys.sorted().first(where: { !JSONLine.keys.contains($0) })
            {
                let hint = NearestName.suggestion(for: unknown, among: JSONLine.keys).map { " (did you mean '\($0)'?)" }
                throw DatasetError("\(file):\(index + 1): unknown key '\(unknown.prefix(40))'\(hint ?? "")")
            }
            guard let entry = try? decoder.decode(JSONLine.self, from: Data(line.utf8)),
                (0...maximumTokens).contains(entry.input_toks), (0...maximumTokens).contains(entry.output_toks),
                (0...Int64(maximumArrivalSeconds * 1e9)).contains(entry.arrival_time_ns ?? 0)
            else {
                throw DatasetError(
                    "\(file):\(index + 1): expected {\"input_toks\": N, \"output_toks\": N, \"arrival_time_ns\": N}")
            }
            if let label = entry.session_id?.text {
                guard !label.isEmpty, label.count <= maximumSessionLabel else {
                    throw DatasetError(
                        "\(file):\(index + 1): session_id must be a label of 1…\(maximumSessionLabel) characters")
                }
            }
            sessions.append(entry.session_id?.text)
            requests.append(
                Request(
                    id: requests.count, inputTokens: entry.input_toks, outputTokens: entry.output_toks,
                    arrival: (entry.arrival_time_ns ?? 0) * 1000))
            if entry.output_toks == 0 { throw zeroOutput(file: file, line: index + 1) }
        }
        return requests
    }
}
