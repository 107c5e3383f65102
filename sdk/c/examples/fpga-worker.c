/*
 * fpga-worker: a Triad worker that emulates the ternary FPGA with the same cost formulas as Triad's own model.
 * It takes `triad worker`'s command line, so a topology device with `worker: sdk/c/build/fpga-worker` is served
 * by it under `triad up`:
 *   fpga-worker worker --connect tcp://127.0.0.1:5555 --device fpga0 --once
 */
#include <signal.h>
#include <stdio.h>

#include "fpga_model.h"
#include "triad_worker.h"

static volatile int stop_requested = 0;

static void request_stop(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

static int configure(void *user, const Triad__V1__DeviceConfig *device, char *error, size_t error_size) {
    (void)user;
    return fpga_check_configuration(device, error, error_size);
}

static int evaluate(void *user, const Triad__V1__DeviceConfig *device, Triad__V1__Operation *const *operations,
                    size_t count, triad_cost *costs, char *error, size_t error_size) {
    (void)user;
    return fpga_costs(device, operations, count, costs, error, error_size);
}

int main(int argc, char **argv) {
    triad_worker_options options = {0};
    int exit_with_parent = 0;
    int status = triad_worker_parse_arguments(argc, argv, &options, &exit_with_parent);
    if (status != 0) return status;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, request_stop);
    signal(SIGTERM, request_stop);
    if (exit_with_parent) triad_worker_watch_parent();
    options.configure = configure;
    options.evaluate = evaluate;
    options.stop = &stop_requested;
    return triad_worker_run(&options);
}
