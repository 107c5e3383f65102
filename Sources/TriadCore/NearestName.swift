/// The known name closest to a misspelt one, for "did you mean …?" hints.
public enum NearestName {
    /// The candidate with the smallest edit distance to `name`, if that distance is small for its length
    /// (at most 1 for names up to 4 characters, else at most a third of the length, at most 3).
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased())
        guard !target.isEmpty, target.count <= 128 else { return nil }
        let allowed = target.count <= 4 ? 1 : min(3, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(target, Array(candidate.lowercased()), limit: allowed)
            if distance <= allowed, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance (insert, delete, substitute; an adjacent swap counts 1), or `limit + 1` once
    /// it is certain to exceed `limit`.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var before = [Int](0...b.count)
        var previous = before
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let substitution = before[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                var cost = min(substitution, before[j] + 1, current[j - 1] + 1)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cost = min(cost, previous[j - 2] + 1) }
                current[j] = cost
                rowMinimum = min(rowMinimum, cost)
            }
            if rowMinimum > limit { return limit + 1 }
            previous = before
            before = current
        }
        return before[b.count]
    }
}
