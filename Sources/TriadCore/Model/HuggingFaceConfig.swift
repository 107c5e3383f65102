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
    /// Weight type: float16 / bfloat16 (both costed as 2-byte weights) or absent; others are refused.
    public var torch_dtype: String?
    /// Quantized checkpoints (GPTQ, AWQ, bitsandbytes, compressed-tensors, FP8): their bits and method.
    public var quantization_config: Quantization?

    public struct Quantization: Decodable, Sendable {
        public var bits: Int?
        public var quant_method: String?
    }

    /// Whether the LM head shares the embedding table (Hugging Face's default: yes).
    public var tie_word_embeddings: Bool?
    /// Mixture-of-Experts fields: the routed experts (Mixtral and GPT-OSS, Qwen-MoE, DeepSeek name them
    /// differently), experts per token, one expert's FFN size (else `intermediate_size`), the shared experts
    /// (Qwen-MoE's total size, DeepSeek's count of expert-sized ones) and DeepSeek's leading dense layers.
    public var num_local_experts: Int?
    public var num_experts: Int?
    public var n_routed_experts: Int?
    public var moe_intermediate_size: Int?
    public var num_experts_per_tok: Int?
    public var experts_per_token: Int?
    public var shared_expert_intermediate_size: Int?
    public var n_shared_experts: Int?
    public var first_k_dense_replace: Int?
    /// Layouts not modelled yet: MoE only every k-th layer, dense-only layers listed.
    public var decoder_sparse_step: Int?
    public var moe_layer_freq: Int?
    public var mlp_only_layers: [Int]?

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
        } catch let error as DecodingError {
            if let key = firstNonIntegerSize(in: data) {
                throw Problem(message: "config.json \(key) must be an integer in range")
            }
            throw Problem(message: "not a valid config.json: \(describe(error))")
        } catch {
            throw Problem(message: "not a valid config.json")
        }
        if let dtype = config.torch_dtype, !["float16", "bfloat16", "fp16", "bf16"].contains(dtype.lowercased()) {
            throw Problem(
                message:
                    "config.json torch_dtype '\(dtype.prefix(32))' is not yet supported; Triad costs 2-byte (float16/bfloat16) or ternary weights"
            )
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
        if config.head_dim == nil && hidden % heads != 0 {
            throw Problem(
                message: "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads) (give head_dim)")
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
        let format = try weightFormat(config, ternary: ternary)
        var model = ModelSpec(
            name: name, architecture: .transformer, layers: layers, hiddenSize: hidden, attentionHeads: heads,
            keyValueHeads: kvHeads, headDimension: headDimension, intermediateSize: intermediate,
            vocabularySize: vocabulary, feedForward: gated ? .gatedLinearUnit : .gelu,
            weightFormat: format, tensorParallel: tensorParallel,
            pipelineParallel: pipelineParallel, source: "Hugging Face config.json (\(name))")
        model.tiedEmbeddings = config.tie_word_embeddings ?? true
        model.experts = try mixture(config, layers: layers, intermediate: intermediate)
        return model
    }

    /// The weight format: ternary, a quantized checkpoint's (`quantization_config`: FP8, or 8, 4 or 2 bits), else 16-bit.
    private static func weightFormat(_ config: HuggingFaceConfig, ternary: Bool) throws -> ModelSpec.WeightFormat {
        if ternary { return .ternary }
        guard let quantization = config.quantization_config else { return .fp16 }
        if (quantization.quant_method ?? "").lowercased().contains("fp8") { return .fp8 }
        switch quantization.bits {
        case nil, 16: return .fp16
        case 8: return .int8
        case 4: return .int4
        case 2: return .int2
        case let other?:
            throw Problem(message: "config.json quantization_config bits \(other) is not yet supported (8, 4 or 2)")
        }
    }

    /// The Mixture-of-Experts block `config` describes, nil for a dense model.
    private static func mixture(_ config: HuggingFaceConfig, layers: Int, intermediate: Int) throws
        -> MixtureOfExperts?
    {
        let counts = [config.num_local_experts, config.num_experts, config.n_routed_experts].compactMap { $0 }
        if let negative = counts.first(where: { $0 < 0 }) {
            throw Problem(message: "config.json expert count \(negative) must be zero or more")
        }
        guard let experts = counts.max(), experts > 1 else {
            guard config.moe_intermediate_size == nil else {
                throw Problem(message: "config.json has moe_intermediate_size but no expert count (num_local_experts, num_experts or n_routed_experts)")
            }
            return nil
        }
        guard experts <= 65_536 else { throw Problem(message: "config.json expert count must be at most 65536, got \(experts)") }
        guard let perToken = config.num_experts_per_tok ?? config.experts_per_token else {
            throw Problem(message: "config.json has \(experts) experts but no num_experts_per_tok")
        }
        guard (1...experts).contains(perToken) else {
            throw Problem(message: "config.json num_experts_per_tok must be in 1…\(experts), got \(perToken)")
        }
        for (key, value) in [("decoder_sparse_step", config.decoder_sparse_step), ("moe_layer_freq", config.moe_layer_freq)]
        where value != nil && value != 1 {
            throw Problem(message: "config.json \(key) \(value!) (MoE in only some layers) is not yet supported; Triad puts MoE in every layer after the dense ones")
        }
        if let dense = config.mlp_only_layers, !dense.isEmpty {
            throw Problem(message: "config.json mlp_only_layers is not yet supported; Triad puts MoE in every layer after the dense ones")
        }
        func size(_ value: Int?, _ key: String, minimum: Int = 1) throws -> Int? {
            guard let value else { return nil }
            guard (minimum...(1 << 22)).contains(value) else {
                throw Problem(message: "config.json \(key) must be in \(minimum)…\(1 << 22), got \(value)")
            }
            return value
        }
        let expertSize = try size(config.moe_intermediate_size, "moe_intermediate_size") ?? intermediate
        var shared = try size(config.shared_expert_intermediate_size, "shared_expert_intermediate_size", minimum: 0) ?? 0
        if let count = config.n_shared_experts {
            guard (0...64).contains(count) else {
                throw Problem(message: "config.json n_shared_experts must be in 0…64, got \(count)")
            }
            shared = count * expertSize
        }
        let dense = config.first_k_dense_replace ?? 0
        guard (0..<layers).contains(dense) else {
            throw Problem(message: "config.json first_k_dense_replace must be in 0…\(layers - 1), got \(dense)")
        }
        return MixtureOfExperts(
            experts: experts, perToken: perToken, expertIntermediate: expertSize, sharedIntermediate: shared,
            denseLayers: dense)
    }

    /// One line for a decoding failure: the key path and what was wrong, without Swift's type dump.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the file" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .typeMismatch(_, let context):
            return "\(path(context)) has the wrong type (sizes must be integers in range, names strings)"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is missing"
        case .dataCorrupted(let context):
            guard context.codingPath.isEmpty else {
                return "\(path(context)) is not a valid value (sizes must be integers in range)"
            }
            let detail = context.debugDescription.split(whereSeparator: \.isNewline).first.map {
                String($0.prefix(120))
            }
            return detail.map { "not valid JSON (\($0))" } ?? "not valid JSON"
        @unknown default: return "unreadable"
        }
    }

    /// The first size key (sorted) whose JSON value is a number but not an integer that fits (`4096.5`,
    /// `1e300`): the JSON decoder reports these as invalid JSON without naming the key.
    private static func firstNonIntegerSize(in data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let sizes = [
            "hidden_size", "n_embd", "num_attention_heads", "n_head", "num_key_value_heads", "num_hidden_layers",
            "n_layer", "intermediate_size", "n_inner", "vocab_size", "head_dim", "num_local_experts", "num_experts",
            "n_routed_experts", "moe_intermediate_size", "num_experts_per_tok", "experts_per_token",
            "shared_expert_intermediate_size", "n_shared_experts", "first_k_dense_replace", "decoder_sparse_step",
            "moe_layer_freq",
        ]
        return sizes.sorted().first { key in
            guard let value = object[key], !(value is NSNull) else { return false }
            return (value as? Int) == nil || !(value is NSNumber)
        }
    }
}
