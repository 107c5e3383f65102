/* What the worker does with each message (Sources/TriadCluster/Worker/WorkerSession.swift, `received`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker_internal.h"

/* Whether a RegisterAck's three timings are all in range (a liveness window at most one heartbeat long would expire
 * between two heartbeats of a healthy peer). 0 (absent) is out of range. */
static int timings_in_range(const Triad__V1__RegisterAck *ack) {
    int64_t heartbeat = ack->heartbeat_ms, coordinator = ack->liveness_ms, liveness = ack->worker_liveness_ms;
    return heartbeat >= TRIAD_HEARTBEAT_MIN_MS && heartbeat <= TRIAD_HEARTBEAT_MAX_MS && coordinator > heartbeat &&
           coordinator <= TRIAD_LIVENESS_MAX_MS && liveness > heartbeat && liveness <= TRIAD_LIVENESS_MAX_MS;
}

/* Follows the timings the coordinator announces, or keeps the ones in force when any is out of range. */
static void registered(worker *w, const Triad__V1__RegisterAck *ack) {
    if (timings_in_range(ack)) {
        w->heartbeat_ms = ack->heartbeat_ms;
        w->worker_liveness_ms = ack->worker_liveness_ms;
        return;
    }
    w->rejected++;
    char text[200];
    snprintf(text, sizeof text,
             "register ack with timings out of range (heartbeat %u ms, liveness %u ms, worker liveness %u ms); keeping "
             "%lld ms and %lld ms",
             (unsigned)ack->heartbeat_ms, (unsigned)ack->liveness_ms, (unsigned)ack->worker_liveness_ms,
             (long long)w->heartbeat_ms, (long long)w->worker_liveness_ms);
    triad_say(w, 1, text);
}

static void configure(worker *w, Triad__V1__Envelope *envelope, int *kept) {
    Triad__V1__DeviceConfig *device = envelope->configure->device;
    char error[512] = "";
    uint64_t id = envelope->request_id;
    if (device == NULL || device->id == NULL || device->id[0] == '\0' || strlen(device->id) > 128) {
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED, "device id missing or too long");
        return;
    }
    if (device->kind_case == TRIAD__V1__DEVICE_CONFIG__KIND__NOT_SET) {
        snprintf(error, sizeof error, "device %s has no configuration", device->id);
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED, error);
        return;
    }
    int code = w->options->configure != NULL ? w->options->configure(w->options->user, device, error, sizeof error) : 0;
    if (code != 0) {
        triad_send_error(w, id, code, error);
        return;
    }
    if (strcmp(device->id, w->options->device_id) != 0) {
        snprintf(error, sizeof error, "configured as %s, but this worker is %s", device->id, w->options->device_id);
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_DEVICE, error);
        return;
    }
    triad_forget_device(w);
    w->configured = envelope;
    *kept = 1;
    Triad__V1__ConfigureAck ack = TRIAD__V1__CONFIGURE_ACK__INIT;
    ack.device_id = (char *)w->options->device_id;
    Triad__V1__Envelope reply = TRIAD__V1__ENVELOPE__INIT;
    reply.request_id = id;
    reply.body_case = TRIAD__V1__ENVELOPE__BODY_CONFIGURE_ACK;
    reply.configure_ack = &ack;
    triad_send_envelope(w, &reply);
}

static void evaluate(worker *w, Triad__V1__Envelope *envelope) {
    uint64_t id = envelope->request_id;
    char error[512] = "";
    if (w->configured == NULL) {
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_NOT_CONFIGURED, "evaluate before configure");
        return;
    }
    Triad__V1__EvaluateBatch *batch = envelope->evaluate;
    for (size_t index = 0; index < batch->n_operations; index++) {
        int code = triad_check_operation(batch->operations[index], error, sizeof error);
        if (code != 0) {
            triad_send_error(w, id, code, error);
            return;
        }
    }
    size_t count = batch->n_operations;
    triad_cost *costs = calloc(count > 0 ? count : 1, sizeof *costs);
    Triad__V1__OperationCost *messages = calloc(count > 0 ? count : 1, sizeof *messages);
    Triad__V1__OperationCost **pointers = calloc(count > 0 ? count : 1, sizeof *pointers);
    if (costs == NULL || messages == NULL || pointers == NULL) {
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED_OPERATION, "out of memory");
    } else {
        int code = w->options->evaluate(w->options->user, w->configured->configure->device, batch->operations, count, costs,
                                        error, sizeof error);
        if (code != 0) {
            triad_send_error(w, id, code, error);
        } else {
            for (size_t index = 0; index < count; index++) {
                Triad__V1__OperationCost message = TRIAD__V1__OPERATION_COST__INIT;
                message.cycles = costs[index].cycles;
                message.duration_ps = costs[index].duration_ps;
                message.streamed_bytes = costs[index].streamed_bytes;
                message.energy_pj = costs[index].energy_pj;
                message.compute_cycles = costs[index].compute_cycles;
                message.memory_cycles = costs[index].memory_cycles;
                message.preload_cycles = costs[index].preload_cycles;
                message.command_cycles = costs[index].command_cycles;
                messages[index] = message;
                pointers[index] = &messages[index];
            }
            Triad__V1__EvaluateResult result = TRIAD__V1__EVALUATE_RESULT__INIT;
            result.n_costs = count;
            result.costs = pointers;
            Triad__V1__Envelope reply = TRIAD__V1__ENVELOPE__INIT;
            reply.request_id = id;
            reply.body_case = TRIAD__V1__ENVELOPE__BODY_RESULT;
            reply.result = &result;
            triad_send_envelope(w, &reply);
        }
    }
    free(costs);
    free(messages);
    free(pointers);
}

int triad_worker_handle(worker *w, const uint8_t *data, size_t size, int64_t now, int *run_ended) {
    Triad__V1__Envelope *envelope = triad__v1__envelope__unpack(NULL, size, data);
    if (envelope == NULL) {
        triad_send_error(w, 0, TRIAD__V1__ERROR_CODE__ERROR_CODE_MALFORMED, "not a Triad envelope");
        return 0;
    }
    uint64_t id = envelope->request_id;
    char text[600];
    int kept = 0, status = 0;
    if (envelope->protocol_version != TRIAD_PROTOCOL_VERSION) {
        snprintf(text, sizeof text, "protocol version %u, expected %d", (unsigned)envelope->protocol_version,
                 (int)TRIAD_PROTOCOL_VERSION);
        triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_WRONG_PROTOCOL_VERSION, text);
    } else {
        switch (envelope->body_case) {
        case TRIAD__V1__ENVELOPE__BODY__NOT_SET:
            triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_MESSAGE, "envelope without a known message body");
            break;
        case TRIAD__V1__ENVELOPE__BODY_REGISTER_ACK: registered(w, envelope->register_ack); break;
        case TRIAD__V1__ENVELOPE__BODY_CONFIGURE: configure(w, envelope, &kept); break;
        case TRIAD__V1__ENVELOPE__BODY_EVALUATE: evaluate(w, envelope); break;
        case TRIAD__V1__ENVELOPE__BODY_HEARTBEAT: break;
        case TRIAD__V1__ENVELOPE__BODY_DISCONNECT:
            if (w->options->once) {
                *run_ended = 1;
            } else {
                /* A daemon serves one coordinator after another: forget the run and register again at once (queued
                 * until the next coordinator binds), then every liveness window. */
                triad_forget_device(w);
                triad_say(w, 1, "run over; waiting for the next coordinator");
                triad_send_register(w, now);
            }
            break;
        case TRIAD__V1__ENVELOPE__BODY_ERROR: {
            Triad__V1__Error *error = envelope->error;
            const char *message = error->message != NULL ? error->message : "";
            if (error->code == TRIAD__V1__ERROR_CODE__ERROR_CODE_REFUSED) {
                fprintf(stderr, "triad: the coordinator refused this worker: %.500s\n", message);
                status = 3;
            } else if (error->code == TRIAD__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_DEVICE ||
                       error->code == TRIAD__V1__ERROR_CODE__ERROR_CODE_DUPLICATE_DEVICE ||
                       error->code == TRIAD__V1__ERROR_CODE__ERROR_CODE_NOT_CONFIGURED) {
                /* The coordinator does not know this worker (it restarted) or another worker holds the device (this
                 * one is a standby): register again, at most once per register interval, keeping the configuration
                 * (the coordinator configures the worker again before sending it work). */
                if (now - w->last_register >= TRIAD_REGISTER_INTERVAL_MS) {
                    triad_say(w, 2, "coordinator does not know this worker; registering again");
                    triad_send_register(w, now);
                }
            }
            break;
        }
        default:
            triad_send_error(w, id, TRIAD__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_MESSAGE, "a worker does not accept this message");
            break;
        }
    }
    if (!kept) triad__v1__envelope__free_unpacked(envelope, NULL);
    return status;
}
