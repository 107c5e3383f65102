/// Expert choices given rather than drawn (`--routing FILE`, docs/MODEL.md §12.2): for each layer, each token's
/// experts. In an iteration, the i-th token (the batch's requests in slot order, each request's query positions in
/// turn, then prompt-chunk tokens) takes the choices of row i mod (the layer's rows); a trace with fewer layers than
/// the model repeats them (layer l uses the trace's layer l mod its layers).
public struct RoutingTrace: Sendable, Hashable {
    /// Experts per token, by layer then token.
    public var layers: [[[Int]]]
    /// Experts the trace was written for.
    public var experts: Int

    public init(layers: [[[Int]]], experts: Int) {
        self.layers = layers
        self.experts = experts
    }

    /// The experts token `token` goes to in model layer `layer`.
    public func experts(layer: Int, token: Int) -> [Int] {
        let rows = layers[layer % layers.count]
        return rows[token % rows.count]
    }
}
