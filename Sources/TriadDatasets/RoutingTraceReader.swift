public import TriadCore
import Foundation

/// Reads a routing trace in DynaNDE-Simulator's format (its `moe_routing_trace_path`): a header
/// `layer_id,token_id,expert_0,…,expert_{E−1}`, then one row per (layer, token) with each expert's gate score — the
/// experts with a score above zero are the token's. Layers and tokens are numbered from 0, each layer's tokens
/// 0, 1, 2, … without gaps (rows in any order).
public enum RoutingTraceReader {
    /// Most layers and tokens per layer a trace may hold.
    public static let maximumLayers = 65_536
    public static let maximumTokens = 1 << 20

    /// Parses `text`; `file` names it in errors (`file:line: …`).
    public static func parse(_ text: String, file: String) throws -> RoutingTrace {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().makeIterator()
        guard let (_, headerLine) = lines.next(), let header = CSV.fields(headerLine)?.map({
            $0.trimmingCharacters(in: .whitespaces)
        }) else { throw DatasetError("\(file):1: empty routing trace") }
        let experts = header.count - 2
        guard experts >= 2, header[0] == "layer_id", header[1] == "token_id",
            header.dropFirst(2).enumerated().allSatisfy({ $0.element == "expert_\($0.offset)" })
        else {
            throw DatasetError("\(file):1: expected the header 'layer_id,token_id,expert_0,…,expert_N' with N ≥ 1")
        }
        var rows: [[Int: [Int]]] = []
        while let (index, line) = lines.next() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let raw = CSV.fields(line), raw.count == header.count else {
                throw DatasetError("\(file):\(index + 1): expected \(header.count) fields")
            }
            let fields = raw.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let layer = Int(fields[0]), (0..<maximumLayers).contains(layer), let token = Int(fields[1]),
                (0..<maximumTokens).contains(token)
            else {
                throw DatasetError(
                    "\(file):\(index + 1): layer_id must be in 0…\(maximumLayers - 1) and token_id in 0…\(maximumTokens - 1)")
            }
            var chosen: [Int] = []
            for expert in 0..<experts {
                guard let score = Double(fields[2 + expert]), score.isFinite, score >= 0 else {
                    throw DatasetError("\(file):\(index + 1): expert_\(expert) must be a finite score ≥ 0")
                }
                if score > 0 { chosen.append(expert) }
            }
            guard !chosen.isEmpty else { throw DatasetError("\(file):\(index + 1): the token goes to no expert") }
            while rows.count <= layer {
                guard rows.count < maximumLayers else { break }
                rows.append([:])
            }
            guard rows[layer][token] == nil else {
                throw DatasetError("\(file):\(index + 1): layer \(layer) token \(token) given twice")
            }
            rows[layer][token] = chosen
        }
        guard !rows.isEmpty else { throw DatasetError("\(file): the routing trace has no rows") }
        var layers: [[[Int]]] = []
        for (layer, tokens) in rows.enumerated() {
            guard !tokens.isEmpty, let last = tokens.keys.max(), last == tokens.count - 1 else {
                throw DatasetError("\(file): layer \(layer)'s tokens must be numbered 0, 1, 2, … without gaps")
            }
            layers.append((0..<tokens.count).map { tokens[$0]! })
        }
        return RoutingTrace(layers: layers, experts: experts)
    }
}
