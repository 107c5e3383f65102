/* Internal to the SDK: the worker's state and the sends the message handler shares with the loop. */
#ifndef TRIAD_WORKER_INTERNAL_H
#define TRIAD_WORKER_INTERNAL_H

#include "triad_worker.h"

enum { HEARTBEAT_MS = 250, LIVENESS_MS = 2000, MAX_FRAME_BYTES = 8 << 20 };

typedef struct {
    const triad_worker_options *options;
    void *context;
    void *socket;
    void *monitor;
    uint64_t registers;
    Triad__V1__Envelope *configured; /* the Configure that set the device, owned */
    int64_t last_sent, last_heard, silent_since, last_register, dropped_at;
    int refused;
} worker;

int64_t triad_now_ms(void);
void triad_send_envelope(worker *w, Triad__V1__Envelope *envelope);
void triad_send_error(worker *w, uint64_t id, int code, const char *message);
void triad_forget_device(worker *w);
void triad_send_register(worker *w);

/* Handles one received envelope. Returns 3 when the coordinator refused this worker (after one stderr line),
 * else 0; sets `*run_ended` after a Disconnect. */
int triad_worker_handle(worker *w, const uint8_t *data, size_t size, int *run_ended);

#endif
