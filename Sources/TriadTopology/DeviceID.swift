/// The rules for a device id: it names a worker on the wire, in logs, in file names (`--pid-directory`)
/// and in reports, so it is 1…64 characters of letters, digits, '.', '_' and '-', starting with a letter
/// or digit.
public enum DeviceID {
    public static let maximumLength = 64

    /// Why `id` breaks the rules, or nil if it is a valid id.
    public static func problem(_ id: String) -> String? {
        guard !id.isEmpty else { return "a device id must not be empty" }
        guard id.utf8.count <= maximumLength else {
            return "a device id must be at most \(maximumLength) characters (got \(id.utf8.count))"
        }
        func allowed(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard id.utf8.allSatisfy(allowed) else {
            return "a device id may only use letters, digits, '.', '_' and '-'"
        }
        guard let first = id.utf8.first, allowed(first), first != 0x2E, first != 0x5F, first != 0x2D else {
            return "a device id must start with a letter or a digit"
        }
        return nil
    }
}
