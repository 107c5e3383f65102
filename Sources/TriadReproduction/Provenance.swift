import TriadCore
import TriadDevices

/// Where every number a reproduction uses comes from, in one place: the values are read from the presets
/// the experiments run on, the sources written next to them.
public enum Provenance {
    /// The NeuPIMs hardware (casys-kaist/NeuPIMs configs and NewtonSim; docs/MODEL.md §1–§2).
    public static var neupims: [ParameterSource] {
        let npu = NPUConfiguration.neupims
        let pim = PIMConfiguration.neupims(rowBuffers: .dual)
        let t = pim.timing
        let sim = "NeuPIMs simulator configs (configs/systolic_ws_128x128_dev.json, memory_configs/neupims.json)"
        return [
            ParameterSource("NPU systolic arrays", "\(npu.systolicArrays) × \(npu.arrayRows)×\(npu.arrayColumns)", sim),
            ParameterSource("NPU clock", "\(npu.clock.megahertz) MHz", sim),
            ParameterSource(
                "NPU GEMM mapping",
                "\(npu.gemmMapping.rawValue): 16-cycle instructions, \(npu.arrayRows)-cycle preload",
                "src/operations/MatMul.cc (_is_transposed), src/NeuPIMSystolicWS.cc [sim]"),
            ParameterSource(
                "NPU sustained bandwidth", "\(npu.memoryEfficiency) of peak",
                "(tREFI − tRFC) / tREFI of the HBM2 [derived]"),
            ParameterSource(
                "NPU prefetch / weight reuse", "\(npu.prefetchesWeights) / \(npu.reusesWeights)",
                "src/NeuPIMSCore.cc: ops one at a time, scratchpad flushed [sim]"),
            ParameterSource(
                "host PIM issue (baseline)", "\(npu.pimIssueRate) instruction per cycle; +bulk: whole tiles",
                "NeuPIMSystolicWS::pim_ld_queue_cycle, npu+pim branch vs main [sim]"),
            ParameterSource(
                "NPU vector units", "\(npu.vectorUnits) × \(npu.vectorLanes) lanes, \(npu.vectorOpLatency)-cycle ops",
                sim),
            ParameterSource("NPU SRAM", "\(npu.sramBytes) B", "configs/systolic_ws_128x128_dev.json (134,218 KB)"),
            ParameterSource(
                "NPU memory bandwidth", "\(npu.memoryBandwidthBytesPerSecond / 1_000_000_000) GB/s",
                "32 channels × 32 GB/s [sim]"),
            ParameterSource(
                "NPU MAC energy", "\(npu.macEnergyPicojoules) pJ",
                "fp16 mul 0.34 + add 0.16 pJ at 7 nm (docs/MODEL.md §6) — assumption: the sources give no NPU energy"
            ),
            ParameterSource("NPU static power", "\(npu.staticPowerWatts) W", "assumption: no source gives one"),
            ParameterSource(
                "HBM2 channels × capacity", "\(pim.memory.channels) × \(pim.memory.channelCapacityBytes) B", sim),
            ParameterSource(
                "banks per channel", "\(pim.ranks) ranks × \(pim.bankGroups) groups × \(pim.banksPerGroup)", sim),
            ParameterSource("row / access", "\(pim.memory.rowBytes) B / \(pim.memory.accessBytes) B", sim),
            ParameterSource("multipliers per bank", "\(pim.multipliersPerBank)", sim),
            ParameterSource(
                "DRAM timing (cycles at 1 GHz)",
                "CL \(t.casLatency) tRCD \(t.rowToColumnDelay) tRP \(t.rowPrecharge) tRAS \(t.rowActive) tRRD_S/L \(t.activateToActivateShort)/\(t.activateToActivateLong) tFAW \(t.fourActivateWindow) tCCD_S/L \(t.columnToColumnShort)/\(t.columnToColumnLong) tRTP \(t.readToPrecharge) tREFI \(t.refreshInterval) tRFC \(t.refreshCycle) BL/2 \(t.burstCycles)",
                "NeuPIMs HBM2 config; tRTP is the code default [sim]"),
            ParameterSource(
                "DRAM energy (pJ)",
                "ACT \(pim.memory.activateEnergyPicojoules) READ \(pim.memory.readEnergyPicojoules) WRITE \(pim.memory.writeEnergyPicojoules) standby \(pim.memory.standbyPowerWatts * 1000) mW per channel",
                "DRAMsim3-style energy of the NeuPIMs config [sim]"),
            ParameterSource(
                "PIM command energy (pJ)",
                "COMP \(pim.compEnergyPicojoules) G_ACT \(pim.groupActivateEnergyPicojoules) GWRITE \(pim.globalWriteEnergyPicojoules) READRES \(pim.readResultEnergyPicojoules)",
                "4×READ, 4×ACT, 16×READ, READ [sim]"),
            ParameterSource("max sequence", "2048 tokens", "NeuPIMs method [paper]"),
            ParameterSource(
                "workloads", "ShareGPT 80.3/295.0, Alpaca 12.1/55.8 mean tokens",
                "NeuPIMs repository length data (Sources/TriadDatasets/Resources)"),
        ]
    }

    /// Modelling assumptions the sources do not settle.
    public static let neupimsAssumptions: [String] = [
        "NPU-only attention runs on the vector units and streams K/V at the sustained bandwidth; the simulator's FusedMHA mapping is shown beside it.",
        "With dual row buffers an NPU stream beside PIM work loses the channels' mean time held by PIM commands (docs/MODEL.md §2.5).",
        "Softmax of PIM attention runs on the NPU vector units, pipelined with the channels.",
        "The sweep runs one device group standing for all TP × PP replicas without communication; the TP-vs-PP points add TP all-reduces and PP hand-overs over an assumed 300 GB/s, 1 µs link (docs/MODEL.md §8); PP splits the batch into PP micro-batches.",
        "`neupims` interleaves in the iterations where the composed timeline is faster; `npu+pim+…+sbi` interleaves always.",
        "Each request reserves KV capacity for its full length on admission.",
        "Averages over the sweep are arithmetic means of per-point ratios.",
    ]
}
