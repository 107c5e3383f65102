/// A hardware or model parameter a reproduction used, with where it comes from.
public struct ParameterSource: Sendable, Hashable {
    public var name: String
    public var value: String
    public var source: String

    public init(_ name: String, _ value: String, _ source: String) {
        self.name = name
        self.value = value
        self.source = source
    }
}
