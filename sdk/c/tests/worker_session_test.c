/*
 * The worker's session steps (src/worker_internal.h) driven directly, with a chosen clock, over an inproc ZeroMQ
 * pair that plays the coordinator: the timings a RegisterAck announces (followed in range, kept and counted out of
 * range), the heartbeat, re-registration and fresh-socket rules on those timings, and the device configuration
 * kept through silence, fresh sockets and error replies, forgotten only when replaced or when a daemon's run ends.
 */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "worker_internal.h"

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

static void *coordinator;
static worker w;

static int evaluate(void *user, const Triad__V1__DeviceConfig *device, Triad__V1__Operation *const *operations,
                    size_t count, triad_cost *costs, char *error, size_t error_size) {
    (void)user, (void)device, (void)operations, (void)error, (void)error_size;
    for (size_t index = 0; index < count; index++) costs[index] = (triad_cost){.cycles = 7, .duration_ps = 70};
    return 0;
}

/* The next envelope the worker sent (owned), or NULL when none came within `timeout` ms. */
static Triad__V1__Envelope *sent(int timeout) {
    zmq_pollitem_t item = {coordinator, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout) <= 0) return NULL;
    uint8_t buffer[4096];
    int size = zmq_recv(coordinator, buffer, sizeof buffer, 0);
    if (size < 0 || (size_t)size > sizeof buffer) return NULL;
    return triad__v1__envelope__unpack(NULL, (size_t)size, buffer);
}

/* Whether the worker's next message has this body (and the current protocol version); 0 when none or another. */
static int next_is(Triad__V1__Envelope__BodyCase body) {
    Triad__V1__Envelope *envelope = sent(200);
    int matches = envelope != NULL && envelope->body_case == body && envelope->protocol_version == TRIAD_PROTOCOL_VERSION;
    if (envelope != NULL) triad__v1__envelope__free_unpacked(envelope, NULL);
    return matches;
}

static int nothing_sent(void) {
    Triad__V1__Envelope *envelope = sent(20);
    if (envelope == NULL) return 1;
    triad__v1__envelope__free_unpacked(envelope, NULL);
    return 0;
}

/* Hands the worker one envelope (stamped with `version`) at `now`; returns triad_worker_handle's status. */
static int deliver(Triad__V1__Envelope *envelope, uint32_t version, int64_t now, int *run_ended) {
    envelope->protocol_version = version;
    uint8_t buffer[4096];
    size_t size = triad__v1__envelope__pack(envelope, buffer);
    int ended = 0;
    int status = triad_worker_handle(&w, buffer, size, now, &ended);
    if (run_ended != NULL) *run_ended = ended;
    return status;
}

static void acknowledge(uint32_t heartbeat, uint32_t liveness, uint32_t worker_liveness, int64_t now) {
    Triad__V1__RegisterAck ack = TRIAD__V1__REGISTER_ACK__INIT;
    ack.device_id = "fpga0";
    ack.heartbeat_ms = heartbeat;
    ack.liveness_ms = liveness;
    ack.worker_liveness_ms = worker_liveness;
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 1;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK;
    envelope.register_ack = &ack;
    deliver(&envelope, TRIAD_PROTOCOL_VERSION, now, NULL);
}

/* Whether a RegisterAck with these timings is followed (from 100 ms and 3 s) and not answered. */
static int followed(uint32_t heartbeat, uint32_t liveness, uint32_t worker_liveness, int64_t now) {
    w.heartbeat_ms = 100, w.worker_liveness_ms = 3000;
    uint64_t rejected = w.rejected;
    acknowledge(heartbeat, liveness, worker_liveness, now);
    int quiet = nothing_sent();
    if (w.heartbeat_ms == heartbeat && w.worker_liveness_ms == worker_liveness && w.rejected == rejected && quiet) return 1;
    if (w.heartbeat_ms == 100 && w.worker_liveness_ms == 3000 && w.rejected == rejected + 1 && quiet) return 0;
    return -1; /* half followed, answered or miscounted */
}

static void configure(uint32_t cores, int64_t now) {
    Triad__V1__FPGAConfig fpga = TRIAD__V1__FPGACONFIG__INIT;
    fpga.cores = cores;
    Triad__V1__DeviceConfig device = TRIAD__V1__DEVICE_CONFIG__INIT;
    device.id = "fpga0";
    device.kind_case = TRIAD__V1__DEVICE_CONFIG__KIND_FPGA;
    device.fpga = &fpga;
    Triad__V1__Configure body = TRIAD__V1__CONFIGURE__INIT;
    body.device = &device;
    body.model_name = "test";
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 2;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_CONFIGURE;
    envelope.configure = &body;
    deliver(&envelope, TRIAD_PROTOCOL_VERSION, now, NULL);
}

static uint32_t configured_cores(void) {
    return w.configured != NULL ? w.configured->configure->device->fpga->cores : 0;
}

static void error_reply(int code, int64_t now) {
    Triad__V1__Error error = TRIAD__V1__ERROR__INIT;
    error.code = (Triad__V1__ErrorCode)code;
    error.message = "test";
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_ERROR;
    envelope.error = &error;
    deliver(&envelope, TRIAD_PROTOCOL_VERSION, now, NULL);
}

static int disconnect(int64_t now) {
    Triad__V1__Disconnect body = TRIAD__V1__DISCONNECT__INIT;
    body.reason = "run over";
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_DISCONNECT;
    envelope.disconnect = &body;
    int run_ended = 0;
    deliver(&envelope, TRIAD_PROTOCOL_VERSION, now, &run_ended);
    return run_ended;
}

/* The coordinator last heard `silence` ms before `now`; the worker sent something just now. */
static void silent_for(int64_t silence, int64_t now) {
    w.last_heard = w.silent_since = now - silence;
    w.last_sent = now;
}

int main(void) {
    triad_worker_options options = {0};
    options.endpoint = "inproc://worker-session-test";
    options.device_id = "fpga0";
    options.evaluate = evaluate;
    void *context = zmq_ctx_new();
    coordinator = zmq_socket(context, ZMQ_PAIR);
    zmq_bind(coordinator, options.endpoint);
    triad_worker_init(&w, &options);
    w.context = context;
    w.socket = zmq_socket(context, ZMQ_PAIR);
    zmq_connect(w.socket, options.endpoint);
    int64_t now = triad_now_ms();

    /* The defaults until a coordinator announces its own. */
    EXPECT(w.heartbeat_ms == TRIAD_DEFAULT_HEARTBEAT_MS && w.worker_liveness_ms == TRIAD_DEFAULT_WORKER_LIVENESS_MS,
           "initial timings %lld/%lld", (long long)w.heartbeat_ms, (long long)w.worker_liveness_ms);
    triad_send_register(&w, now);
    EXPECT(next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER), "no Register at the current protocol version");

    /* RegisterAck timings: followed when all three are in range, else kept (counted, logged, not answered). */
    EXPECT(followed(100, 1500, 3000, now) == 1, "in-range timings not followed");
    EXPECT(followed(TRIAD_DEFAULT_HEARTBEAT_MS, TRIAD_DEFAULT_COORDINATOR_LIVENESS_MS, TRIAD_DEFAULT_WORKER_LIVENESS_MS, now) == 1,
           "the defaults not followed");
    EXPECT(followed(10, 11, 11, now) == 1, "the shortest timings not followed");
    EXPECT(followed(60000, 3600000, 3600000, now) == 1, "the longest timings not followed");
    EXPECT(followed(0, 0, 0, now) == 0, "an ack without timings changed them");
    EXPECT(followed(250, 1500, 0, now) == 0, "an ack without a worker liveness changed the timings");
    EXPECT(followed(0, 1500, 2000, now) == 0, "an ack without a heartbeat changed the timings");
    EXPECT(followed(9, 1500, 2000, now) == 0, "heartbeat 9 ms followed");
    EXPECT(followed(60001, 3600000, 3600000, now) == 0, "heartbeat 60001 ms followed");
    EXPECT(followed(250, 1500, 250, now) == 0, "worker liveness equal to the heartbeat followed");
    EXPECT(followed(250, 250, 2000, now) == 0, "coordinator liveness equal to the heartbeat followed");
    EXPECT(followed(250, 1500, 3600001, now) == 0, "worker liveness over an hour followed");
    EXPECT(followed(250, 3600001, 2000, now) == 0, "coordinator liveness over an hour followed");
    EXPECT(followed(4000000000u, 4000000000u, 4000000000u, now) == 0, "huge timings followed");
    Triad__V1__RegisterAck ack = TRIAD__V1__REGISTER_ACK__INIT;
    ack.heartbeat_ms = 50, ack.liveness_ms = 1000, ack.worker_liveness_ms = 1000;
    Triad__V1__Envelope old = TRIAD__V1__ENVELOPE__INIT;
    old.body_case = TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK;
    old.register_ack = &ack;
    deliver(&old, 1, now, NULL);
    EXPECT(w.heartbeat_ms == 100 && next_is(TRIAD__V1__ENVELOPE__BODY_ERROR), "a version-1 ack not refused");

    /* Heartbeats, re-registration and fresh sockets on the announced timings (100 ms, 3 s). */
    acknowledge(100, 1500, 3000, now);
    configure(64, now);
    EXPECT(configured_cores() == 64 && next_is(TRIAD__V1__ENVELOPE__BODY_CONFIGURE_ACK), "not configured");
    silent_for(0, now);
    EXPECT(triad_worker_tick(&w, now + 99) == 0 && nothing_sent(), "a heartbeat before the heartbeat period");
    EXPECT(triad_worker_tick(&w, now + 100) == 0 && next_is(TRIAD__V1__ENVELOPE__BODY_HEARTBEAT), "no heartbeat after 100 ms");
    silent_for(2500, now);
    EXPECT(triad_worker_tick(&w, now) == 0 && nothing_sent(), "registered again within the announced liveness window");
    silent_for(3001, now);
    EXPECT(triad_worker_tick(&w, now) == 0 && next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER) && w.last_heard == now,
           "no Register after the announced liveness window");
    EXPECT(configured_cores() == 64, "the configuration forgotten on a silent coordinator");
    silent_for(6000, now);
    w.last_heard = now;
    EXPECT(triad_worker_tick(&w, now) == 0, "a fresh socket within twice the liveness window");
    silent_for(6001, now);
    EXPECT(triad_worker_tick(&w, now) == 1, "no fresh socket after twice the liveness window");
    triad_worker_reconnected(&w, now);
    EXPECT(next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER) && w.silent_since == now && w.last_heard == now,
           "no Register on the fresh socket");
    EXPECT(configured_cores() == 64, "the configuration forgotten on a fresh socket");
    silent_for(0, now);
    w.dropped_at = now - TRIAD_DROPPED_CONNECTION_GRACE_MS;
    EXPECT(triad_worker_tick(&w, now) == 0, "a fresh socket within the dropped-connection grace");
    EXPECT(triad_worker_tick(&w, now + 1) == 1, "no fresh socket after the dropped-connection grace");
    triad_worker_reconnected(&w, now);
    EXPECT(w.dropped_at == -1 && next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER), "the drop not cleared");

    /* Error replies that mean "register again": at most once per register interval, the configuration kept. */
    const int codes[] = {TRIAD__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_DEVICE, TRIAD__V1__ERROR_CODE__ERROR_CODE_DUPLICATE_DEVICE,
                         TRIAD__V1__ERROR_CODE__ERROR_CODE_NOT_CONFIGURED};
    for (int index = 0; index < 3; index++) {
        w.last_register = now - TRIAD_REGISTER_INTERVAL_MS + 1;
        error_reply(codes[index], now);
        EXPECT(nothing_sent(), "error %d: registered again within the register interval", codes[index]);
        w.last_register = now - TRIAD_REGISTER_INTERVAL_MS;
        error_reply(codes[index], now);
        EXPECT(next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER), "error %d: not registered again", codes[index]);
        EXPECT(configured_cores() == 64, "error %d: the configuration forgotten", codes[index]);
    }

    /* Still configured: an evaluate is answered. */
    Triad__V1__Operation operation = TRIAD__V1__OPERATION__INIT;
    operation.kind = TRIAD__V1__OPERATION_KIND__OPERATION_KIND_NORM, operation.rows = 1, operation.inner = 64;
    Triad__V1__Operation *operations[] = {&operation};
    Triad__V1__EvaluateBatch batch = TRIAD__V1__EVALUATE_BATCH__INIT;
    batch.n_operations = 1, batch.operations = operations;
    Triad__V1__Envelope request = TRIAD__V1__ENVELOPE__INIT;
    request.request_id = 3, request.body_case = TRIAD__V1__ENVELOPE__BODY_EVALUATE, request.evaluate = &batch;
    deliver(&request, TRIAD_PROTOCOL_VERSION, now, NULL);
    EXPECT(next_is(TRIAD__V1__ENVELOPE__BODY_RESULT), "evaluate after silence, a fresh socket and errors not answered");

    /* A new Configure replaces the configuration; a once-worker's Disconnect ends the run; a daemon's forgets it. */
    configure(32, now);
    EXPECT(configured_cores() == 32 && next_is(TRIAD__V1__ENVELOPE__BODY_CONFIGURE_ACK), "the configuration not replaced");
    options.once = 1;
    EXPECT(disconnect(now) == 1 && configured_cores() == 32 && nothing_sent(), "a once-worker's run did not end");
    options.once = 0;
    EXPECT(disconnect(now) == 0 && w.configured == NULL && next_is(TRIAD__V1__ENVELOPE__BODY_REGISTER),
           "a daemon kept its configuration after Disconnect or did not register again");
    deliver(&request, TRIAD_PROTOCOL_VERSION, now, NULL);
    EXPECT(next_is(TRIAD__V1__ENVELOPE__BODY_ERROR), "evaluate answered after the daemon's run ended");

    triad_forget_device(&w);
    zmq_setsockopt(w.socket, ZMQ_LINGER, &(int){0}, sizeof(int));
    zmq_close(w.socket);
    zmq_close(coordinator);
    zmq_ctx_term(context);
    printf("worker_session_test: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
