import Yams

/// Finds the second occurrence of a duplicated mapping key (the YAML parser reports only the first), so
/// the error points at the line to delete.
enum DuplicateKeyLocator {
    /// The location of `key` repeated after `first` in `text`: a later line with the key at the same
    /// column (block mapping), or a later `key:` on the first's line (flow mapping); nil if not found.
    static func second(of key: String, after first: Mark, in text: String) -> SourceLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let patterns = ["\(key):", "\"\(key)\":", "'\(key)':"]
        let firstLine = Array(lines[first.line - 1])
        let afterFirst = String(firstLine.dropFirst(min(firstLine.count, first.column)))
        for pattern in patterns {
            if let range = afterFirst.range(of: pattern) {
                let column = first.column + afterFirst.distance(from: afterFirst.startIndex, to: range.lowerBound) + 1
                return SourceLocation(line: first.line, column: column)
            }
        }
        for index in first.line..<lines.count {
            let line = Array(lines[index])
            guard line.count >= first.column else { continue }
            let rest = String(line[(first.column - 1)...])
            if patterns.contains(where: { rest.hasPrefix($0) }) {
                return SourceLocation(line: index + 1, column: first.column)
            }
        }
        return nil
    }
}
