/// Widths of text as charts lay it out: a generous estimate per character class for a sans-serif font (wider
/// than DejaVu Sans and Arial measure), so labels sized by it never overflow the space they are given.
public enum TextMetrics {
    /// Estimated width of `text` at `size` pixels.
    public static func width(_ text: String, size: Double) -> Double {
        var ems = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "I", ".", ",", ":", ";", "'", "|", "!": ems += 0.35
            case " ": ems += 0.35
            case "m", "w", "M", "W", "@", "%", "×", "—": ems += 1.0
            case "A"..."Z": ems += 0.75
            case "0"..."9": ems += 0.64
            default: ems += character.isASCII ? 0.62 : 1.0
            }
        }
        return ems * size
    }

    /// The labels' widest.
    public static func widest(_ texts: [String], size: Double) -> Double {
        texts.map { width($0, size: size) }.max() ?? 0
    }
}
