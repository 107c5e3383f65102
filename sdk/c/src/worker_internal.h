/* Internal to the SDK: the worker's state and the steps the loop (worker.c) and the message handler (messages.c)
 * share. tests/worker_session_test.c drives these steps directly. */
#ifndef TRIAD_WORKER_INTERNAL_H
#define TRIAD_WORKER_INTERNAL_H

#include "triad_worker.h"

/* The protocol's version, timings and limits: Proto/triad.proto's ProtocolVersion and ProtocolDefaults as
 * generated into triad.pb-c.h (bash scripts/generate-proto-c), never copied here. */
#define TRIAD_PROTOCOL_VERSION TRIAD__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT
#define TRIAD_DEFAULT_HEARTBEAT_MS TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_HEARTBEAT_MS
#define TRIAD_DEFAULT_COORDINATOR_LIVENESS_MS TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_COORDINATOR_LIVENESS_MS
#define TRIAD_DEFAULT_WORKER_LIVENESS_MS TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_WORKER_LIVENESS_MS
#define TRIAD_DROPPED_CONNECTION_GRACE_MS TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_DROPPED_CONNECTION_GRACE_MS
#define TRIAD_REGISTER_INTERVAL_MS TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_REGISTER_INTERVAL_MS
#define TRIAD_MAXIMUM_MESSAGE_BYTES TRIAD__V1__PROTOCOL_DEFAULTS__PROTOCOL_DEFAULTS_MAXIMUM_MESSAGE_BYTES

/* The timings a RegisterAck may announce (as the Swift worker's SessionTimings): heartbeats from 10 ms to a minute,
 * each liveness window longer than the heartbeat and at most an hour. Out of range: the worker keeps its own. */
enum { TRIAD_HEARTBEAT_MIN_MS = 10, TRIAD_HEARTBEAT_MAX_MS = 60000, TRIAD_LIVENESS_MAX_MS = 3600000 };

typedef struct {
    const triad_worker_options *options;
    void *context;
    void *socket;
    void *monitor;
    uint64_t registers;
    /* Input refused: error replies sent and RegisterAcks whose timings were out of range. */
    uint64_t rejected;
    /* The Configure that set the device, owned; kept until a new Configure replaces it or, serving as a daemon,
     * the coordinator's Disconnect ends the run (never on silence, a fresh socket or an error reply). */
    Triad__V1__Envelope *configured;
    /* The timings in force, milliseconds: the protocol's defaults until a RegisterAck announces others. */
    int64_t heartbeat_ms, worker_liveness_ms;
    int64_t last_sent, last_heard, silent_since, last_register, dropped_at;
    int refused;
} worker;

int64_t triad_now_ms(void);
/* One stderr line when the options' verbosity is at least `level` (0 errors, 1 warnings, 2 information). */
void triad_say(const worker *w, int level, const char *text);
/* A worker with the protocol's default timings, no socket and no device. */
void triad_worker_init(worker *w, const triad_worker_options *options);
void triad_send_envelope(worker *w, Triad__V1__Envelope *envelope);
/* Answers a refused input with an Error (and counts it). */
void triad_send_error(worker *w, uint64_t id, int code, const char *message);
void triad_forget_device(worker *w);
void triad_send_register(worker *w, int64_t now);

/* Handles one received envelope at `now`. Returns 3 when the coordinator refused this worker (after one stderr
 * line), else 0; sets `*run_ended` after a Disconnect when serving once (a daemon registers again instead). */
int triad_worker_handle(worker *w, const uint8_t *data, size_t size, int64_t now, int *run_ended);

/* The clock moved on to `now`: returns 1 when the connection is gone for good (dropped with no retry for the
 * grace period, or the coordinator silent for twice the liveness window) and the caller must connect a fresh
 * socket and call triad_worker_reconnected; else 0, after registering again when the coordinator was silent for
 * the liveness window, or sending a heartbeat when one is due. */
int triad_worker_tick(worker *w, int64_t now);
/* A fresh socket replaced the old one: registers on it (the device configuration is kept). */
void triad_worker_reconnected(worker *w, int64_t now);

#endif
