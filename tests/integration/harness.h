/* harness.h: start `tiled serve --listen 127.0.0.1:0` and talk HTTP to it (tests only).
 * The port is the one the daemon prints, so tests never race for a free port. */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct th_server {
    pid_t pid;
    int port;
    FILE *out; /* the daemon's stdout */
} th_server;

/* Run argv (NULL-terminated) and wait; returns the exit status, stderr into `errbuf`. */
static inline int th_run(char *const argv[], char *errbuf, size_t errsize)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(pfd[0], errbuf + n, errsize - 1 - n)) > 0 && n + 1 < errsize)
        n += (size_t)r;
    errbuf[n] = '\0';
    close(pfd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The small demo store SCRATCH/demo-small.gpkg (path into `store`), written by
 * `tiled demo` unless a previous run left it. 0 on success. */
static inline int th_demo_store(const char *bin, const char *scratch, char *store, size_t size)
{
    mkdir(scratch, 0755);
    snprintf(store, size, "%s/demo-small.gpkg", scratch);
    struct stat sb;
    if (stat(store, &sb) == 0)
        return 0;
    char err[4096];
    char *argv[] = {(char *)bin, "demo", "--store", store, "--scale", "small", NULL};
    if (th_run(argv, err, sizeof err) != 0) {
        fprintf(stderr, "tiled demo failed: %s\n", err);
        unlink(store);
        return -1;
    }
    return 0;
}

/* Start the daemon; 0 on success with srv->port set from its first stdout line. */
static inline int th_start(th_server *srv, const char *bin, const char *store, const char *threads)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execl(bin, bin, "serve", "--store", store, "--listen", "127.0.0.1:0", "--threads",
              threads, "--quiet", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    srv->pid = pid;
    srv->out = fdopen(pfd[0], "r");
    char line[256];
    if (!fgets(line, sizeof line, srv->out))
        return -1;
    const char *p = strstr(line, "listening on http://127.0.0.1:");
    if (!p)
        return -1;
    srv->port = (int)strtol(p + strlen("listening on http://127.0.0.1:"), NULL, 10);
    return srv->port > 0 ? 0 : -1;
}

static inline int th_stop(th_server *srv)
{
    kill(srv->pid, SIGTERM);
    int st = 0;
    waitpid(srv->pid, &st, 0);
    fclose(srv->out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

typedef struct th_resp {
    int status;
    char headers[4096];
    unsigned char *body; /* malloc'd */
    size_t len;
} th_resp;

/* One request over a fresh connection. `extra` is extra header lines ("K: v\r\n") or "". */
static inline int th_request(int port, const char *method, const char *path, const char *extra,
                             th_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", method,
                     path, extra);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t cap = 65536, len = 0;
    unsigned char *buf = malloc(cap);
    ssize_t r;
    while ((r = read(fd, buf + len, cap - len)) > 0) {
        len += (size_t)r;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    unsigned char *sep = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            sep = buf + i;
            break;
        }
    if (!sep || len < 12) {
        free(buf);
        return -1;
    }
    out->status = (int)strtol((char *)buf + 9, NULL, 10);
    size_t hl = (size_t)(sep - buf);
    if (hl >= sizeof out->headers)
        hl = sizeof out->headers - 1;
    memcpy(out->headers, buf, hl);
    out->headers[hl] = '\0';
    out->len = len - (size_t)(sep + 4 - buf);
    out->body = malloc(out->len + 1);
    memcpy(out->body, sep + 4, out->len);
    out->body[out->len] = '\0';
    free(buf);
    return 0;
}

#endif
