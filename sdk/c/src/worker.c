/*
 * The worker loop: the Swift worker's behaviour (Sources/TriadCluster/Worker/WorkerSession.swift, WorkerLoop.swift)
 * on libzmq and protobuf-c. One DEALER, one frame per message; a heartbeat every heartbeat period, a new Register
 * after a liveness window without a message, a new socket after twice that or after a connection dropped without
 * a retry for the grace period. The timings start at Proto/triad.proto's ProtocolDefaults and follow what the
 * coordinator announces in RegisterAck (messages.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "worker_internal.h"

int64_t triad_now_ms(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (int64_t)time.tv_sec * 1000 + time.tv_nsec / 1000000;
}

void triad_say(const worker *w, int level, const char *text) {
    if (w->options->verbosity >= level) fprintf(stderr, "triad-worker %s: %s\n", w->options->device_id, text);
}

void triad_worker_init(worker *w, const triad_worker_options *options) {
    *w = (worker){.options = options, .dropped_at = -1};
    w->heartbeat_ms = TRIAD_DEFAULT_HEARTBEAT_MS;
    w->worker_liveness_ms = TRIAD_DEFAULT_WORKER_LIVENESS_MS;
}

void triad_send_envelope(worker *w, Triad__V1__Envelope *envelope) {
    envelope->protocol_version = TRIAD_PROTOCOL_VERSION;
    size_t size = triad__v1__envelope__get_packed_size(envelope);
    uint8_t *buffer = malloc(size > 0 ? size : 1);
    if (buffer == NULL) return;
    triad__v1__envelope__pack(envelope, buffer);
    w->last_sent = triad_now_ms();
    zmq_send(w->socket, buffer, size, ZMQ_DONTWAIT);
    free(buffer);
}

void triad_send_error(worker *w, uint64_t id, int code, const char *message) {
    w->rejected++;
    Triad__V1__Error error = TRIAD__V1__ERROR__INIT;
    error.code = (Triad__V1__ErrorCode)code;
    error.message = (char *)message;
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = id;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_ERROR;
    envelope.error = &error;
    triad_send_envelope(w, &envelope);
}

void triad_forget_device(worker *w) {
    if (w->configured != NULL) triad__v1__envelope__free_unpacked(w->configured, NULL);
    w->configured = NULL;
}

void triad_send_register(worker *w, int64_t now) {
    static char *capabilities[] = {"matrix", "vector", "attention", "pim-command-model"};
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    char instance[300];
    snprintf(instance, sizeof instance, "%s:%ld", host, (long)getpid());
    Triad__V1__Register message = TRIAD__V1__REGISTER__INIT;
    message.device_id = (char *)w->options->device_id;
    message.protocol_version = TRIAD_PROTOCOL_VERSION;
    message.n_capabilities = 4;
    message.capabilities = capabilities;
    message.instance = instance;
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.request_id = ++w->registers;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_REGISTER;
    envelope.register_ = &message;
    triad_send_envelope(w, &envelope);
    w->last_register = now;
}

static void close_socket(worker *w, int linger) {
    if (w->monitor != NULL) {
        zmq_socket_monitor(w->socket, NULL, 0);
        zmq_setsockopt(w->monitor, ZMQ_LINGER, &(int){0}, sizeof(int));
        zmq_close(w->monitor);
        w->monitor = NULL;
    }
    if (w->socket != NULL) {
        zmq_setsockopt(w->socket, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(w->socket);
        w->socket = NULL;
    }
}

/* A DEALER with the Swift worker's options, its monitor, connected. 0, or 1 after one stderr line. */
static int open_socket(worker *w) {
    const triad_worker_options *o = w->options;
    w->socket = zmq_socket(w->context, ZMQ_DEALER);
    if (w->socket == NULL) return fprintf(stderr, "triad: zmq_socket: %s\n", zmq_strerror(errno)), 1;
    /* Transport-level settings of libzmq, as the Swift transport's (Sources/TriadTransport/ZMQSocket.swift), not
     * protocol timings: ZMTP heartbeats that detect a dead TCP peer, and how soon libzmq retries a connection.
     * libzmq drops the connection of a peer sending more than twice the protocol's largest message; messages over
     * the largest but within that are drained and refused here (receive). */
    int heartbeat = 500, timeout = 1500, reconnect = 100;
    int64_t maximum = 2 * (int64_t)TRIAD_MAXIMUM_MESSAGE_BYTES;
    zmq_setsockopt(w->socket, ZMQ_HEARTBEAT_IVL, &heartbeat, sizeof heartbeat);
    zmq_setsockopt(w->socket, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    zmq_setsockopt(w->socket, ZMQ_MAXMSGSIZE, &maximum, sizeof maximum);
    zmq_setsockopt(w->socket, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    if (o->server_public_key != NULL) {
        if (zmq_setsockopt(w->socket, ZMQ_CURVE_SERVERKEY, o->server_public_key, 40) != 0 ||
            zmq_setsockopt(w->socket, ZMQ_CURVE_PUBLICKEY, o->public_key, 40) != 0 ||
            zmq_setsockopt(w->socket, ZMQ_CURVE_SECRETKEY, o->secret_key, 40) != 0) {
            return fprintf(stderr, "triad: CURVE keys refused: %s\n", zmq_strerror(errno)), 1;
        }
    }
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://triad-monitor-%lx-%lx", (long)getpid(), (long)triad_now_ms() ^ (long)w->registers);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (zmq_socket_monitor(w->socket, endpoint, events) == 0) {
        w->monitor = zmq_socket(w->context, ZMQ_PAIR);
        if (w->monitor != NULL && zmq_connect(w->monitor, endpoint) != 0) {
            zmq_close(w->monitor);
            w->monitor = NULL;
        }
    }
    if (zmq_connect(w->socket, o->endpoint) != 0) {
        return fprintf(stderr, "triad: zmq_connect(%s): %s\n", o->endpoint, zmq_strerror(errno)), 1;
    }
    return 0;
}

/* Reads the monitor's events: a refused CURVE key ends the worker; a drop starts the replacement clock. */
static void drain_monitor(worker *w, int64_t now) {
    for (int count = 0; w->monitor != NULL && count < 10000; count++) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, w->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            return;
        }
        uint16_t event = 0;
        uint32_t value = 0;
        int first = zmq_msg_size(&part) >= 6;
        if (first) {
            memcpy(&event, zmq_msg_data(&part), 2);
            memcpy(&value, (char *)zmq_msg_data(&part) + 2, 4);
        }
        while (zmq_msg_more(&part)) {
            zmq_msg_close(&part);
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, w->monitor, ZMQ_DONTWAIT) < 0) break;
        }
        zmq_msg_close(&part);
        if (!first) continue;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            fprintf(stderr,
                    "triad: the coordinator at %s refused this worker's CURVE key (ZAP status %u); add its public key "
                    "to the coordinator's --allow list\n",
                    w->options->endpoint, (unsigned)value);
            w->refused = 1;
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
            if (w->dropped_at < 0) w->dropped_at = now - 1000000;
        } else if (event == ZMQ_EVENT_DISCONNECTED) {
            if (w->dropped_at < 0) w->dropped_at = now;
        } else if (event == ZMQ_EVENT_CONNECT_RETRIED || event == ZMQ_EVENT_CONNECTED ||
                   event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            w->dropped_at = -1;
        }
    }
}

/*
 * Waits up to a heartbeat period for one message. Returns 0 for none, 1 with `*data` (malloc'd) for one frame of
 * at most the protocol's largest message, 2 for a message refused by the caps (drained, never answered).
 */
static int receive(worker *w, uint8_t **data, size_t *size) {
    zmq_pollitem_t item = {w->socket, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, (long)w->heartbeat_ms) <= 0 || !(item.revents & ZMQ_POLLIN)) return 0;
    int frames = 0, refused = 0;
    size_t total = 0;
    *data = NULL;
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, w->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            break;
        }
        frames++;
        total += zmq_msg_size(&part);
        if (frames > 1 || total > TRIAD_MAXIMUM_MESSAGE_BYTES) {
            refused = 1;
        } else {
            *size = zmq_msg_size(&part);
            *data = malloc(*size > 0 ? *size : 1);
            if (*data != NULL) memcpy(*data, zmq_msg_data(&part), *size);
        }
        int more = zmq_msg_more(&part);
        zmq_msg_close(&part);
        if (!more) break;
    }
    if (refused || *data == NULL) {
        free(*data);
        *data = NULL;
        return frames > 0 ? 2 : 0;
    }
    return 1;
}

static void send_heartbeat(worker *w) {
    Triad__V1__Heartbeat beat = TRIAD__V1__HEARTBEAT__INIT;
    Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
    envelope.body_case = TRIAD__V1__ENVELOPE__BODY_HEARTBEAT;
    envelope.heartbeat = &beat;
    triad_send_envelope(w, &envelope);
}

int triad_worker_tick(worker *w, int64_t now) {
    if (w->dropped_at >= 0 && now - w->dropped_at > TRIAD_DROPPED_CONNECTION_GRACE_MS) return 1;
    if (now - w->silent_since > 2 * w->worker_liveness_ms) return 1;
    if (now - w->last_heard > w->worker_liveness_ms) {
        /* The coordinator may have restarted: register again, keeping the configuration (a coordinator always
         * configures a worker before sending it work). */
        triad_say(w, 1, "coordinator silent; registering again");
        triad_send_register(w, now);
        w->last_heard = now;
    } else if (now - w->last_sent >= w->heartbeat_ms) {
        send_heartbeat(w);
    }
    return 0;
}

void triad_worker_reconnected(worker *w, int64_t now) {
    w->dropped_at = -1;
    triad_send_register(w, now);
    w->silent_since = w->last_heard = now;
}

int triad_worker_run(const triad_worker_options *options) {
    worker w;
    triad_worker_init(&w, options);
    w.context = zmq_ctx_new();
    if (w.context == NULL || open_socket(&w) != 0) {
        close_socket(&w, 0);
        if (w.context != NULL) zmq_ctx_term(w.context);
        return 1;
    }
    w.last_heard = w.silent_since = triad_now_ms();
    triad_send_register(&w, w.last_heard);
    int status = 0;
    for (;;) {
        if (options->stop != NULL && *options->stop) {
            Triad__V1__Disconnect bye = TRIAD__V1__DISCONNECT__INIT;
            bye.reason = "worker shutting down";
            Triad__V1__Envelope envelope = TRIAD__V1__ENVELOPE__INIT;
            envelope.body_case = TRIAD__V1__ENVELOPE__BODY_DISCONNECT;
            envelope.disconnect = &bye;
            triad_send_envelope(&w, &envelope);
            close_socket(&w, 1000);
            break;
        }
        uint8_t *data = NULL;
        size_t size = 0;
        int got = receive(&w, &data, &size);
        int64_t now = triad_now_ms();
        /* Any message, even one refused by the caps, shows the coordinator is alive. */
        if (got != 0) w.last_heard = w.silent_since = now;
        drain_monitor(&w, now);
        if (w.refused) {
            free(data);
            close_socket(&w, 0);
            status = 3;
            break;
        }
        if (got == 1) {
            int run_ended = 0;
            int result = triad_worker_handle(&w, data, size, now, &run_ended);
            free(data);
            if (result == 3) {
                close_socket(&w, 0);
                status = 3;
                break;
            }
            if (run_ended) {
                close_socket(&w, 1000);
                break;
            }
        } else {
            free(data);
        }
        now = triad_now_ms();
        if (triad_worker_tick(&w, now)) {
            triad_say(&w, 1, "connection lost: a new socket, registering again");
            close_socket(&w, 0);
            if (open_socket(&w) != 0) {
                status = 1;
                break;
            }
            triad_worker_reconnected(&w, triad_now_ms());
        }
    }
    char text[100];
    snprintf(text, sizeof text, "worker stopped; %llu inputs rejected", (unsigned long long)w.rejected);
    triad_say(&w, 2, text);
    triad_forget_device(&w);
    close_socket(&w, 0);
    zmq_ctx_term(w.context);
    return status;
}
