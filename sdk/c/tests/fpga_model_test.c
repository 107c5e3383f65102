/* The C FPGA model against values computed by Triad's Swift model (Tests/TriadDevicesTests/FPGACostModelTests.swift
 * and the vectors in the SDK's README), and the protocol's operation checks. */
#include <stdio.h>
#include <string.h>

#include "fpga_model.h"

static int failures = 0, checks = 0;

#define EXPECT(condition, ...)                                                                                         \
    do {                                                                                                               \
        checks++;                                                                                                      \
        if (!(condition)) {                                                                                            \
            failures++;                                                                                                \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                       \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fprintf(stderr, "\n");                                                                                     \
        }                                                                                                              \
    } while (0)

static Triad__V1__DeviceConfig device(Triad__V1__FPGAConfig *f) {
    Triad__V1__DeviceConfig d = TRIAD__V1__DEVICE_CONFIG__INIT;
    d.id = "fpga0";
    d.kind_case = TRIAD__V1__DEVICE_CONFIG__KIND_FPGA;
    d.fpga = f;
    return d;
}

static Triad__V1__FPGAConfig config(uint32_t cores, uint32_t adders, int64_t mhz, double bits, int64_t bandwidth,
                                    double efficiency, int64_t fixed, uint32_t lanes) {
    Triad__V1__FPGAConfig f = TRIAD__V1__FPGACONFIG__INIT;
    f.cores = cores;
    f.adders_per_core = adders;
    f.clock_mhz = mhz;
    f.bits_per_weight = bits;
    f.memory_bandwidth_bytes_per_second = bandwidth;
    f.memory_efficiency = efficiency;
    f.memory_bytes = (int64_t)1 << 35;
    f.power_w = 13;
    f.fixed_latency_cycles = fixed;
    f.elementwise_lanes = lanes;
    return f;
}

static void check(Triad__V1__FPGAConfig f, int kind, int rows, int inner, int columns, int64_t cycles, int64_t duration,
                  int64_t compute, int64_t memory, int64_t command) {
    Triad__V1__DeviceConfig d = device(&f);
    Triad__V1__Operation o = TRIAD__V1__OPERATION__INIT;
    o.kind = kind;
    o.rows = rows;
    o.inner = inner;
    o.columns = columns;
    o.is_ternary = 1;
    Triad__V1__Operation *list[] = {&o};
    triad_cost cost;
    char error[256] = "";
    int code = fpga_costs(&d, list, 1, &cost, error, sizeof error);
    EXPECT(code == 0, "%s %dx%dx%d refused: %s", triad_operation_label(kind), rows, inner, columns, error);
    EXPECT(cost.cycles == cycles && cost.duration_ps == duration && cost.compute_cycles == compute &&
               cost.memory_cycles == memory && cost.command_cycles == command,
           "%s %dx%dx%d: {%lld, %lld, %lld, %lld, %lld}", triad_operation_label(kind), rows, inner, columns,
           (long long)cost.cycles, (long long)cost.duration_ps, (long long)cost.compute_cycles, (long long)cost.memory_cycles,
           (long long)cost.command_cycles);
}

int main(void) {
    Triad__V1__FPGAConfig t = config(1, 512, 60, 2, 76800000000, 1, 10, 16);
    check(t, 8, 1, 2048, 11264, 45066, 751100000, 45056, 0, 10);
    Triad__V1__FPGAConfig wide = config(1, 8192, 60, 2, 76800000000, 1, 10, 16);
    check(wide, 8, 1, 2048, 11264, 4526, 75433333, 2816, 1700, 10);
    Triad__V1__FPGAConfig matmulfree = config(256, 1, 60, 2, 76800000000, 1, 0, 16);
    check(matmulfree, 12, 1, 2048, 6144, 49152, 819200000, 49152, 0, 0);
    check(matmulfree, 1, 1, 2048, 0, 640, 10666667, 640, 0, 0);
    check(matmulfree, 13, 4, 2048, 0, 7680, 128000000, 7680, 0, 0);
    Triad__V1__FPGAConfig hetero = config(64, 512, 170, 2, 76800000000, 1, 0, 16);
    check(hetero, 8, 16, 2560, 13824, 20165, 118617647, 17280, 2885, 0);
    check(hetero, 4, 32, 301, 0, 1806, 10623529, 1806, 0, 0);
    Triad__V1__FPGAConfig odd = config(3, 7, 333, 1.6, 19200000000, 0.85, 25, 4);
    check(odd, 2, 3, 1000, 999, 142740, 428648649, 142715, 0, 25);
    check(odd, 9, 3, 1001, 0, 751, 2255255, 751, 0, 0);

    /* Refusals: fp16 matrices, attention, shapes whose size product overflows, out-of-range sizes. */
    Triad__V1__DeviceConfig d = device(&hetero);
    Triad__V1__Operation o = TRIAD__V1__OPERATION__INIT;
    o.kind = 8, o.rows = 4, o.inner = 64, o.columns = 64, o.is_ternary = 0;
    Triad__V1__Operation *list[] = {&o};
    triad_cost cost;
    char error[256];
    EXPECT(fpga_costs(&d, list, 1, &cost, error, sizeof error) == 8 && strstr(error, "cannot run ffn-up"), "%s", error);
    o.is_ternary = 1, o.rows = 1 << 22, o.inner = 1 << 21, o.columns = 1 << 21;
    EXPECT(fpga_costs(&d, list, 1, &cost, error, sizeof error) == 8 && strstr(error, "far too large"), "%s", error);
    o.rows = 1 << 25;
    EXPECT(triad_check_operation(&o, error, sizeof error) == 1 && strstr(error, "out of range"), "%s", error);
    o.rows = 1, o.kind = 3, o.heads = 4, o.key_value_heads = 3, o.head_dimension = 8;
    EXPECT(triad_check_operation(&o, error, sizeof error) == 1, "uneven GQA accepted");

    /* Configuration checks. */
    Triad__V1__FPGAConfig bad = hetero;
    bad.memory_efficiency = 0;
    Triad__V1__DeviceConfig b = device(&bad);
    EXPECT(fpga_check_configuration(&b, error, sizeof error) == 1, "efficiency 0 accepted");
    bad = hetero;
    bad.cores = 0;
    EXPECT(fpga_check_configuration(&b, error, sizeof error) == 1 && strcmp(error, "cores must be positive") == 0, "%s", error);
    printf("fpga_model_test: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
