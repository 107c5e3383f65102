/// Strings from outside — a peer's message, a file name, a value quoted from a file — made safe to log or print: control characters (including ESC, so no terminal
/// escape sequences) shown as `\u{…}`, and at most `limit` characters kept, with the rest counted.
public enum LogSafe {
    public static func text(_ string: String, limit: Int = 200) -> String {
        var result = ""
        var kept = 0
        for scalar in string.unicodeScalars {
            if kept == limit {
                return result + "…(+\(string.unicodeScalars.count - kept) characters)"
            }
            let value = scalar.value
            if value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) {
                result += "\\u{\(String(value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            kept += 1
        }
        return result
    }
}
