import Foundation
import Testing
import TriadCore

struct ModelTests {
    @Test func gpt3SevenBShardMatchesNeuPIMs() throws {
        let model = try #require(ModelPresets.named("gpt3-7b"))
        let shard = ModelShard(model)
        #expect(shard.heads == 8)
        #expect(shard.queryWidth == 1024)
        #expect(shard.intermediateColumns == 4096)
        #expect(shard.layers == 32)
        // 2 (K and V) × 1024 × 2 B per layer.
        #expect(shard.keyValueBytesPerTokenPerLayer == 4096)
    }

    @Test func layerHoldsTheExpectedWeights() throws {
        let shard = ModelShard(try #require(ModelPresets.named("gpt3-7b")))
        let layer = LayerTemplate(shard: shard, rows: 256)
        let weights = (layer.beforeAttention + layer.afterAttention).filter { $0.kind.category == .matrix }
            .map(\.weightCount).reduce(0, +)
        // QKV 4096×3072 + proj 1024×4096 + FFN 4096×4096 ×2 = 50.3 M parameters per layer per device.
        let expected: Int64 = 4096 * 3072 + 1024 * 4096 + 2 * 4096 * 4096
        #expect(weights == expected)
        #expect(layer.beforeAttention.allSatisfy { $0.rows == 256 })
    }

    @Test func matmulFreeLayerHasNoAttention() throws {
        let model = try #require(ModelPresets.named("mmfree-1.3b"))
        #expect(!model.hasAttention)
        let layer = LayerTemplate(shard: ModelShard(model), rows: 1)
        #expect(layer.afterAttention.isEmpty)
        let ternary = layer.beforeAttention.filter { $0.kind.category == .matrix }
        #expect(ternary.allSatisfy { $0.isTernary })
        // 4 d×d mixer matrices and a 3-matrix GLU: 4·2048² + 3·2048·5632.
        let expected: Int64 = 4 * 2048 * 2048 + 3 * 2048 * 5632
        let total = ternary.map(\.weightCount).reduce(0, +)
        #expect(total == expected)
    }

    @Test func huggingFaceConfigWithGroupedQueryAttention() throws {
        let json = """
            {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
             "num_hidden_layers": 32, "intermediate_size": 14336, "vocab_size": 128256, "hidden_act": "silu"}
            """
        let model = try HuggingFaceConfig.model(from: Data(json.utf8), name: "llama-3-8b", tensorParallel: 2)
        #expect(model.keyValueHeads == 8)
        #expect(model.headDimension == 128)
        #expect(model.feedForward == .gatedLinearUnit)
        let shard = ModelShard(model)
        #expect(shard.keyValueWidth == 4 * 128)
        #expect(shard.queryWidth == 16 * 128)
    }

    @Test func huggingFaceConfigErrorsNameTheKey() {
        #expect(throws: HuggingFaceConfig.Problem.self) {
            _ = try HuggingFaceConfig.model(from: Data("{\"hidden_size\": 8}".utf8), name: "x")
        }
        do {
            _ = try HuggingFaceConfig.model(from: Data("{\"hidden_size\": 8}".utf8), name: "x")
        } catch {
            #expect("\(error)".contains("num_attention_heads"))
        }
    }
}

struct HuggingFaceBoundsTests {
    /// Mixture-of-Experts configs as Mixtral, Qwen-MoE and DeepSeek write them.
    @Test func mixtureOfExpertsConfigsAreRead() throws {
        let base = #""hidden_size": 2048, "num_attention_heads": 16, "num_hidden_layers": 28, "vocab_size": 102400"#
        let mixtral = try HuggingFaceConfig.model(
            from: Data(#"{\#(base), "intermediate_size": 14336, "num_local_experts": 8, "num_experts_per_tok": 2}"#.utf8),
            name: "m")
        #expect(mixtral.experts == MixtureOfExperts(experts: 8, perToken: 2, expertIntermediate: 14_336))
        let qwen = try HuggingFaceConfig.model(
            from: Data(
                #"{\#(base), "num_experts": 60, "num_experts_per_tok": 4, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632}"#
                    .utf8), name: "q")
        #expect(qwen.experts == MixtureOfExperts(experts: 60, perToken: 4, expertIntermediate: 1_408, sharedIntermediate: 5_632))
        let deepseek = try HuggingFaceConfig.model(
            from: Data(
                #"{\#(base), "intermediate_size": 10944, "n_routed_experts": 64, "num_experts_per_tok": 6, "moe_intermediate_size": 1408, "n_shared_experts": 2, "first_k_dense_replace": 1}"#
                    .utf8), name: "d")
        #expect(
            deepseek.experts
                == MixtureOfExperts(
                    experts: 64, perToken: 6, expertIntermediate: 1_408, sharedIntermediate: 2_816, denseLayers: 1))
        #expect(deepseek.intermediateSize == 10_944 && deepseek.isMixtureLayer(1) && !deepseek.isMixtureLayer(0))
    }

    /// Mixture-of-Experts configs Triad cannot model are refused, not costed as dense; type errors name the key in one
    /// line.
    @Test func mixtureOfExpertsAndTypeErrorsAreOneLineProblems() {
        let base = #""hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 32000"#
        for (json, needle) in [
            ("{\(base), \"num_local_experts\": 8}", "no num_experts_per_tok"),
            ("{\(base), \"n_routed_experts\": 64, \"num_experts_per_tok\": 65}", "num_experts_per_tok must be in 1…64"),
            ("{\(base), \"num_experts\": 8, \"num_experts_per_tok\": 2, \"decoder_sparse_step\": 2}", "not yet supported"),
            ("{\(base), \"moe_intermediate_size\": 8}", "no expert count"),
            (
                #"{"hidden_size": "4096", "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 32000}"#,
                "hidden_size must be an integer"
            ),
            ("{\(base), \"torch_dtype\": \"float32\"}", "torch_dtype 'float32' is not yet supported"),
            ("{\(base), \"head_dim\": 128.5}", "head_dim must be an integer"),
            ("[1, 2]", "wrong type"),
        ] {
            do {
                _ = try HuggingFaceConfig.model(from: Data(json.utf8), name: "x")
                Issue.record("accepted \(json)")
            } catch let problem as HuggingFaceConfig.Problem {
                #expect(problem.message.contains(needle), "\(problem.message)")
                #expect(
                    !problem.message.contains("\n") && !problem.message.contains("CodingKeys"), "\(problem.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func absurdSizesAreRefused() {
        for json in [
            #"{"hidden_size": 1e12, "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 32000}"#,
            #"{"hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 9223372036854775807, "vocab_size": 32000}"#,
        ] {
            #expect(throws: HuggingFaceConfig.Problem.self) {
                _ = try HuggingFaceConfig.model(from: Data(json.utf8), name: "x")
            }
        }
    }
}

/// MoBA block-sparse attention by hand (docs/MODEL.md §15).
struct BlockSparseAttentionTests {
    /// 512-token blocks, top 3, over 8,192 tokens: the query scores 16 pooled keys and the 1,536 keys of its 3 blocks
    /// (1,552), reads 1,536 values, and skips 81.25 % of the context; a 1,000-token context (within 3 blocks) is
    /// attended whole, without a gate.
    @Test func aQueryReadsItsChosenBlocks() throws {
        let moba = try #require(BlockSparseAttention("512:3"))
        #expect(moba.keys(sequenceLength: 8_192) == (1_552, 1_536))
        #expect(moba.sparsity(sequenceLength: 8_192) == 0.8125)
        #expect(moba.keys(sequenceLength: 1_000) == (1_000, 1_000))
        var model = ModelPresets.named("llama-3.1-8b")!
        model.blockSparseAttention = moba
        let ops = LayerTemplate.attention(shard: ModelShard(model), sequenceLength: 8_192)
        #expect(ops.logits.sequenceLength == 1_552 && ops.attend.sequenceLength == 1_536 && ops.softmax.inner == 1_552)
        #expect(BlockSparseAttention("0:3") == nil && BlockSparseAttention("512") == nil)
    }

    /// In prefill a chunk of 1,024 queries at the end of an 8,192-token prompt scores 1,552 keys per head (32 heads)
    /// and reads 1,536 values: the GEMMs narrow from 8,192; without MoBA they cover the whole context.
    @Test func promptChunksAttendToTheirBlocks() throws {
        var model = ModelPresets.named("llama-3.1-8b")!
        let dense = LayerTemplate.promptAttention(shard: ModelShard(model), tokens: 1_024, context: 8_192)
        #expect(dense[0].columns == 8_192 * 32 && dense[2].inner == 8_192)
        model.blockSparseAttention = try #require(BlockSparseAttention("512:3"))
        let sparse = LayerTemplate.promptAttention(shard: ModelShard(model), tokens: 1_024, context: 8_192)
        #expect(sparse[0].columns == 1_552 * 32 && sparse[1].inner == 1_552 && sparse[2].inner == 1_536)
        #expect(sparse[0].rows == 1_024 && sparse[2].columns == 32 * 128)
    }
}
