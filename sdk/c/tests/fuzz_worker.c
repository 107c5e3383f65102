/*
 * Fuzzes a running worker over real ZeroMQ: a ROUTER plays the coordinator, configures the FPGA, then sends N
 * frames — random bytes, multi-frame messages, and valid envelopes mutated by overwrites, cuts and insertions
 * (the Swift worker's fuzz corpus idea, Tests/TriadClusterTests/FuzzTests.swift), register acks with timings in and
 * out of range among them — and finally one evaluate whose answer must equal the model's. The worker must never crash or hang, and must exit 0 on Disconnect (under
 * AddressSanitizer/UndefinedBehaviorSanitizer any report makes it fail).
 *   fuzz_worker PATH-TO-WORKER [FRAMES]
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fpga_model.h"
#include "worker_internal.h" /* the protocol's version and timings, and the range a RegisterAck's timings must be in */

static uint64_t state = 20261129;
static uint64_t next(void) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static size_t below(size_t n) { return n == 0 ? 0 : (size_t)(next() % n); }

static void *router;
static uint8_t identity[256];
static size_t identity_size;
static long answered, registers;

static size_t pack(Triad__V1__Envelope *envelope, uint8_t *buffer) {
    envelope->protocol_version = TRIAD_PROTOCOL_VERSION;
    return triad__v1__envelope__pack(envelope, buffer);
}

static long delivered;

static Triad__V1__Envelope *drain(int timeout, uint64_t wanted);

/* Sends one message to the worker, waiting (and reading its replies) while the queue is full. */
static void send_frames(const uint8_t *const *frames, const size_t *sizes, int count) {
    while (zmq_send(router, identity, identity_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) drain(5, 0);
    for (int index = 0; index < count; index++) zmq_send(router, frames[index], sizes[index], index + 1 < count ? ZMQ_SNDMORE : 0);
    delivered++;
}

static Triad__V1__FPGAConfig fpga = TRIAD__V1__FPGACONFIG__INIT;
static Triad__V1__DeviceConfig device = TRIAD__V1__DEVICE_CONFIG__INIT;

/* What a coordinator answers a Register with: an ack announcing the protocol's default timings, then the device. */
static void send_configure(uint64_t id) {
    Triad__V1__RegisterAck ack = TRIAD__V1__REGISTER_ACK__INIT;
    ack.device_id = "fpga0";
    ack.heartbeat_ms = TRIAD_DEFAULT_HEARTBEAT_MS;
    ack.liveness_ms = TRIAD_DEFAULT_COORDINATOR_LIVENESS_MS;
    ack.worker_liveness_ms = TRIAD_DEFAULT_WORKER_LIVENESS_MS;
    Triad__V1__Envelope acknowledgement = TRIAD__V1__ENVELOPE__INIT;
    acknowledgement.request_id = id;
    acknowledgement.body_case = TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK;
    acknowledgement.register_ack = &ack;
    uint8_t ack_buffer[256];
    size_t ack_size = pack(&acknowledgement, ack_buffer);
    const uint8_t *ack_frames[] = {ack_buffer};
    send_frames(ack_frames, &ack_size, 1);
    Triad__V1__Configure configure = TRIAD__V1__CONFIGURE__INIT;
    configure.device = &device;
    configure.model_name = "fuzz";
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = id;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_CONFIGURE;
    envelope.configure = &configure;
    uint8_t buffer[1024];
    size_t size = pack(&envelope, buffer);
    const uint8_t *frames[] = {buffer};
    send_frames(frames, &size, 1);
}

/* Reads replies for up to `timeout` ms; returns the first EvaluateResult/Error with request id `wanted` (owned). */
static int64_t milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Reads replies for at most `timeout` ms in all (until none is waiting when `wanted` is 0 and `timeout` 0). */
static Triad__V1__Envelope *drain(int timeout, uint64_t wanted) {
    int64_t deadline = milliseconds() + timeout;
    for (;;) {
        int64_t left = deadline - milliseconds();
        zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, left > 0 ? (long)left : 0) <= 0) return NULL;
        uint8_t buffer[1 << 16];
        int got = zmq_recv(router, identity, sizeof identity, 0);
        if (got > 0) identity_size = (size_t)got;
        int size = zmq_recv(router, buffer, sizeof buffer, 0);
        int more;
        size_t length = sizeof more;
        while (zmq_getsockopt(router, ZMQ_RCVMORE, &more, &length) == 0 && more) zmq_recv(router, NULL, 0, 0);
        if (size <= 0) continue;
        Triad__V1__Envelope *envelope = triad__v1__envelope__unpack(NULL, (size_t)size, buffer);
        if (envelope == NULL) continue;
        answered++;
        if (envelope->body_case == TRIAD__V1__ENVELOPE__BODY_REGISTER) {
            registers++;
            send_configure(900000 + (uint64_t)registers);
        } else if (wanted != 0 && envelope->request_id == wanted) {
            return envelope;
        }
        triad__v1__envelope__free_unpacked(envelope, NULL);
    }
}

static Triad__V1__Operation operation(int kind, int rows, int inner, int columns, int ternary) {
    Triad__V1__Operation o = TRIAD__V1__OPERATION__INIT;
    o.kind = kind, o.rows = rows, o.inner = inner, o.columns = columns, o.is_ternary = ternary;
    return o;
}

/* Whether a register ack announces timings the worker would follow and that would shorten its liveness window
 * below the default (it would then register again and reconnect while the fuzz is busy sending). */
static int shortens_liveness(const Triad__V1__RegisterAck *ack) {
    int64_t heartbeat = ack->heartbeat_ms, liveness = ack->worker_liveness_ms;
    int in_range = heartbeat >= TRIAD_HEARTBEAT_MIN_MS && heartbeat <= TRIAD_HEARTBEAT_MAX_MS && ack->liveness_ms > heartbeat &&
                   ack->liveness_ms <= TRIAD_LIVENESS_MAX_MS && liveness > heartbeat && liveness <= TRIAD_LIVENESS_MAX_MS;
    return in_range && liveness < TRIAD_DEFAULT_WORKER_LIVENESS_MS;
}

/* Whether a frame would end the session or replace the configuration (the fuzz keeps the worker configured). The
 * error replies that make a worker register again (unknown device, duplicate device, not configured) are fine:
 * the worker keeps its configuration, and the fuzz answers its Register with the same one. */
static int harmful(const uint8_t *frame, size_t size) {
    Triad__V1__Envelope *envelope = triad__v1__envelope__unpack(NULL, size, frame);
    if (envelope == NULL) return 0;
    int bad = envelope->protocol_version == TRIAD_PROTOCOL_VERSION &&
              (envelope->body_case == TRIAD__V1__ENVELOPE__BODY_DISCONNECT || envelope->body_case == TRIAD__V1__ENVELOPE__BODY_CONFIGURE ||
               (envelope->body_case == TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK && shortens_liveness(envelope->register_ack)) ||
               (envelope->body_case == TRIAD__V1__ENVELOPE__BODY_ERROR && envelope->error->code == TRIAD__V1__ERROR_CODE__ERROR_CODE_REFUSED));
    triad__v1__envelope__free_unpacked(envelope, NULL);
    return bad;
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: fuzz_worker WORKER [FRAMES]\n"), 2;
    long frames = argc > 2 ? atol(argv[2]) : 100000;
    fpga.cores = 64, fpga.adders_per_core = 512, fpga.clock_mhz = 170, fpga.bits_per_weight = 2;
    fpga.memory_bandwidth_bytes_per_second = 76800000000, fpga.memory_efficiency = 1, fpga.memory_bytes = 34359738368;
    fpga.power_w = 46, fpga.elementwise_lanes = 16;
    device.id = "fpga0", device.kind_case = TRIAD__V1__DEVICE_CONFIG__KIND_FPGA, device.fpga = &fpga;
    void *context = zmq_ctx_new();
    router = zmq_socket(context, ZMQ_ROUTER);
    /* Every frame must reach the worker: no silent drops at the high-water mark, sends wait for room instead. */
    int mandatory = 1;
    zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory);
    zmq_bind(router, "tcp://127.0.0.1:*");
    char endpoint[128];
    size_t length = sizeof endpoint;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &length);
    pid_t worker = fork();
    if (worker == 0) {
        execl(argv[1], argv[1], "worker", "--connect", endpoint, "--device", "fpga0", "--once", "--log-level", "critical", (char *)NULL);
        _exit(127);
    }
    /* Seeds: an evaluate of ternary and vector work, a heartbeat, a register ack with the default timings, an unknown error. */
    Triad__V1__Operation ops[4] = {operation(8, 16, 2560, 13824, 1), operation(1, 16, 2560, 0, 0), operation(4, 32, 301, 0, 0),
                                   operation(12, 4, 2048, 6144, 1)};
    Triad__V1__Operation *list[4] = {&ops[0], &ops[1], &ops[2], &ops[3]};
    Triad__V1__EvaluateBatch batch = TRIAD__V1__EVALUATE_BATCH__INIT;
    batch.n_operations = 4, batch.operations = list;
    uint8_t seeds[4][512];
    size_t seed_sizes[4];
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 5, envelope.body_case = TRIAD__V1__ENVELOPE__BODY_EVALUATE, envelope.evaluate = &batch;
    seed_sizes[0] = pack(&envelope, seeds[0]);
    Triad__V1__Heartbeat beat = TRIAD__V1__HEARTBEAT__INIT;
    envelope = (Triad__V1__Envelope)TRIAD__V1__ENVELOPE__INIT;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_HEARTBEAT, envelope.heartbeat = &beat;
    seed_sizes[1] = pack(&envelope, seeds[1]);
    Triad__V1__RegisterAck ack = TRIAD__V1__REGISTER_ACK__INIT;
    ack.device_id = "fpga0", ack.heartbeat_ms = TRIAD_DEFAULT_HEARTBEAT_MS, ack.liveness_ms = TRIAD_DEFAULT_COORDINATOR_LIVENESS_MS;
    ack.worker_liveness_ms = TRIAD_DEFAULT_WORKER_LIVENESS_MS;
    envelope = (Triad__V1__Envelope)TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 9, envelope.body_case = TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK, envelope.register_ack = &ack;
    seed_sizes[2] = pack(&envelope, seeds[2]);
    Triad__V1__Error error = TRIAD__V1__ERROR__INIT;
    error.code = 99, error.message = "fuzz";
    envelope = (Triad__V1__Envelope)TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 11, envelope.body_case = TRIAD__V1__ENVELOPE__BODY_ERROR, envelope.error = &error;
    seed_sizes[3] = pack(&envelope, seeds[3]);

    drain(1500, 0); /* the Register (answered with a RegisterAck and a Configure) and the ConfigureAck */
    if (registers == 0) return fprintf(stderr, "fuzz_worker: the worker never registered\n"), 1;
    long sent = 0, skipped = 0;
    uint8_t frame[1024];
    while (sent < frames) {
        size_t k = below(10), size;
        if (k <= 2) {
            size = below(300);
            for (size_t i = 0; i < size; i++) frame[i] = (uint8_t)next();
        } else if (k == 3) {
            int count = 2 + (int)below(4);
            uint8_t bytes[5];
            const uint8_t *parts[5];
            size_t sizes[5];
            for (int i = 0; i < count; i++) bytes[i] = (uint8_t)next(), parts[i] = &bytes[i], sizes[i] = 1;
            send_frames(parts, sizes, count);
            sent++;
            continue;
        } else {
            size_t seed = below(4);
            size = seed_sizes[seed];
            memcpy(frame, seeds[seed], size);
            for (size_t m = 1 + below(4); m > 0 && size > 0; m--) {
                size_t position = below(size);
                switch (below(3)) {
                case 0: frame[position] = (uint8_t)next(); break;
                case 1: size = position; break;
                default:
                    if (size < sizeof frame - 1) {
                        memmove(frame + position + 1, frame + position, size - position);
                        frame[position] = (uint8_t)next();
                        size++;
                    }
                }
            }
        }
        if (harmful(frame, size)) {
            skipped++;
            continue;
        }
        const uint8_t *parts[] = {frame};
        send_frames(parts, &size, 1);
        sent++;
        if (sent % 64 == 0) drain(0, 0);
        if (sent % 10000 == 0 && waitpid(worker, NULL, WNOHANG) != 0) {
            return fprintf(stderr, "fuzz_worker: the worker died after %ld frames\n", sent), 1;
        }
    }
    drain(200, 0);
    envelope = (Triad__V1__Envelope)TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = 777777, envelope.body_case = TRIAD__V1__ENVELOPE__BODY_EVALUATE, envelope.evaluate = &batch;
    uint8_t buffer[512];
    size_t size = pack(&envelope, buffer);
    const uint8_t *parts[] = {buffer};
    send_frames(parts, &size, 1);
    Triad__V1__Envelope *reply = drain(10000, 777777);
    triad_cost expected[4];
    char text[256];
    int exact = reply != NULL && reply->body_case == TRIAD__V1__ENVELOPE__BODY_RESULT && reply->result->n_costs == 4 &&
                fpga_costs(&device, list, 4, expected, text, sizeof text) == 0;
    for (int i = 0; exact && i < 4; i++) {
        Triad__V1__OperationCost *c = reply->result->costs[i];
        exact = c->cycles == expected[i].cycles && c->duration_ps == expected[i].duration_ps &&
                c->compute_cycles == expected[i].compute_cycles && c->memory_cycles == expected[i].memory_cycles;
    }
    if (reply != NULL) triad__v1__envelope__free_unpacked(reply, NULL);
    Triad__V1__Disconnect bye = TRIAD__V1__DISCONNECT__INIT;
    bye.reason = "fuzz finished";
    envelope = (Triad__V1__Envelope)TRIAD__V1__ENVELOPE__INIT;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_DISCONNECT, envelope.disconnect = &bye;
    size = pack(&envelope, buffer);
    send_frames(parts, &size, 1);
    int status = 0;
    for (int waited = 0; waited < 100 && waitpid(worker, &status, WNOHANG) == 0; waited++) drain(100, 0);
    if (waitpid(worker, &status, WNOHANG) == 0) {
        kill(worker, SIGKILL);
        waitpid(worker, &status, 0);
        return fprintf(stderr, "fuzz_worker: the worker did not exit after Disconnect\n"), 1;
    }
    int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("fuzz_worker: %ld messages delivered (%ld session-ending ones skipped), %ld replies, %ld registrations; final "
           "evaluate %s; worker %s\n",
           delivered, skipped, answered, registers, exact ? "exact" : "WRONG",
           clean ? "exited 0" : "FAILED (crash or sanitizer report)");
    zmq_close(router);
    zmq_ctx_term(context);
    return exact && clean ? 0 : 1;
}
