/* errors_http.c: the one table from error codes to HTTP statuses, and JSON error bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/srv.h"

static const int status_of[] = {
    [TL_OK] = 200,          [TL_EINVAL] = 400,   [TL_ENOTFOUND] = 404, [TL_ETOOBIG] = 413,
    [TL_ETIMEOUT] = 503,    [TL_EUNAUTH] = 401,  [TL_ESTORE] = 500,    [TL_EGEOM] = 500,
    [TL_ECRS] = 400,        [TL_ENOMEM] = 500,   [TL_EINTERNAL] = 500, [TL_EBUSY] = 409,
};

int srv_http_status(tl_code code)
{
    if ((unsigned)code >= sizeof status_of / sizeof status_of[0])
        return 500;
    return status_of[code];
}

static const char *reason(int status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 409: return "conflict";
    case 413: return "request too large";
    case 503: return "unavailable";
    default: return "internal error";
    }
}

int srv_json_str(tl_buf *b, const char *s, tl_err *err)
{
    if (tl_buf_add(b, "\"", 1, err) != 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        const char *out = NULL;
        size_t n = 0;
        switch (*p) {
        case '"': out = "\\\""; n = 2; break;
        case '\\': out = "\\\\"; n = 2; break;
        case '\n': out = "\\n"; n = 2; break;
        case '\r': out = "\\r"; n = 2; break;
        case '\t': out = "\\t"; n = 2; break;
        default:
            if (*p < 0x20) {
                n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
                out = esc;
            }
        }
        if (out ? tl_buf_add(b, out, n, err) : tl_buf_add(b, p, 1, err))
            return -1;
    }
    return tl_buf_add(b, "\"", 1, err);
}

void srv_error_response(const tl_err *err, srv_response *res)
{
    tl_buf b;
    tl_buf_init(&b, 4096);
    res->status = srv_http_status(err->code);
    tl_buf_addf(&b, NULL, "{\"error\": ");
    srv_json_str(&b, reason(res->status), NULL);
    tl_buf_addf(&b, NULL, ", \"detail\": ");
    srv_json_str(&b, err->msg, NULL);
    tl_buf_addf(&b, NULL, "}\n");
    res->content_type = "application/json";
    res->body = tl_buf_take(&b, &res->len);
    res->body_static = 0;
}
