import Testing
import TriadCore
import TriadReproduction

/// A reduced NeuPIMs reproduction (a few points, seconds): every claim gets a value, and the ranking and
/// the direction of each trend are checked against what our model is expected to show. Where our model
/// disagrees with the paper the tests pin our model's direction, and the report says so.
struct ReproductionTests {
    static let result: NeuPIMsReproduction.Result = {
        let runner = try! ExperimentRunner.neupims(iterations: 30, seed: 1)
        let fused = try! ExperimentRunner.neupims(iterations: 30, seed: 1, attentionMapping: .singleArray)
        return try! NeuPIMsReproduction.run(.quick, runner: runner, sensitivityRunner: fused)
    }()

    func claim(_ id: String) -> Claim? { Self.result.claims.first { $0.id == id } }

    @Test func everyRequiredClaimHasAValue() {
        for id in [
            "neupims_vs_npu_only", "neupims_vs_npu_pim", "npu_pim_vs_npu_only", "util_npu_pim_npu", "util_npu_pim_pim",
            "util_neupims_npu", "util_neupims_pim", "drb_gain", "energy_neupims_vs_npu_only",
        ] {
            let found = claim(id)
            #expect(found != nil, "\(id)")
            #expect(found?.measured.isFinite == true)
        }
    }

    @Test func rankingAtBatch256() {
        for dataset in ["sharegpt", "alpaca"] {
            let points = Self.result.sweep.filter { $0.model == "gpt3-7b" && $0.dataset == dataset && $0.batch == 256 }
            func throughput(_ system: String) -> Double {
                points.first { $0.system == system }!.report.tokensPerSecond
            }
            #expect(throughput("neupims") > throughput("npu+pim"), "\(dataset)")
            #expect(throughput("neupims") > throughput("npu-only"), "\(dataset)")
        }
    }

    @Test func trendDirections() throws {
        // Paper directions our model reproduces.
        #expect(try #require(claim("gmlbp_gain_min")).holds == true)
        #expect(try #require(claim("sbi_gain_small_batch")).holds == true)
        #expect(try #require(claim("gain_sharegpt_over_alpaca")).holds == true)
        #expect(try #require(claim("tp_vs_pp")).holds == true)
        #expect(try #require(claim("energy_neupims_vs_npu_only")).measured < 1)
        // Greedy min-load placement balances channels better than round-robin.
        let greedy = try #require(claim("kv_busiest_channel_greedy")).measured
        let roundRobin = try #require(claim("kv_busiest_channel_round_robin")).measured
        #expect(greedy >= 1 && greedy < roundRobin)
        #expect(try #require(claim("sbi_gain_large_batch")).holds == true)
        #expect(try #require(claim("gain_grows_with_batch")).holds == true)
        // The paper's "dual row buffers" step gains, and each of its three mechanisms pays something.
        #expect(try #require(claim("drb_gain")).measured > 0.2)
        for id in ["drb_controller_gain", "drb_fused_gain", "drb_bulk_gain"] {
            #expect(try #require(claim(id)).measured > 0, "\(id)")
        }
        // NeuPIMs over the naive NPU+PIM, mean over the sweep, in the paper's neighbourhood (1.6×).
        let overBaseline = try #require(claim("neupims_vs_npu_pim")).measured
        #expect(overBaseline > 1.2 && overBaseline < 2.2, "\(overBaseline)")
    }

    /// The simulator's mode: Triad within the issue's bounds of the simulator itself, and NeuPIMs ahead of
    /// both baselines on steady-state batches of every model, data set and batch.
    @Test func snapshotModeChecks() throws {
        #expect(try #require(claim("simulator_worst_stage_error")).holds == true)
        #expect(try #require(claim("simulator_worst_layer_error")).holds == true)
        #expect(try #require(claim("snapshot_sweep_neupims_vs_npu_pim")).measured > 1.2)
        #expect(try #require(claim("snapshot_sweep_neupims_vs_npu_only")).measured > 1)
        // The simulator's FusedMHA baseline is far slower than streaming K/V at full bandwidth.
        let fused = try #require(claim("snapshot_neupims_vs_npu_only_fusedmha")).measured
        #expect(fused > 2 * (try #require(claim("snapshot_neupims_vs_npu_only")).measured))
    }

    @Test func utilizationsAreFractions() throws {
        for id in ["util_npu_pim_npu", "util_npu_pim_pim", "util_neupims_npu", "util_neupims_pim"] {
            let value = try #require(claim(id)).measured
            #expect(value > 0 && value <= 1, "\(id) \(value)")
        }
    }

    @Test func outputsRender() {
        let json = ClaimRendering.json(Self.result.claims)
        #expect(
            json.hasPrefix("{\"triad_version\":\"\(TriadVersion.current)\",\"claims\":[{\"id\":\"neupims_vs_npu_only\"")
        )
        let svg = SweepChart.svg(Self.result.sweep, systems: NeuPIMsReproduction.systems, title: "t")
        #expect(svg.contains("<polyline"))
        #expect(svg.hasPrefix("<svg"))
    }

    @Test func matmulFreeFigures() throws {
        let claims = MatMulFreeReproduction.run()
        let stack = try #require(claims.first { $0.id == "fpga_table3_d512_ms" })
        // One add per cycle: 24 layers × 3,407,872 adds at 60 MHz ≈ 1,363 ms, plus element-wise work.
        #expect(stack.measured > 1_363 && stack.measured < 1_450)
        #expect(stack.note.contains("31.7 adds per cycle"))
        let crossover = try #require(claims.first { $0.id == "fpga_memory_bound_adders" })
        // 76.8 GB/s at 2 bits per weight feeds 5,120 weights per 60 MHz cycle.
        #expect(abs(crossover.measured - 5120) <= 128)
        let rate = try #require(claims.first { $0.id == "fpga_1p3b_tokens_per_s" }).measured
        let joules = try #require(claims.first { $0.id == "fpga_1p3b_joules_per_token" }).measured
        #expect(abs(rate * joules - 13) < 1e-6)
    }

    /// Ternip's builds predicted from its RTL and timing report alone: 370M and both 1.3B builds within ±10 %; the
    /// 2.7B build's measured rate is above the matrix unit's own floor at the published 128 weights per cycle, so it
    /// stays out of reach (and the claim says so). The per-lane cycles by hand for 370M: 24 × (13 × 1024² / 128 +
    /// 255.2 × 1024 / 4) = 4,123,852.8.
    @Test func ternipPredictions() throws {
        let claims = MatMulFreeReproduction.run()
        for id in ["ternip_mmfree-370m_48_lanes", "ternip_mmfree-1p3b_35_lanes", "ternip_mmfree-1p3b_41_lanes"] {
            let claim = try #require(claims.first { $0.id == id })
            #expect(claim.holds == true, "\(id) \(claim.measured)")
        }
        let large = try #require(claims.first { $0.id == "ternip_mmfree-2p7b_29_lanes" })
        #expect(large.holds == false && large.note.contains("matrix unit alone"))
        let design = TernaryDesign.ternip[0]
        #expect(abs(design.ternipCyclesPerToken() - 4_123_852.8) < 1e-3)
    }
}

/// Triad's experts against DynaNDE-Simulator's recorded runs (docs/MODEL.md §12.3): every layer within ±15 %. The
/// DeepSeekMoE-like layer at batch 32 misses it (−18.8 % and −20.6 %): two thirds of its small experts' second GEMM take
/// half as long again in the simulator's DRAM (row conflicts Triad's sustained-bandwidth model does not see; at batch
/// 128 only a few do, −10 %) — a known issue, not a relaxed bar.
struct DynaNDECheckTests {
    @Test func expertsAgreeWithTheSimulator() {
        let rows = DynaNDECheck.run(npu: .neupims)
        let layers = rows.filter { $0.expert.hasPrefix("layer") }
        #expect(layers.count == DynaNDECheck.references.count)
        let missing = { (row: DynaNDECheck.Row) in row.run.hasPrefix("DeepSeekMoE-like, batch 32,") }
        for row in layers where !missing(row) {
            #expect(abs(row.error) <= 0.15, "\(row.run): \(row.error)")
        }
        withKnownIssue("DRAMsim3 row conflicts on most DeepSeekMoE-like experts' fc2 at batch 32 (docs/MODEL.md §12.3)") {
            for row in layers where missing(row) {
                #expect(abs(row.error) <= 0.15, "\(row.run): \(row.error)")
            }
        }
    }
}

/// LUT Tensor Core on the NeuPIMs NPU (docs/MODEL.md §13.1): table lookup beats dequantize-then-GEMM at every low
/// width at batch 1, more at fewer bits; over FP16 it lands in the paper's end-to-end range; the precompute share of a
/// layer is the hand ratio for OPT-175B's layer shapes.
struct LookupTableReproductionTests {
    @Test func lookupBeatsDequantizationAtOneToken() throws {
        let claims = try LookupTableReproduction.claims()
        let speedups = ["int8", "int4", "int2"].map { width in
            claims.first { $0.id == "lut-decode-\(width)-over-dequantize" }!.measured
        }
        #expect(speedups[0] > 1 && speedups[1] > speedups[0] && speedups[2] > speedups[1], "\(speedups)")
        for width in ["int4", "int2"] {
            let claim = claims.first { $0.id == "lut-decode-\(width)-over-fp16" }!
            #expect(claim.holds == true, "\(width): \(claim.measured)")
        }
    }

    /// Per GEMM the tables cost 2 × tokens × inner / 1,024 lanes cycles; the GEMMs' compute tokens/2 × inner/4 ×
    /// outputs/64 × W / 5,350 units. With the layer compute-bound, the share approaches 5,350 × 2 × 2 × 64 × 4 /
    /// (1,024 × W × outputs) summed per GEMM — checked here to lie between the QKV GEMM's and the projection's ratios.
    @Test func precomputeShareFollowsTheTableWork() {
        let share = LookupTableReproduction.precomputeOverhead(
            model: ModelPresets.named("gpt3-175b")!, tokens: 1024, weights: .int2, npu: .neupims)
        let ratio = { (outputs: Double) in 5_350.0 / (outputs * 2) }
        #expect(share > ratio(3 * 12_288) * 0.5 && share < ratio(12_288) * 1.05, "\(share)")
    }
}
