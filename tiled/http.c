/* http.c: libmicrohttpd glue: start/stop, the access handler, response sending and the
 * access log. Everything else happens in router.c and the services.
 *
 * libmicrohttpd's thread pool ties each connection to one of its threads, so a tile
 * rendered in the access handler would stall every other connection of that thread while
 * another thread idles (two keep-alive clients on one thread: half the throughput). Tiles
 * that must be rendered are therefore handed to render threads of our own: the connection
 * is suspended, a render thread draws the tile and resumes it, and the handler, called
 * again, sends the result. Cached tiles, 304s and everything else are answered at once.
 * Admin POSTs (an upload's import can take minutes) go the same way to a thread of their
 * own. */
#include <arpa/inet.h>
#include <dirent.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

/* What a connection carries between calls of the access handler (*con_cls). */
enum { CONN_UPLOAD = 1, CONN_JOB };

#define JOB_MAX_ARGS 16
#define JOB_MAX_HEADERS 32

typedef struct upload upload;

/* A request waiting for, or done by, a worker thread. Only the worker touches it between
 * suspend and resume, only libmicrohttpd's thread before and after. */
typedef struct render_job {
    int kind; /* CONN_JOB */
    struct render_job *next;
    struct MHD_Connection *conn;
    srv_ctx *ctx;
    double t0;
    char method[8];
    char *path;
    char *if_none_match;
    char *args[2 * JOB_MAX_ARGS + 1]; /* name, value, ..., NULL (values may be NULL) */
    size_t n_args;
    char *headers[2 * JOB_MAX_HEADERS + 1];
    size_t n_headers;
    upload *body; /* POST: the received body (owned) */
    srv_response res;
    atomic_int done;
} render_job;

typedef struct render_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    render_job *head, *tail;
    int stop;
    pthread_t *threads;
    int n;
} render_pool;

struct srv_http {
    struct MHD_Daemon *d;
    srv_ctx *ctx;
    render_pool pool;  /* tiles to render: --threads threads */
    render_pool admin; /* admin POSTs: one thread */
};

static void release_blob(void *cls)
{
    srv_blob_release(cls);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, srv_request *req,
                                     srv_response *res)
{
    struct MHD_Response *r; /* for HEAD, libmicrohttpd sends the headers of this response
                               (its Content-Length included) and no body */
    (void)req;
    if (res->blob) { /* a cached tile in memory: sent with the headers, then released */
        r = MHD_create_response_from_buffer_with_free_callback_cls(
            res->len, res->blob->data, release_blob, res->blob);
        if (!r)
            srv_blob_release(res->blob);
        res->blob = NULL;
    } else if (res->has_fd) { /* a file: the kernel copies it (sendfile) */
        r = MHD_create_response_from_fd64(res->len, res->fd);
        if (!r)
            close(res->fd);
    } else if (res->body_static) { /* lives as long as the server */
        r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
    }
    res->body = NULL;
    res->has_fd = 0;
    if (!r)
        return MHD_NO;
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (res->etag[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
    if (res->cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache_control);
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A value of the request: from the connection, or on a worker thread (no connection) from
 * the name, value, ..., NULL copies taken before the connection was suspended. */
static const char *lookup(const srv_request *req, enum MHD_ValueKind kind, const char *name)
{
    if (req->conn)
        return MHD_lookup_connection_value(req->conn, kind, name);
    const char *const *v = kind == MHD_HEADER_KIND ? req->headers : req->args;
    for (size_t i = 0; v && v[i]; i += 2)
        if (kind == MHD_HEADER_KIND ? strcasecmp(v[i], name) == 0 : strcmp(v[i], name) == 0)
            return v[i + 1];
    return NULL;
}

const char *srv_arg(const srv_request *req, const char *name)
{
    return lookup(req, MHD_GET_ARGUMENT_KIND, name);
}

const char *srv_header(const srv_request *req, const char *name)
{
    return lookup(req, MHD_HEADER_KIND, name);
}

/* A request body being received: streamed into a file of its own directory, never held
 * in memory, and cut off at the configured size. */
struct upload {
    int kind; /* CONN_UPLOAD */
    char dir[256];
    char path[300];
    FILE *f;
    uint64_t len;
    int too_big;
};

static void upload_free(upload *u)
{
    if (!u)
        return;
    if (u->f)
        fclose(u->f);
    DIR *d = opendir(u->dir);
    if (d) { /* the body and whatever the import unpacked beside it */
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", u->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
        rmdir(u->dir);
    }
    free(u);
}

/* The mark a GET/HEAD request carries between the two calls of the access handler. */
static int request_seen;

static void job_free(render_job *j)
{
    if (!j)
        return;
    /* a response never sent (the client left while its tile was drawn) */
    srv_blob_release(j->res.blob);
    if (j->res.body && !j->res.body_static)
        free(j->res.body);
    free(j->path);
    free(j->if_none_match);
    for (size_t i = 0; i < j->n_args; i++)
        free(j->args[i]);
    for (size_t i = 0; i < j->n_headers; i++)
        free(j->headers[i]);
    upload_free(j->body);
    free(j);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    if (*con_cls && *con_cls != &request_seen) {
        if (*(int *)*con_cls == CONN_JOB)
            job_free(*con_cls);
        else
            upload_free(*con_cls);
    }
    *con_cls = NULL;
}

/* Worker threads (render and admin) ---------------------------------------------------------------------- */

static void run_job(render_job *j)
{
    tl_err err = TL_ERR_INIT;
    srv_request req = {j->method, j->path, j->if_none_match, NULL, j->ctx, NULL,
                       j->body ? j->body->path : NULL, j->body ? j->body->len : 0,
                       SRV_TILE_RENDER, (const char *const *)j->args,
                       (const char *const *)j->headers};
    req.w = srv_worker_get(&err);
    if (!req.w) {
        srv_error_response(&err, &j->res);
    } else {
        srv_route(&req, &j->res);
        tl_arena_reset(&req.w->arena);
    }
    struct MHD_Connection *conn = j->conn;
    atomic_store(&j->done, 1);
    MHD_resume_connection(conn); /* j belongs to libmicrohttpd's thread again */
}

static void *render_main(void *ud)
{
    render_pool *p = ud;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        render_job *j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        if (!j)
            return NULL; /* stopping, and nothing left to draw */
        run_job(j);
    }
}

static void pool_start(render_pool *p, int threads)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = tl_xcalloc((size_t)(threads > 0 ? threads : 1), sizeof *p->threads);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, render_main, p) != 0)
            break;
        p->n++;
    }
}

static void pool_stop(render_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    p->n = 0;
}

static void pool_free(render_pool *p)
{
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

static enum MHD_Result copy_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    render_job *j = cls;
    char **v = kind == MHD_HEADER_KIND ? j->headers : j->args;
    size_t *n = kind == MHD_HEADER_KIND ? &j->n_headers : &j->n_args;
    size_t max = kind == MHD_HEADER_KIND ? 2 * JOB_MAX_HEADERS : 2 * JOB_MAX_ARGS;
    if (*n + 2 > max)
        return MHD_NO;
    v[(*n)++] = tl_xstrdup(key);
    v[(*n)++] = value ? tl_xstrdup(value) : NULL;
    return MHD_YES;
}

/* Hand the request to a thread of pool p; 0 when it is queued (connection suspended, the
 * POST body, if any, taken over from *con_cls). */
static int submit(render_pool *p, srv_http *h, struct MHD_Connection *conn, void **con_cls,
                  const srv_request *req, double t0)
{
    render_job *j = tl_xcalloc(1, sizeof *j);
    j->kind = CONN_JOB;
    j->conn = conn;
    j->ctx = h->ctx;
    j->t0 = t0;
    tl_strlcpy(j->method, req->method, sizeof j->method);
    j->path = tl_xstrdup(req->path);
    j->if_none_match = req->if_none_match ? tl_xstrdup(req->if_none_match) : NULL;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_value, j);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_value, j);
    atomic_init(&j->done, 0);
    pthread_mutex_lock(&p->mu);
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        job_free(j);
        return -1;
    }
    if (*con_cls && *con_cls != &request_seen && *(int *)*con_cls == CONN_UPLOAD)
        j->body = *con_cls;
    *con_cls = j;
    MHD_suspend_connection(conn);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static void static_error(srv_response *res, int status, const char *json)
{
    res->status = status;
    res->content_type = "application/json";
    res->body = (unsigned char *)json;
    res->len = strlen(json);
    res->body_static = 1;
}

/* First call of a POST: refuse before reading the body when we can (auth, size). */
static int upload_begin(srv_ctx *ctx, struct MHD_Connection *conn, const char *url,
                        void **con_cls, srv_response *res)
{
    if (!tl_str_starts(url, "/admin/")) {
        static_error(res, 405, "{\"error\": \"method not allowed\", \"detail\": \"POST is "
                               "accepted under /admin/ only\"}\n");
        return -1;
    }
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    tl_err err = TL_ERR_INIT;
    if (srv_admin_auth(ctx, auth, &err) != 0) {
        srv_error_response(&err, res);
        return -1;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    int64_t n;
    if (cl && tl_parse_i64(cl, 0, INT64_MAX, &n, NULL) == 0 &&
        (uint64_t)n > ctx->cfg.upload_max_bytes) {
        TL_FAIL(&err, TL_ETOOBIG, "the body (%lld bytes) is larger than upload_max_bytes (%llu)",
                (long long)n, (unsigned long long)ctx->cfg.upload_max_bytes);
        srv_error_response(&err, res);
        return -1;
    }
    upload *u = tl_xcalloc(1, sizeof *u);
    u->kind = CONN_UPLOAD;
    const char *tmp = getenv("TMPDIR");
    snprintf(u->dir, sizeof u->dir, "%s/tiled-upload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(u->dir) || snprintf(u->path, sizeof u->path, "%s/body", u->dir) < 0 ||
        !(u->f = fopen(u->path, "wb"))) {
        TL_FAIL(&err, TL_ESTORE, "cannot store the upload in %s", u->dir);
        srv_error_response(&err, res);
        upload_free(u);
        return -1;
    }
    *con_cls = u;
    return 0;
}

static void upload_add(srv_ctx *ctx, upload *u, const char *data, size_t n)
{
    if (!u->too_big && u->len + n > ctx->cfg.upload_max_bytes)
        u->too_big = 1;
    if (!u->too_big && fwrite(data, 1, n, u->f) != n)
        u->too_big = 1;
    u->len += n;
}

static enum MHD_Result finish(struct MHD_Connection *conn, srv_ctx *ctx, srv_request *req,
                              srv_response *res, double t0)
{
    if (res->status >= 400)
        atomic_fetch_add(&ctx->n_errors, 1);
    size_t len = res->len;
    int status = res->status;
    enum MHD_Result rc = send_response(conn, req, res);
    if (req->w)
        tl_arena_reset(&req->w->arena);
    TL_INFO("%s %s %d %zu %.1fms", req->method, req->path, status, len, (tl_now() - t0) * 1e3);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    srv_http *h = cls;
    srv_ctx *ctx = h->ctx;
    double t0 = tl_now();
    srv_response res = {0};
    srv_request req = {method, url, NULL, NULL, ctx, conn, NULL, 0, 0, NULL, NULL};
    tl_err err = TL_ERR_INIT;
    (void)version;
    if (*con_cls && *con_cls != &request_seen && *(int *)*con_cls == CONN_JOB) {
        render_job *j = *con_cls; /* resumed: a render thread has drawn the tile */
        if (!atomic_load(&j->done))
            return MHD_YES;
        return finish(conn, ctx, &req, &j->res, j->t0);
    }
    int post = strcmp(method, "POST") == 0;
    if (post) {
        upload *u = *con_cls;
        if (!u) {
            atomic_fetch_add(&ctx->n_requests, 1);
            if (upload_begin(ctx, conn, url, con_cls, &res) != 0)
                return finish(conn, ctx, &req, &res, t0);
            return MHD_YES;
        }
        if (*upload_data_size) {
            upload_add(ctx, u, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        fclose(u->f);
        u->f = NULL;
        if (u->too_big) {
            TL_FAIL(&err, TL_ETOOBIG, "the body is larger than upload_max_bytes (%llu)",
                    (unsigned long long)ctx->cfg.upload_max_bytes);
            srv_error_response(&err, &res);
            return finish(conn, ctx, &req, &res, t0);
        }
        req.body_path = u->path;
        req.body_len = u->len;
        if (h->admin.n > 0 && submit(&h->admin, h, conn, con_cls, &req, t0) == 0)
            return MHD_YES; /* the import runs on the admin thread */
    } else if (*con_cls != &request_seen) {
        /* answer on the second call, once the whole request is read: a response queued
         * on the first call makes libmicrohttpd close the connection (no keep-alive) */
        *con_cls = &request_seen;
        return MHD_YES;
    } else {
        atomic_fetch_add(&ctx->n_requests, 1);
    }
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static_error(&res, 405, "{\"error\": \"method not allowed\", \"detail\": \"GET, "
                                "HEAD, and POST under /admin/ are served\"}\n");
    } else {
        req.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
        req.w = srv_worker_get(&err);
        if (!req.w) {
            srv_error_response(&err, &res);
        } else if (h->pool.n > 0 && tl_str_starts(url, "/tiles/")) {
            req.tile_phase = SRV_TILE_LOOKUP; /* cached, 304, error: now; else render thread */
            srv_route(&req, &res);
            if (res.status == 0) {
                tl_arena_reset(&req.w->arena);
                if (submit(&h->pool, h, conn, con_cls, &req, t0) == 0)
                    return MHD_YES;
                TL_FAIL(&err, TL_EBUSY, "the server is stopping");
                srv_error_response(&err, &res);
            }
        } else {
            srv_route(&req, &res);
        }
    }
    return finish(conn, ctx, &req, &res, t0);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl,
                        int *ipv6, tl_err *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
        TL_FAIL(err, TL_EINVAL, "--listen '%s': expected HOST:PORT, e.g. 127.0.0.1:8080",
                listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    int64_t port;
    if (tl_parse_i64(colon + 1, 0, 65535, &port, err) != 0) {
        tl_err_prefix(err, "--listen port: ");
        return -1;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0 || !ai) {
        TL_FAIL(err, TL_EINVAL, "--listen '%s': %s", listen, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sl = ai->ai_addrlen;
    *ipv6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return 0;
}

srv_http *srv_http_start(srv_ctx *ctx, const char *listen, int threads, int *port, tl_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int ipv6 = 0;
    if (parse_listen(listen, &ss, &sl, &ipv6, err) != 0)
        return NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME | (ipv6 ? MHD_USE_IPv6 : 0);
    srv_http *h = tl_xcalloc(1, sizeof *h);
    h->ctx = ctx;
    pool_start(&h->pool, threads); /* fewer threads, or none: the handler does the work */
    pool_start(&h->admin, 1);
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_END);
    if (!h->d) {
        TL_FAIL(err, TL_EINVAL, "cannot listen on %s (address in use or not local?)", listen);
        srv_http_stop(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &bl) != 0) {
        TL_FAIL(err, TL_EINTERNAL, "cannot read the bound port");
        srv_http_stop(h);
        return NULL;
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
    return h;
}

void srv_http_stop(srv_http *h)
{
    if (!h)
        return;
    /* the workers finish what is queued and resume those connections; requests handed
     * to them from now on are refused */
    pool_stop(&h->pool);
    pool_stop(&h->admin);
    if (h->d)
        MHD_stop_daemon(h->d);
    pool_free(&h->pool);
    pool_free(&h->admin);
    free(h);
}
