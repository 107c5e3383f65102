#include <zmq.h>

// Local control sockets for `triad pool`: a Unix stream socket by path, and a file descriptor handed from one
// process to another over it (SCM_RIGHTS), so a coordinator can take over the pool's listening socket. Written in
// C because the control-message macros have no Swift counterpart. Each returns -1 with errno set on failure.
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>

#ifdef SOCK_CLOEXEC
#define TRIAD_SOCK_CLOEXEC SOCK_CLOEXEC
#else
#define TRIAD_SOCK_CLOEXEC 0
#endif

static inline int triad_unix_address(const char *path, struct sockaddr_un *address) {
    if (strlen(path) >= sizeof(address->sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(address, 0, sizeof(*address));
    address->sun_family = AF_UNIX;
    strcpy(address->sun_path, path);
    return 0;
}

/// A listening Unix stream socket at `path` (which must not exist).
static inline int triad_unix_listen(const char *path, int backlog) {
    struct sockaddr_un address;
    if (triad_unix_address(path, &address) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | TRIAD_SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/// A Unix stream socket connected to `path`.
static inline int triad_unix_connect(const char *path) {
    struct sockaddr_un address;
    if (triad_unix_address(path, &address) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | TRIAD_SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/// Sends `length` bytes of `bytes` on `socket` with `descriptor` attached; the bytes sent, or -1.
static inline long triad_send_descriptor(int socket, int descriptor, const void *bytes, unsigned long length) {
    struct iovec vector = {(void *)bytes, length};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    return (long)sendmsg(socket, &message, 0);
}

/// Receives up to `capacity` bytes into `bytes` from `socket`, and the descriptor attached to them if any
/// (`*descriptor` is -1 when none came); the bytes received (0 at end of stream), or -1.
static inline long triad_receive_descriptor(int socket, int *descriptor, void *bytes, unsigned long capacity) {
    struct iovec vector = {bytes, capacity};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    *descriptor = -1;
#ifdef MSG_CMSG_CLOEXEC
    long received = (long)recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
#else
    long received = (long)recvmsg(socket, &message, 0);
#endif
    if (received < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            memcpy(descriptor, CMSG_DATA(header), sizeof(int));
        }
    }
    return received;
}

#include <netinet/in.h>
#include <arpa/inet.h>

/// A TCP socket bound to 127.0.0.1:`port` (0: the OS chooses) and listening; the port bound in `*bound`.
static inline int triad_tcp_listen(unsigned short port, int backlog, unsigned short *bound) {
    int fd = socket(AF_INET, SOCK_STREAM | TRIAD_SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, backlog) != 0
        || getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *bound = ntohs(address.sin_port);
    return fd;
}

/// Sends `length` bytes without raising SIGPIPE when the peer is gone; the bytes sent, or -1.
static inline long triad_send_bytes(int socket, const void *bytes, unsigned long length) {
#ifdef MSG_NOSIGNAL
    return (long)send(socket, bytes, length, MSG_NOSIGNAL);
#else
    return (long)send(socket, bytes, length, 0);
#endif
}

static inline int triad_accept(int socket) {
    int fd = accept(socket, NULL, NULL);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}
/// A copy of `fd` that does not pass to child processes.
static inline int triad_duplicate(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }
static inline int triad_close(int fd) { return close(fd); }
static inline int triad_shutdown(int fd) { return shutdown(fd, SHUT_RDWR); }
