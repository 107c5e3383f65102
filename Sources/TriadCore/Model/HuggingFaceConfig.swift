public import Foundation

/// A Hugging Face `config.json` read into a `ModelSpec`: any decoder model, grouped-query attention included.
public struct HuggingFaceConfig: Decodable, Sendable {
    public var hidden_size: Int?
    public var n_embd: Int?
    public var num_attention_heads: Int?
    public var n_head: Int?
    public var num_key_value_heads: Int?
    public var num_hidden_layers: Int?
    public var n_layer: Int?
    public var intermediate_size: Int?
    public var n_inner: Int?
    public var vocab_size: Int?
    public var head_dim: Int?
    public var hidden_act: String?
    public var model_type: String?
    public var quantization: String?

    /// A problem with a config file: which key, and why.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// Decodes `data` and builds the model. `name` labels it in reports; `tensorParallel` and
    /// `pipelineParallel` come from the command line since configs do not carry them.
    public static func model(
        from data: Data, name: String, tensorParallel: Int = 1, pipelineParallel: Int = 1
    ) throws -> ModelSpec {
        let config: HuggingFaceConfig
        do {
            config = try JSONDecoder().decode(HuggingFaceConfig.self, from: data)
        } catch {
            throw Problem(message: "not a valid config.json: \(error)")
        }
        /// Every size must be positive and at most `maximum`, so any product of them fits the cost models.
        func require(_ value: Int?, _ key: String, maximum: Int = 1 << 20) throws -> Int {
            guard let value else { throw Problem(message: "config.json has no \(key)") }
            guard value > 0 else { throw Problem(message: "config.json \(key) must be positive, got \(value)") }
            guard value <= maximum else {
                throw Problem(message: "config.json \(key) must be at most \(maximum), got \(value)")
            }
            return value
        }
        let hidden = try require(config.hidden_size ?? config.n_embd, "hidden_size")
        let heads = try require(config.num_attention_heads ?? config.n_head, "num_attention_heads", maximum: 1 << 16)
        let layers = try require(config.num_hidden_layers ?? config.n_layer, "num_hidden_layers", maximum: 1 << 16)
        let vocabulary = try require(config.vocab_size, "vocab_size", maximum: 1 << 24)
        let kvHeads = try require(config.num_key_value_heads ?? heads, "num_key_value_heads", maximum: 1 << 16)
        guard heads % kvHeads == 0 else {
            throw Problem(message: "num_attention_heads \(heads) is not a multiple of num_key_value_heads \(kvHeads)")
        }
        let headDimension = try require(config.head_dim ?? (hidden / heads), "head_dim")
        let activation = (config.hidden_act ?? "gelu").lowercased()
        let gated =
            activation.contains("silu") || activation.contains("swish")
            || ["llama", "mistral", "qwen2", "gemma", "bitnet"].contains(config.model_type ?? "")
        let intermediate = try require(
            config.intermediate_size ?? config.n_inner ?? 4 * hidden, "intermediate_size", maximum: 1 << 22)
        let ternary =
            (config.quantization ?? "").lowercased().contains("ternary")
            || (config.model_type ?? "").lowercased().contains("bitnet")
        return ModelSpec(
            name: name, architecture: .transformer, layers: layers, hiddenSize: hidden, attentionHeads: heads,
            keyValueHeads: kvHeads, headDimension: headDimension, intermediateSize: intermediate,
            vocabularySize: vocabulary, feedForward: gated ? .gatedLinearUnit : .gelu,
            weightFormat: ternary ? .ternary : .fp16, tensorParallel: tensorParallel,
            pipelineParallel: pipelineParallel, source: "Hugging Face config.json (\(name))")
    }
}
