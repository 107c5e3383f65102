/// One published result next to ours.
public struct Claim: Sendable, Hashable {
    /// How the measured value reads.
    public enum Unit: Sendable, Hashable {
        case ratio
        case fraction
        case plain
    }

    public var id: String
    public var description: String
    /// The paper's number, when it gives one.
    public var paper: Double?
    /// What the paper says, in words (e.g. "2.4×", "> 1 at every batch").
    public var paperText: String
    public var measured: Double
    /// Whether a directional claim holds in our model (nil for plain numbers).
    public var holds: Bool?
    /// Why our number differs, or what it rests on.
    public var note: String
    public var unit: Unit

    public init(
        id: String, description: String, paper: Double?, paperText: String, measured: Double, holds: Bool? = nil,
        note: String = "", unit: Unit = .plain
    ) {
        self.unit = unit
        self.id = id
        self.description = description
        self.paper = paper
        self.paperText = paperText
        self.measured = measured
        self.holds = holds
        self.note = note
    }

    /// Ours over the paper's.
    public var ratio: Double? {
        guard let paper, paper != 0 else { return nil }
        return measured / paper
    }
}
