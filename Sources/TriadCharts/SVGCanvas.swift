/// An SVG document being drawn: elements appended in order, numbers written with at most two decimals so the
/// same chart gives the same bytes. The canvas's size is its viewBox; charts lay out so nothing leaves it.
public struct SVGCanvas: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width.rounded(.up)
        self.height = height.rounded(.up)
    }

    /// A coordinate or length as text: two decimals at most, no trailing zeros.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 100).rounded() / 100
        if scaled == scaled.rounded() { return String(Int64(scaled)) }
        var text = String(scaled)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text = String(text[..<text.index(dot, offsetBy: 3)])
        }
        return text
    }

    /// `text` safe inside SVG/HTML text and attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
                    out.append(character)
                }
            }
        }
        return out
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\($0.1)\"" }.joined()
    }

    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        opacity: Double? = nil, title: String? = nil
    ) {
        var pairs = [
            ("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(max(0, width))),
            ("height", Self.number(max(0, height))), ("fill", fill),
        ]
        if let stroke { pairs.append(("stroke", stroke)) }
        if let opacity { pairs.append(("fill-opacity", Self.number(opacity))) }
        let tooltip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<rect\(Self.attributes(pairs))>\(tooltip)</rect>")
    }

    public mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        var pairs = [
            ("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
            ("stroke", stroke), ("stroke-width", Self.number(width)),
        ]
        if let dash { pairs.append(("stroke-dasharray", dash)) }
        body.append("<line\(Self.attributes(pairs))/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let path = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        body.append(
            "<polyline\(Self.attributes([("points", path), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(width))]))/>"
        )
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        let path = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        body.append(
            "<polygon\(Self.attributes([("points", path), ("fill", fill), ("fill-opacity", Self.number(opacity)), ("stroke", "none")]))/>"
        )
    }

    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, title: String? = nil) {
        let tooltip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append(
            "<circle\(Self.attributes([("cx", Self.number(x)), ("cy", Self.number(y)), ("r", Self.number(radius)), ("fill", fill)]))>\(tooltip)</circle>"
        )
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    /// Text with its baseline at `y`; `rotation` in degrees about (x, y).
    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, bold: Bool = false,
        rotation: Double = 0, fill: String = "#222"
    ) {
        var pairs = [
            ("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size)),
            ("text-anchor", anchor.rawValue), ("fill", fill),
        ]
        if bold { pairs.append(("font-weight", "bold")) }
        if rotation != 0 {
            pairs.append(("transform", "rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))"))
        }
        body.append("<text\(Self.attributes(pairs))>\(Self.escape(string))</text>")
    }

    /// The document: an `<svg>` whose viewBox is the canvas, white background, sans-serif text.
    public var rendered: String {
        let w = Self.number(width)
        let h = Self.number(height)
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n<rect width=\"\(w)\" height=\"\(h)\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
