/* svc_legend.c: GET /legend/{layer}.png and /legend/{layer}@2x.png: the legend of the
 * style a layer is served with (one swatch and title per rule). */
#include <stdio.h>
#include <string.h>

#include "tiled/srv.h"

void srv_legend_handle(srv_request *req, const char *rest, srv_response *res)
{
    tl_err err = TL_ERR_INIT;
    char name[64];
    size_t n = strlen(rest);
    int scale = 1;
    if (n > 4 && strcmp(rest + n - 4, ".png") == 0) {
        n -= 4;
        if (n > 3 && memcmp(rest + n - 3, "@2x", 3) == 0) {
            n -= 3;
            scale = 2;
        }
    } else {
        n = 0;
    }
    if (n == 0 || n >= sizeof name || memchr(rest, '/', n)) {
        TL_FAIL(&err, TL_ENOTFOUND, "not a legend path: /legend/%.100s (want "
                                    "/legend/{layer}.png)", rest);
        srv_error_response(&err, res);
        return;
    }
    memcpy(name, rest, n);
    name[n] = '\0';
    srv_layer *l = srv_registry_acquire(req->ctx->reg, name, &err);
    if (!l) {
        srv_error_response(&err, res);
        return;
    }
    tl_buf png;
    tl_buf_init(&png, SRV_MAX_TILE_BYTES);
    if (sty_legend_png(l->style, scale, &req->w->arena, &png, &err) != 0) {
        tl_buf_free(&png);
        srv_layer_release(l);
        srv_error_response(&err, res);
        return;
    }
    snprintf(res->etag, sizeof res->etag, "\"legend-%016llx-%d\"",
             (unsigned long long)sty_style_hash(l->style), scale);
    srv_layer_release(l);
    res->status = 200;
    res->content_type = "image/png";
    res->body = tl_buf_take(&png, &res->len);
}
