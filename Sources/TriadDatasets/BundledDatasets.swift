public import TriadCore
import Foundation

/// The request-length data sets shipped inside Triad.
///
/// `sharegpt` and `alpaca` are the token counts of the public ShareGPT and Alpaca data sets as the
/// NeuPIMs simulator repository ships them (casys-kaist/NeuPIMs, commit f299af3): 391,726 and 52,002
/// (input, output) pairs, stored here as distinct pairs with their counts, which keeps the joint
/// distribution exact (means 80.3 / 295.0 and 12.1 / 55.8 tokens).
public enum BundledDatasets {
    public static let names = ["sharegpt", "alpaca"]

    /// Loads the data set called `name`, or nil if there is none.
    public static func distribution(named name: String) throws -> LengthDistribution? {
        guard names.contains(name) else { return nil }
        guard
            let url = Bundle.module.url(forResource: "\(name)-lengths", withExtension: "tsv", subdirectory: "Resources")
        else {
            throw DatasetError("the bundled \(name) data set is missing from this build")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try parseCounts(text, name: name)
    }

    /// Parses `input<TAB>output<TAB>count` lines; `#` starts a comment line.
    public static func parseCounts(_ text: String, name: String) throws -> LengthDistribution {
        var pairs: [(input: Int, output: Int, count: Int)] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t")
            guard fields.count == 3, let input = Int(fields[0]), let output = Int(fields[1]),
                let count = Int(fields[2]),
                input >= 0, output >= 0, count > 0
            else {
                throw DatasetError("\(name):\(lineNumber): expected input<TAB>output<TAB>count")
            }
            pairs.append((input, output, count))
        }
        guard !pairs.isEmpty else { throw DatasetError("\(name): no length pairs") }
        return LengthDistribution(name: name, pairs: pairs)
    }
}

/// A problem reading a data set or trace.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
