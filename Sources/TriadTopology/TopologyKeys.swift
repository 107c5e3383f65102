/// Every key a topology file may use (Topologies/README.md). A missing key is blamed on a typo only when the
/// near-miss found in its place is not itself one of these (a missing `cl` is not a misspelt `al`).
enum TopologyKeys {
    static let all: Set<String> = [
        "name", "description", "devices", "links", "from", "to", "id", "kind", "count", "groups", "interconnect",
        "parallelism", "tensor", "pipeline", "policy", "layers", "role", "worker", "bandwidth_gb_per_s", "latency_ns",
        // npu
        "systolic_arrays", "array_rows", "array_columns", "clock_mhz", "vector_units", "vector_lanes",
        "vector_op_latency_cycles", "sram_bytes", "memory_bandwidth_gb_per_s", "mac_energy_pj", "vector_op_energy_pj",
        "static_power_w", "attention_mapping", "gemm_mapping", "low_bit_gemm", "memory_efficiency", "prefetch_weights",
        "reuse_weights", "pim_issue_rate",
        // hbm and the memory of pim
        "channels", "channel_bandwidth_gb_per_s", "channel_capacity_bytes", "row_bytes", "access_bytes",
        "activate_energy_pj", "read_energy_pj", "write_energy_pj", "standby_energy_pj_per_cycle", "standby_power_mw",
        // pim
        "timing", "ranks", "bank_groups", "banks_per_group", "multipliers_per_bank", "element_bytes", "row_buffers",
        "fidelity", "comp_energy_pj", "gact_energy_pj", "gwrite_energy_pj", "readres_energy_pj", "command_set",
        "gqa_mapping", "query_vectors", "pim_level", "pim_dataflow", "processing_units", "mac_interval_cycles",
        "pim_read_energy_pj_per_byte", "pim_mac_energy_pj",
        "cl", "trcd", "trp", "tras", "trrd_s", "trrd_l", "tfaw", "tccd_s", "tccd_l", "twtr_s", "twtr_l", "twr", "trtp",
        "trefi", "trfc", "burst_cycles", "al",
        // fpga
        "cores", "adders_per_core", "bits_per_weight", "memory_bytes", "power_w", "fixed_latency_cycles",
        "elementwise_lanes",
    ]
}
