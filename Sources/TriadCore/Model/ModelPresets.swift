/// Named models users can ask for with `--model NAME`, each with its source.
public enum ModelPresets {
    /// GPT-3 family with the tensor/pipeline split NeuPIMs uses (NeuPIMs paper §6.1; docs/MODEL.md):
    /// FFN 4·d with GELU, vocabulary 50,304, d_head 128.
    private static func gpt3(
        _ name: String, layers: Int, heads: Int, hidden: Int, tp: Int, pp: Int, headDimension: Int = 128,
        source: String = "NeuPIMs (ASPLOS 2024) model table"
    ) -> ModelSpec {
        ModelSpec(
            name: name, architecture: .transformer, layers: layers, hiddenSize: hidden, attentionHeads: heads,
            keyValueHeads: heads, headDimension: headDimension, intermediateSize: 4 * hidden, vocabularySize: 50304,
            feedForward: .gelu, weightFormat: .fp16, tensorParallel: tp, pipelineParallel: pp, source: source)
    }

    /// HGRN-Bit MatMul-free models (ridgerchu/matmulfreellm configs; docs/MODEL.md §5):
    /// ternary BitLinear everywhere, GLU with I = 256·⌈(8d/3)/256⌉, vocabulary 32,000, no attention.
    private static func matmulFree(_ name: String, layers: Int, hidden: Int, intermediate: Int) -> ModelSpec {
        ModelSpec(
            name: name, architecture: .hgrnBit, layers: layers, hiddenSize: hidden, attentionHeads: 1,
            keyValueHeads: 1, headDimension: hidden, intermediateSize: intermediate, vocabularySize: 32000,
            feedForward: .gatedLinearUnit, weightFormat: .ternary,
            source: "Scalable MatMul-free LM (arXiv 2406.02528)")
    }

    /// A Llama-3-family model from its public `config.json` (meta-llama on Hugging Face): GQA with 8 KV heads,
    /// d_head 128, SiLU-gated FFN, 128,256-token vocabulary, untied embeddings.
    private static func llama3(
        _ name: String, layers: Int, hidden: Int, heads: Int, intermediate: Int, context: Int, repository: String
    ) -> ModelSpec {
        var model = ModelSpec(
            name: name, architecture: .transformer, layers: layers, hiddenSize: hidden, attentionHeads: heads,
            keyValueHeads: 8, headDimension: 128, intermediateSize: intermediate, vocabularySize: 128_256,
            feedForward: .gatedLinearUnit, weightFormat: .fp16,
            source: "config.json of \(repository) (trained context \(context) tokens)")
        model.tiedEmbeddings = false
        return model
    }

    /// A Mixture-of-Experts model from its public `config.json` (SiLU-gated experts, untied embeddings).
    private static func mixture(
        _ name: String, layers: Int, hidden: Int, heads: Int, keyValueHeads: Int, intermediate: Int, vocabulary: Int,
        experts: MixtureOfExperts, tensorParallel: Int, repository: String
    ) -> ModelSpec {
        var model = ModelSpec(
            name: name, architecture: .transformer, layers: layers, hiddenSize: hidden, attentionHeads: heads,
            keyValueHeads: keyValueHeads, headDimension: hidden / heads, intermediateSize: intermediate,
            vocabularySize: vocabulary, feedForward: .gatedLinearUnit, weightFormat: .fp16,
            source: "config.json of \(repository)")
        model.tiedEmbeddings = false
        model.experts = experts
        model.tensorParallel = tensorParallel
        return model
    }

    /// Every preset, in the order `triad` lists them.
    public static let all: [ModelSpec] = [
        // GPT-3 Small, a draft model for speculative decoding (Brown et al., NeurIPS 2020, Table 2.1).
        gpt3(
            "gpt3-125m", layers: 12, heads: 12, hidden: 768, tp: 4, pp: 1, headDimension: 64,
            source: "GPT-3 paper (arXiv 2005.14165) Table 2.1"),
        gpt3("gpt3-7b", layers: 32, heads: 32, hidden: 4096, tp: 4, pp: 1),
        gpt3("gpt3-13b", layers: 40, heads: 40, hidden: 5120, tp: 4, pp: 1),
        gpt3("gpt3-30b", layers: 48, heads: 56, hidden: 7168, tp: 4, pp: 2),
        gpt3("gpt3-175b", layers: 96, heads: 96, hidden: 12288, tp: 8, pp: 4),
        // A 1T-class dense GPT: the largest model of Megatron-LM's scaling study (Narayanan et al., SC 2021, Table 1:
        // 1,008 B parameters, 128 layers, hidden size 25,600, 160 heads, tensor 8 × pipeline 64); `triad bench --scale`.
        gpt3(
            "megatron-1t", layers: 128, heads: 160, hidden: 25600, tp: 8, pp: 64, headDimension: 160,
            source: "Megatron-LM at scale (arXiv 2104.04473) Table 1"),
        matmulFree("mmfree-370m", layers: 24, hidden: 1024, intermediate: 2816),
        matmulFree("mmfree-1.3b", layers: 24, hidden: 2048, intermediate: 5632),
        matmulFree("mmfree-2.7b", layers: 32, hidden: 2560, intermediate: 6912),
        // A ternary-weight transformer (BitLinear projections and FFN, ordinary attention):
        // the public config.json of 1bitLLM/bitnet_b1_58-3B (BitNet b1.58 reproduction).
        ModelSpec(
            name: "bitnet-b1.58-3b", architecture: .transformer, layers: 26, hiddenSize: 3200,
            attentionHeads: 32, keyValueHeads: 32, headDimension: 100, intermediateSize: 8640,
            vocabularySize: 32002, feedForward: .gatedLinearUnit, weightFormat: .ternary,
            source: "config.json of 1bitLLM/bitnet_b1_58-3B (BitNet b1.58, arXiv 2402.17764)"),
        llama3(
            "llama-3-8b", layers: 32, hidden: 4096, heads: 32, intermediate: 14_336, context: 8192,
            repository: "meta-llama/Meta-Llama-3-8B"),
        llama3(
            "llama-3.1-8b", layers: 32, hidden: 4096, heads: 32, intermediate: 14_336, context: 131_072,
            repository: "meta-llama/Llama-3.1-8B"),
        // Llama 3.2 1B, the usual draft model of the Llama 3 family (same tokenizer): 64-dimensional heads, tied
        // embeddings (its public config.json).
        {
            var model = llama3(
                "llama-3.2-1b", layers: 16, hidden: 2048, heads: 32, intermediate: 8_192, context: 131_072,
                repository: "meta-llama/Llama-3.2-1B")
            model.headDimension = 64
            model.tiedEmbeddings = true
            return model
        }(),
        // Mixtral 8x7B: 8 experts of 14,336 columns, top-2, GQA with 8 KV heads (93 GB of FP16 weights: TP 4).
        mixture(
            "mixtral-8x7b", layers: 32, hidden: 4096, heads: 32, keyValueHeads: 8, intermediate: 14_336,
            vocabulary: 32_000, experts: MixtureOfExperts(experts: 8, perToken: 2, expertIntermediate: 14_336), tensorParallel: 4,
            repository: "mistralai/Mixtral-8x7B-v0.1"),
        // Qwen1.5-MoE-A2.7B: 60 experts of 1,408 columns, top-4, one shared expert of 5,632.
        mixture(
            "qwen1.5-moe-a2.7b", layers: 24, hidden: 2048, heads: 16, keyValueHeads: 16, intermediate: 5_632,
            vocabulary: 151_936,
            experts: MixtureOfExperts(experts: 60, perToken: 4, expertIntermediate: 1_408, sharedIntermediate: 5_632),
            tensorParallel: 1, repository: "Qwen/Qwen1.5-MoE-A2.7B"),
        // DeepSeekMoE 16B: 64 fine-grained experts of 1,408 columns, top-6, 2 shared experts, the first layer dense
        // (10,944 columns); ordinary multi-head attention (33 GB of FP16 weights: TP 2).
        mixture(
            "deepseek-moe-16b", layers: 28, hidden: 2048, heads: 16, keyValueHeads: 16, intermediate: 10_944,
            vocabulary: 102_400,
            experts: MixtureOfExperts(
                experts: 64, perToken: 6, expertIntermediate: 1_408, sharedIntermediate: 2 * 1_408, denseLayers: 1),
            tensorParallel: 2, repository: "deepseek-ai/deepseek-moe-16b-base"),
        llama3(
            "llama-3.1-70b", layers: 80, hidden: 8192, heads: 64, intermediate: 28_672, context: 131_072,
            repository: "meta-llama/Llama-3.1-70B"),
    ]

    /// The preset called `name` (case-insensitive), if any.
    public static func named(_ name: String) -> ModelSpec? {
        let wanted = name.lowercased()
        return all.first { $0.name == wanted }
    }
}
