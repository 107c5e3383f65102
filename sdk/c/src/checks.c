/* The protocol's checks on an operation (Sources/TriadWire/Conversions.swift) and operation labels. */
#include <stdio.h>

#include "triad_worker.h"

const char *triad_operation_label(int kind) {
    static const char *const labels[] = {"?",      "norm",     "qkv",   "logits",  "softmax",  "attend",    "proj", "add",
                                         "ffn-up", "act",      "ffn-down", "lm-head", "mixer-in", "recurrence", "mixer-out"};
    return kind >= 1 && kind <= 14 ? labels[kind] : "?";
}

int triad_check_operation(const Triad__V1__Operation *operation, char *error, size_t error_size) {
    const int32_t sizes[] = {operation->rows,  operation->inner,           operation->columns,       operation->sequence_length,
                             operation->heads, operation->key_value_heads, operation->head_dimension};
    for (size_t index = 0; index < sizeof sizes / sizeof sizes[0]; index++) {
        if (sizes[index] < 0 || sizes[index] > (1 << 24)) {
            snprintf(error, error_size, "operation size %d out of range", (int)sizes[index]);
            return TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
        }
    }
    if (operation->kind < 1 || operation->kind > 14) {
        snprintf(error, error_size, "unknown operation kind %d", (int)operation->kind);
        return TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
    }
    if (operation->pim_modes > 3) {
        snprintf(error, error_size, "unknown PIM mode bits %u", (unsigned)operation->pim_modes);
        return TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
    }
    if (operation->kind == 3 || operation->kind == 5) {
        if (operation->heads < 1 || operation->key_value_heads < 1 || operation->head_dimension < 1 ||
            operation->heads % operation->key_value_heads != 0) {
            snprintf(error, error_size, "attention operation needs heads, KV heads and head dimension");
            return TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
        }
    }
    return 0;
}
