/* The ternary FPGA's cost model (Sources/TriadDevices/FPGA/FPGACostModel.swift, docs/MODEL.md §5), bit for bit. */
#ifndef TRIAD_FPGA_MODEL_H
#define TRIAD_FPGA_MODEL_H

#include "triad_worker.h"

/* Checks an FPGA configuration as the Swift worker does: 0, or ERROR_CODE_MALFORMED with one line in `error`. */
int fpga_check_configuration(const Triad__V1__DeviceConfig *device, char *error, size_t error_size);

/* Costs `count` operations: 0, or ERROR_CODE_UNSUPPORTED_OPERATION with one line in `error`. */
int fpga_costs(const Triad__V1__DeviceConfig *device, Triad__V1__Operation *const *operations, size_t count,
               triad_cost *costs, char *error, size_t error_size);

#endif
