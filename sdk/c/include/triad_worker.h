/*
 * triad_worker.h — serve one device of a Triad cluster from C (Proto/triad.proto, the protocol version its
 * ProtocolVersion names: TRIAD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT).
 *
 * A worker connects a ZeroMQ DEALER to the coordinator, registers its device, accepts the device's
 * configuration and answers cost requests: each EvaluateBatch hands the worker's evaluate callback a
 * batch of operations, and the callback fills one cost per operation. Heartbeats, re-registration after
 * silence or a dropped connection, frame-count and size caps and the protocol's input checks are handled
 * here, exactly as the Swift worker (`triad worker`) does them, so the coordinator cannot tell the two apart.
 * The timings are the proto's ProtocolDefaults until the coordinator's RegisterAck announces its own.
 *
 * Units: durations in picoseconds, energies in picojoules, sizes in elements or bytes as the proto says.
 */
#ifndef TRIAD_WORKER_H
#define TRIAD_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "triad.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One operation's cost, the fields of OperationCost. */
typedef struct {
    int64_t cycles;
    int64_t duration_ps;
    int64_t streamed_bytes;
    double energy_pj;
    int64_t compute_cycles;
    int64_t memory_cycles;
    int64_t preload_cycles;
    int64_t command_cycles;
} triad_cost;

/*
 * Accepts (return 0) or refuses the device configuration the coordinator sends. On refusal return an
 * ErrorCode (e.g. TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED) and write one line into `error`.
 * The SDK has already checked the id and that a configuration kind is set.
 */
typedef int (*triad_configure_fn)(void *user, const Triad__V1__DeviceConfig *device, char *error, size_t error_size);

/*
 * Costs `count` operations (already range-checked) on `device` (the accepted configuration), writing
 * `costs[0..count)`. Return 0, or an ErrorCode (usually ERROR_CODE_UNSUPPORTED_OPERATION) with one line in
 * `error`: the whole batch is then answered with that error.
 */
typedef int (*triad_evaluate_fn)(void *user, const Triad__V1__DeviceConfig *device,
                                 Triad__V1__Operation *const *operations, size_t count, triad_cost *costs,
                                 char *error, size_t error_size);

typedef struct {
    /* tcp://HOST:PORT (1…65535), ipc://PATH or inproc://NAME. */
    const char *endpoint;
    /* 1…64 characters of [A-Za-z0-9._-], starting with a letter or digit. */
    const char *device_id;
    /* Non-zero: end (status 0) after the coordinator's Disconnect; zero: a daemon that then forgets the device
     * configuration and registers again for the next coordinator. */
    int once;
    /* CURVE: the coordinator's public key and this worker's key pair, 40-character Z85 each; NULL: none. */
    const char *server_public_key;
    const char *public_key;
    const char *secret_key;
    /* 0 errors only, 1 also warnings, 2 also information (stderr). */
    int verbosity;
    triad_configure_fn configure;
    triad_evaluate_fn evaluate;
    void *user;
    /* Set to non-zero (e.g. from a signal handler) to end the worker gracefully; may be NULL. */
    volatile int *stop;
} triad_worker_options;

/*
 * Serves until stopped, refused, or (with `once`) until the run ends. Returns the status `triad worker`
 * exits with: 0 done, 1 transport failure, 2 bad options, 3 refused by the coordinator (one stderr line).
 */
int triad_worker_run(const triad_worker_options *options);

/*
 * Reads `triad worker`'s command line — `worker --connect EP --device ID [--once] [--exit-with-parent]
 * [--log-level LEVEL] [--curve] [--curve-key FILE] [--server-key KEY|FILE]` — into `options` (strings point
 * into argv or static storage). Returns 0, or 2 after one line on stderr. `exit_with_parent` is set when
 * the worker must end with its parent process.
 */
int triad_worker_parse_arguments(int argc, char **argv, triad_worker_options *options, int *exit_with_parent);

/* Ends the process (status 0) when its parent exits, checked every 200 ms from a thread. */
int triad_worker_watch_parent(void);

/* The checks the protocol applies to an operation: 0, or ERROR_CODE_MALFORMED with one line in `error`. */
int triad_check_operation(const Triad__V1__Operation *operation, char *error, size_t error_size);

/* The label Triad uses for an operation kind ("qkv", "ffn-up", …), or "?". */
const char *triad_operation_label(int kind);

#ifdef __cplusplus
}
#endif

#endif
