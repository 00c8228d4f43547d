/* svc_static.c: the web viewer's files (GET /, /static/...), read once at start-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

#define MAX_STATIC_BYTES (8u << 20)

static const struct {
    const char *url, *rel, *ctype;
} files[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/static/viewer.js", "viewer.js", "text/javascript; charset=utf-8"},
    {"/static/ol.js", "node_modules/ol/dist/ol.js", "text/javascript; charset=utf-8"},
    {"/static/ol.css", "node_modules/ol/ol.css", "text/css; charset=utf-8"},
};
#define N_FILES (sizeof files / sizeof files[0])

struct srv_static {
    unsigned char *body[N_FILES]; /* NULL: missing */
    size_t len[N_FILES];
};

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && (unsigned long)n <= MAX_STATIC_BYTES && fseek(f, 0, SEEK_SET) == 0) {
            buf = tl_xmalloc((size_t)n + 1);
            if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            } else {
                *len = (size_t)n;
            }
        }
    }
    fclose(f);
    return buf;
}

srv_static *srv_static_load(const char *dir)
{
    srv_static *s = tl_xcalloc(1, sizeof *s);
    int missing = 0;
    for (size_t i = 0; i < N_FILES; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].rel);
        s->body[i] = slurp(path, &s->len[i]);
        missing += s->body[i] == NULL;
    }
    if (missing)
        TL_WARN("web viewer: %d file(s) missing under %s (run scripts/setup-web.sh); tiles "
                "are served regardless", missing, dir);
    return s;
}

void srv_static_free(srv_static *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < N_FILES; i++)
        free(s->body[i]);
    free(s);
}

int srv_static_handle(srv_request *req, srv_response *res)
{
    const srv_static *s = req->ctx->web;
    for (size_t i = 0; i < N_FILES; i++) {
        if (strcmp(req->path, files[i].url) != 0)
            continue;
        if (!s || !s->body[i]) {
            tl_err err = TL_ERR_INIT;
            TL_FAIL(&err, TL_ENOTFOUND, "the web viewer is not installed on this server "
                                        "(scripts/setup-web.sh); tiles are at /tiles/...");
            srv_error_response(&err, res);
            return 1;
        }
        res->status = 200;
        res->content_type = files[i].ctype;
        res->body = s->body[i];
        res->len = s->len[i];
        res->body_static = 1;
        res->cache_control = "public, max-age=300";
        return 1;
    }
    return 0;
}
