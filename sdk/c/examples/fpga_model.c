/*
 * The ternary FPGA (docs/MODEL.md §5): t = max(B·M·K / (cores · adders · f), (M·K·bits/8 + activations) /
 * (efficiency · bandwidth)) + t_fixed; element-wise work on separate lanes. Every formula keeps the Swift model's
 * order of operations (built with -ffp-contract=off) so the costs are the same bits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fpga_model.h"

enum { CATEGORY_MATRIX, CATEGORY_ATTENTION, CATEGORY_VECTOR };

static int category(int kind) {
    switch (kind) {
    case 2: case 6: case 8: case 10: case 11: case 12: case 14: return CATEGORY_MATRIX;
    case 3: case 5: return CATEGORY_ATTENTION;
    default: return CATEGORY_VECTOR;
    }
}

static int positive(int64_t value, int64_t limit, const char *name, char *error, size_t size) {
    if (value <= 0) return snprintf(error, size, "%s must be positive", name), 1;
    if (value > limit) return snprintf(error, size, "%s %lld is out of range", name, (long long)value), 1;
    return 0;
}

int fpga_check_configuration(const Triad__V1__DeviceConfig *device, char *error, size_t error_size) {
    const int malformed = TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
    if (device->kind_case != TRIAD__V1__DEVICE_CONFIG__KIND_FPGA) {
        snprintf(error, error_size, "%s: this worker emulates a ternary FPGA only", device->id);
        return TRIAD__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED_OPERATION;
    }
    const Triad__V1__FPGAConfig *f = device->fpga;
    if (!(f->bits_per_weight >= 0.1 && f->bits_per_weight <= 64 && f->memory_efficiency >= 0.001 &&
          f->memory_efficiency <= 1 && isfinite(f->power_w) && f->power_w >= 0)) {
        snprintf(error, error_size, "bits_per_weight and memory_efficiency must be positive");
        return malformed;
    }
    const int64_t small = (int64_t)1 << 20, large = (int64_t)1 << 50;
    if (positive(f->cores, small, "cores", error, error_size) ||
        positive(f->adders_per_core, small, "adders_per_core", error, error_size) ||
        positive(f->clock_mhz, small, "clock_mhz", error, error_size) ||
        positive(f->memory_bandwidth_bytes_per_second, large, "memory_bandwidth", error, error_size) ||
        positive(f->memory_bytes, large, "memory_bytes", error, error_size))
        return malformed;
    if (f->power_w > 1e9) return snprintf(error, error_size, "power_w %g is out of range", f->power_w), malformed;
    if (f->fixed_latency_cycles != 0 && positive(f->fixed_latency_cycles, small, "fixed_latency_cycles", error, error_size))
        return malformed;
    if (positive(f->elementwise_lanes, small, "elementwise_lanes", error, error_size)) return malformed;
    return 0;
}

/* Swift's `scaled(value, times:, over:, roundingUp: false)`: value × times / over, rounded half up, saturating. */
static int64_t scaled(int64_t value, int64_t times, int64_t over) {
    __int128 product = (__int128)value * times;
    unsigned __int128 biased = (unsigned __int128)product + (uint64_t)(over / 2);
    uint64_t high = (uint64_t)(biased >> 64), low = (uint64_t)biased;
    int fits = (high == 0 && low < ((uint64_t)1 << 63)) || ((int64_t)high >= 0 && high < (uint64_t)over / 2);
    if (!fits) return INT64_MAX;
    return (int64_t)(biased / (unsigned __int128)over);
}

static int64_t ceil_div(int64_t value, int64_t divisor) {
    return value >= 0 ? value / divisor + (value % divisor == 0 ? 0 : 1) : (value + divisor - 1) / divisor;
}

/* CostBound.check (Sources/TriadDevices/Evaluation/CostBound.swift): sizes, shape, then the estimate. */
static int bound(const Triad__V1__FPGAConfig *f, const Triad__V1__Operation *o, char *error, size_t size) {
    double sizes[7] = {o->rows, o->inner, o->columns, o->sequence_length, o->heads, o->key_value_heads, o->head_dimension};
    for (int i = 0; i < 7; i++) if (sizes[i] < 1) sizes[i] = 1;
    for (int i = 1; i < 7; i++)
        for (int j = i; j > 0 && sizes[j - 1] > sizes[j]; j--) {
            double t = sizes[j]; sizes[j] = sizes[j - 1]; sizes[j - 1] = t;
        }
    const char *label = triad_operation_label(o->kind);
    if (!(((1.0 * sizes[4]) * sizes[5]) * sizes[6] < 0x1p60))
        return snprintf(error, size, "operation %s is far too large for this device", label), 1;
    int valid;
    switch (category(o->kind)) {
    case CATEGORY_MATRIX: valid = o->rows > 0 && o->inner > 0 && o->columns > 0; break;
    case CATEGORY_VECTOR: valid = o->rows > 0 && o->inner > 0; break;
    default:
        valid = o->sequence_length > 0 && o->heads > 0 && o->key_value_heads > 0 && o->head_dimension > 0 &&
                o->heads % o->key_value_heads == 0;
    }
    if (!valid) return snprintf(error, size, "operation %s has an empty or inconsistent shape", label), 1;
    double r = o->rows, i = o->inner, c = o->columns, cm = c < 1.0 ? 1.0 : c;
    double adds = (r * i) * cm;
    double memory = ((((i * cm) * f->bits_per_weight) / 8 + r * (i + c)) /
                     ((double)f->memory_bandwidth_bytes_per_second * f->memory_efficiency)) *
                    (double)f->clock_mhz * 1e6;
    double cycles = adds / (double)((int64_t)f->cores * f->adders_per_core) + memory + (double)f->fixed_latency_cycles +
                    r * i * 15 / (double)f->elementwise_lanes;
    if (!isfinite(cycles) || cycles > 1e15)
        return snprintf(error, size, "operation %s is far too large for this device", label), 1;
    return 0;
}

static triad_cost cost(const Triad__V1__FPGAConfig *f, const Triad__V1__Operation *o) {
    triad_cost result = {0};
    if (category(o->kind) == CATEGORY_MATRIX) {
        int64_t adds = (int64_t)o->rows * o->inner * o->columns;
        int64_t compute = ceil_div(adds, (int64_t)f->cores * f->adders_per_core);
        int64_t weights = (int64_t)ceil((double)((int64_t)o->inner * o->columns) * f->bits_per_weight / 8);
        int64_t activations = (int64_t)o->rows * ((int64_t)o->inner + o->columns);
        double effective = (double)f->memory_bandwidth_bytes_per_second * f->memory_efficiency;
        double seconds = (double)(weights + activations) / effective;
        int64_t memory = (int64_t)ceil(seconds * (double)f->clock_mhz * 1e6);
        result.cycles = (compute > memory ? compute : memory) + f->fixed_latency_cycles;
        result.compute_cycles = compute;
        result.memory_cycles = memory - compute > 0 ? memory - compute : 0;
        result.command_cycles = f->fixed_latency_cycles;
    } else {
        int64_t per = o->kind == 13 ? 15 : o->kind == 1 ? 5 : o->kind == 4 ? 3 : 1;
        result.cycles = ceil_div((int64_t)o->rows * o->inner * per, f->elementwise_lanes);
        result.compute_cycles = result.cycles;
    }
    result.duration_ps = scaled(result.cycles, 1000000, f->clock_mhz);
    return result;
}

int fpga_costs(const Triad__V1__DeviceConfig *device, Triad__V1__Operation *const *operations, size_t count,
               triad_cost *costs, char *error, size_t error_size) {
    const Triad__V1__FPGAConfig *f = device->fpga;
    for (size_t index = 0; index < count; index++) {
        if (bound(f, operations[index], error, error_size)) return TRIAD__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED_OPERATION;
    }
    for (size_t index = 0; index < count; index++) {
        const Triad__V1__Operation *o = operations[index];
        int kind = category(o->kind);
        if (kind == CATEGORY_ATTENTION || (kind == CATEGORY_MATRIX && !o->is_ternary)) {
            snprintf(error, error_size, "%s: the ternary FPGA cannot run %s", device->id, triad_operation_label(o->kind));
            return TRIAD__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED_OPERATION;
        }
        costs[index] = cost(f, o);
    }
    return 0;
}
