/* `triad worker`'s command line (Sources/triad/WorkerCommand.swift, Endpoint.swift, KeyFile.swift). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "triad_worker.h"

static int bad(const char *message, const char *value) {
    fprintf(stderr, "triad: %s%s%.80s%s\n", message, value ? " (got '" : "", value ? value : "", value ? "')" : "");
    return 2;
}

static int valid_endpoint(const char *endpoint) {
    if (strncmp(endpoint, "ipc://", 6) == 0) return endpoint[6] != '\0';
    if (strncmp(endpoint, "inproc://", 9) == 0) return endpoint[9] != '\0';
    if (strncmp(endpoint, "tcp://", 6) != 0) return 0;
    const char *colon = strrchr(endpoint + 6, ':');
    if (colon == NULL || colon == endpoint + 6 || colon[1] == '\0' || strlen(colon + 1) > 5) return 0;
    long port = 0;
    for (const char *digit = colon + 1; *digit; digit++) {
        if (*digit < '0' || *digit > '9') return 0;
        port = port * 10 + (*digit - '0');
    }
    return port >= 1 && port <= 65535;
}

static int valid_device_id(const char *id) {
    size_t length = strlen(id);
    if (length < 1 || length > 64) return 0;
    for (size_t index = 0; index < length; index++) {
        char c = id[index];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (index == 0 || (c != '.' && c != '_' && c != '-'))) return 0;
    }
    return 1;
}

/* The last `key:` line's 40-character value of a key file (public-key / secret-key), or NULL. */
static char *key_from_file(const char *path, const char *key) {
    struct stat status;
    if (stat(path, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size > (16 << 20)) return NULL;
    FILE *file = fopen(path, "r");
    if (file == NULL) return NULL;
    static char found[2][41];
    char *slot = found[strcmp(key, "secret-key") == 0];
    int have = 0;
    char line[4096];
    while (fgets(line, sizeof line, file) != NULL) {
        char *colon = strchr(line, ':');
        if (colon == NULL) continue;
        *colon = '\0';
        char *name = line, *value = colon + 1;
        while (*name == ' ' || *name == '\t') name++;
        size_t end = strlen(name);
        while (end > 0 && (name[end - 1] == ' ' || name[end - 1] == '\t')) name[--end] = '\0';
        while (*value == ' ' || *value == '\t') value++;
        end = strlen(value);
        while (end > 0 && strchr(" \t\r\n", value[end - 1]) != NULL) value[--end] = '\0';
        if (strcmp(name, key) == 0 && strlen(value) == 40) {
            memcpy(slot, value, 41);
            have = 1;
        }
    }
    fclose(file);
    return have ? slot : NULL;
}

int triad_worker_parse_arguments(int argc, char **argv, triad_worker_options *options, int *exit_with_parent) {
    const char *curve_key = NULL, *server_key = NULL;
    int curve = 0;
    *exit_with_parent = 0;
    options->verbosity = 1;
    int first = argc > 1 && strcmp(argv[1], "worker") == 0 ? 2 : 1;
    for (int index = first; index < argc; index++) {
        const char *flag = argv[index];
        const char **value = NULL;
        const char *level = NULL;
        if (strcmp(flag, "--once") == 0) options->once = 1;
        else if (strcmp(flag, "--exit-with-parent") == 0) *exit_with_parent = 1;
        else if (strcmp(flag, "--curve") == 0) curve = 1;
        else if (strcmp(flag, "--connect") == 0) value = &options->endpoint;
        else if (strcmp(flag, "--device") == 0) value = &options->device_id;
        else if (strcmp(flag, "--curve-key") == 0) value = &curve_key;
        else if (strcmp(flag, "--server-key") == 0) value = &server_key;
        else if (strcmp(flag, "--log-level") == 0 || strcmp(flag, "--topology") == 0) value = &level;
        else return bad("unknown option", flag);
        if (value != NULL) {
            if (index + 1 >= argc) return bad("missing value for", flag);
            *value = argv[++index];
        }
        if (level != NULL && strcmp(flag, "--log-level") == 0) {
            const char *levels[] = {"trace", "debug", "info", "notice", "warning", "error", "critical"};
            int known = -1;
            for (int l = 0; l < 7; l++) if (strcmp(level, levels[l]) == 0) known = l;
            if (known < 0) return bad("--log-level must be trace, debug, info, notice, warning, error or critical", level);
            options->verbosity = known <= 2 ? 2 : known <= 4 ? 1 : 0;
        }
    }
    if (options->endpoint == NULL || !valid_endpoint(options->endpoint)) {
        return bad("--connect must be tcp://HOST:PORT (port 1…65535), ipc://PATH or inproc://NAME", options->endpoint);
    }
    if (options->device_id == NULL || !valid_device_id(options->device_id)) {
        return bad("--device must be 1…64 characters of letters, digits, '.', '_' and '-', starting with a letter or digit",
                   options->device_id);
    }
    if (curve && curve_key == NULL) return bad("--curve needs --curve-key FILE and --server-key KEY", NULL);
    if (curve_key != NULL) {
        if (server_key == NULL) return bad("--curve-key needs --server-key", NULL);
        static char public_key[41], secret_key[41];
        const char *public_found = key_from_file(curve_key, "public-key");
        if (public_found != NULL) memcpy(public_key, public_found, 41);
        const char *secret_found = key_from_file(curve_key, "secret-key");
        if (public_found == NULL || secret_found == NULL) {
            return bad("the --curve-key file has no 40-character public-key and secret-key lines", curve_key);
        }
        memcpy(secret_key, secret_found, 41);
        options->public_key = public_key;
        options->secret_key = secret_key;
        struct stat status;
        if (strlen(server_key) == 40 && stat(server_key, &status) != 0) {
            options->server_public_key = server_key;
        } else {
            static char server[41];
            const char *found = key_from_file(server_key, "public-key");
            if (found == NULL) return bad("--server-key is neither a 40-character Z85 key nor a key file", server_key);
            memcpy(server, found, 41);
            options->server_public_key = server;
        }
    }
    return 0;
}

static void *watch(void *parent) {
    for (;;) {
        if (getppid() != (pid_t)(long)parent) exit(0);
        nanosleep(&(struct timespec){0, 200000000}, NULL);
    }
    return NULL;
}

int triad_worker_watch_parent(void) {
    pid_t parent = getppid();
    if (parent == 1) exit(0);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watch, (void *)(long)parent) != 0) return 1;
    pthread_detach(thread);
    return 0;
}
