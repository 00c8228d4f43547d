/* svc_tiles.c: GET /tiles/{layers}/{z}/{x}/{y}[@2x].png (XYZ, EPSG:3857) and GET /health. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/base/tl_geo.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

typedef struct tile_req {
    char names[SRV_MAX_LAYERS_PER_TILE][64];
    size_t n_layers;
    sty_tile t;
} tile_req;

/* Split "a,b,c" into names; every name must be non-empty and short. */
static int parse_layers(const char *s, size_t len, tile_req *tr, tl_err *err)
{
    size_t start = 0;
    tr->n_layers = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        size_t n = i - start;
        if (n == 0 || n >= sizeof tr->names[0]) {
            TL_FAIL(err, TL_ENOTFOUND, "bad layer list '%.*s'", (int)(len > 100 ? 100 : len), s);
            return -1;
        }
        if (tr->n_layers == SRV_MAX_LAYERS_PER_TILE) {
            TL_FAIL(err, TL_EINVAL, "more than %d layers in one tile", SRV_MAX_LAYERS_PER_TILE);
            return -1;
        }
        memcpy(tr->names[tr->n_layers], s + start, n);
        tr->names[tr->n_layers][n] = '\0';
        tr->n_layers++;
        start = i + 1;
    }
    return 0;
}

/* rest = "{layers}/{z}/{x}/{y}[@2x].png". Malformed or out-of-range coordinates: 404. */
static int parse_tile_path(const char *rest, tile_req *tr, tl_err *err)
{
    const char *seg[4];
    size_t seglen[4];
    const char *p = rest;
    for (int i = 0; i < 4; i++) {
        const char *slash = i < 3 ? strchr(p, '/') : p + strlen(p);
        if (!slash) {
            TL_FAIL(err, TL_ENOTFOUND, "not a tile path: /tiles/%.200s (want "
                                       "/tiles/{layers}/{z}/{x}/{y}.png)", rest);
            return -1;
        }
        seg[i] = p;
        seglen[i] = (size_t)(slash - p);
        p = slash + (i < 3);
    }
    if (parse_layers(seg[0], seglen[0], tr, err) != 0)
        return -1;
    /* the y segment carries the scale and format */
    size_t ylen = seglen[3];
    tr->t.scale = 1;
    if (ylen > 4 && memcmp(seg[3] + ylen - 4, ".png", 4) == 0) {
        ylen -= 4;
    } else {
        TL_FAIL(err, TL_ENOTFOUND, "unsupported tile format in '%.60s' (tiles are .png)", seg[3]);
        return -1;
    }
    if (ylen > 3 && memcmp(seg[3] + ylen - 3, "@2x", 3) == 0) {
        tr->t.scale = 2;
        ylen -= 3;
    }
    int64_t z, x, y;
    if (tl_parse_i64n(seg[1], seglen[1], 0, TL_MAX_ZOOM, &z, err) != 0 ||
        tl_parse_i64n(seg[2], seglen[2], 0, ((int64_t)1 << z) - 1, &x, err) != 0 ||
        tl_parse_i64n(seg[3], ylen, 0, ((int64_t)1 << z) - 1, &y, err) != 0) {
        err->code = TL_ENOTFOUND; /* a tile that cannot exist is not there */
        tl_err_prefix(err, "tile %.*s/%.*s/%.*s: ", (int)(seglen[1] > 12 ? 12 : seglen[1]),
                      seg[1], (int)(seglen[2] > 12 ? 12 : seglen[2]), seg[2],
                      (int)(ylen > 12 ? 12 : ylen), seg[3]);
        return -1;
    }
    tr->t.z = (int)z;
    tr->t.x = (uint32_t)x;
    tr->t.y = (uint32_t)y;
    return 0;
}

/* The tile's cache key and strong ETag: 128 bits over everything its bytes depend on
 * (Martin's idea): the store, each layer's name, its content version inside this tile
 * (grown by one tile on each side, the reach of strokes, marks and labels), its style,
 * z/x/y, the pixel ratio and the format. */
void srv_tile_key_make(const srv_ctx *ctx, const sty_tile *t, srv_layer *const *lays, size_t n,
                       srv_tile_key *out)
{
    uint64_t h1 = 1469598103934665603ULL ^ ctx->store_seed, h2 = 0x9e3779b97f4a7c15ULL;
#define MIX(v)                                                                             \
    do {                                                                                   \
        uint64_t m_ = (uint64_t)(v);                                                       \
        h1 = (h1 ^ m_) * 1099511628211ULL;                                                 \
        h2 = (h2 ^ m_) * 0xff51afd7ed558ccdULL;                                            \
        h2 ^= h2 >> 29;                                                                    \
    } while (0)
    tl_bbox bb = tl_tile_bbox(t->z, t->x, t->y);
    double w = bb.maxx - bb.minx;
    tl_bbox reach = {bb.minx - w, bb.miny - w, bb.maxx + w, bb.maxy + w};
    for (size_t i = 0; i < n; i++) {
        for (const char *c = lays[i]->name; *c; c++)
            MIX((unsigned char)*c);
        MIX(',');
        MIX(srv_changelog_version(lays[i]->log, lyr_snapshot_version(lays[i]->snap), &reach));
        MIX(sty_style_hash(lays[i]->style));
    }
    MIX(t->z);
    MIX(t->x);
    MIX(t->y);
    MIX(t->scale);
    MIX(t->format);
#undef MIX
    memcpy(out->b, &h1, 8);
    memcpy(out->b + 8, &h2, 8);
}

static void etag_of(const srv_tile_key *k, char *out, size_t size)
{
    char h[33];
    srv_tile_key_hex(k, h);
    snprintf(out, size, "\"%s\"", h);
}

/* ?format=png (default) or png8 (palette; the style's colours stay exact). */
static int parse_format(const srv_request *req, sty_tile *t, tl_err *err)
{
    const char *f = srv_arg(req, "format");
    t->format = STY_FORMAT_PNG;
    if (!f || strcmp(f, "png") == 0)
        return 0;
    if (strcmp(f, "png8") == 0) {
        t->format = STY_FORMAT_PNG8;
        return 0;
    }
    TL_FAIL(err, TL_EINVAL, "format '%.20s' is not png or png8", f);
    return -1;
}

void srv_tiles_handle(srv_request *req, const char *rest, srv_response *res)
{
    tl_err err = TL_ERR_INIT;
    tile_req tr;
    srv_layer *lays[SRV_MAX_LAYERS_PER_TILE] = {0};
    sty_layer ly[SRV_MAX_LAYERS_PER_TILE];
    size_t held = 0;
    if (parse_tile_path(rest, &tr, &err) != 0 || parse_format(req, &tr.t, &err) != 0)
        goto fail;
    for (; held < tr.n_layers; held++) {
        lays[held] = srv_registry_acquire(req->ctx->reg, tr.names[held], &err);
        if (!lays[held])
            goto fail;
        ly[held].snap = lays[held]->snap;
        ly[held].style = lays[held]->style;
    }
    srv_tile_key key;
    srv_tile_key_make(req->ctx, &tr.t, lays, tr.n_layers, &key);
    etag_of(&key, res->etag, sizeof res->etag);
    res->cache_control = req->ctx->cache_control;
    if (req->if_none_match && strcmp(req->if_none_match, res->etag) == 0) {
        res->status = 304;
        res->body = (unsigned char *)"";
        res->body_static = 1;
        goto done;
    }
    if (req->ctx->cache && req->tile_phase != SRV_TILE_RENDER) {
        srv_blob *b = srv_cache_get_blob(req->ctx->cache, &key);
        if (b) {
            res->status = 200;
            res->content_type = "image/png";
            res->blob = b;
            res->body = b->data;
            res->len = b->len;
            goto done;
        }
    }
    if (req->tile_phase == SRV_TILE_LOOKUP) {
        res->etag[0] = '\0';
        res->cache_control = NULL;
        goto done; /* status 0: render it elsewhere */
    }
    tl_buf png;
    tl_buf_init(&png, SRV_MAX_TILE_BYTES);
    if (sty_render_tile(req->w->renderer, ly, tr.n_layers, &tr.t, &req->w->arena, &png, &err) != 0) {
        tl_buf_free(&png);
        goto fail;
    }
    if (req->ctx->cache)
        srv_cache_put(req->ctx->cache, &key, png.data, png.len);
    atomic_fetch_add(&req->ctx->n_tiles, 1);
    res->status = 200;
    res->content_type = "image/png";
    res->body = tl_buf_take(&png, &res->len);
    goto done;
fail:
    res->etag[0] = '\0';
    res->cache_control = NULL;
    srv_error_response(&err, res);
done:
    for (size_t i = 0; i < held; i++)
        srv_layer_release(lays[i]);
}

void srv_health_handle(srv_request *req, srv_response *res)
{
    srv_ctx *ctx = req->ctx;
    srv_layer **ls;
    size_t n = srv_registry_list(ctx->reg, &ls);
    int64_t gen = 0;
    for (size_t i = 0; i < n; i++)
        gen += lyr_snapshot_version(ls[i]->snap);
    tl_buf b;
    tl_buf_init(&b, 1 << 20);
    tl_buf_addf(&b, NULL, "{\"status\": \"ok\", \"store\": ");
    srv_json_str(&b, ctx->store_path, NULL);
    tl_buf_addf(&b, NULL, ", \"generation\": %" PRId64 ", \"uptime_s\": %.1f, \"layers\": [",
                gen, tl_now() - ctx->started);
    for (size_t i = 0; i < n; i++) {
        const lyr_snapshot *s = ls[i]->snap;
        tl_buf_addf(&b, NULL, "%s{\"name\": ", i ? ", " : "");
        srv_json_str(&b, lyr_snapshot_name(s), NULL);
        tl_bbox e = lyr_snapshot_extent(s);
        tl_buf_addf(&b, NULL, ", \"version\": %d, \"features\": %zu, \"styled\": %s",
                    lyr_snapshot_version(s), lyr_snapshot_count(s),
                    ls[i]->style_key ? "true" : "false");
        if (lyr_snapshot_count(s) && e.minx <= e.maxx)
            tl_buf_addf(&b, NULL, ", \"extent\": [%.2f, %.2f, %.2f, %.2f]", e.minx, e.miny,
                        e.maxx, e.maxy);
        if (lyr_snapshot_kind(s) == LYR_GEOM_POLYGON) {
            /* polygons overlapping another one: a data-quality figure, and until the
             * analyst thread has it, polygon fills are drawn one by one (slower) */
            size_t k;
            if (lyr_snapshot_overlap_count(s, &k))
                tl_buf_addf(&b, NULL, ", \"overlapping\": %zu", k);
            else
                tl_buf_addf(&b, NULL, ", \"overlapping\": \"pending\"");
        }
        tl_buf_addf(&b, NULL, "}");
        srv_layer_release(ls[i]);
    }
    free(ls);
    tl_buf_addf(&b, NULL, "]");
    if (ctx->cache) {
        srv_cache_info ci;
        srv_cache_stats(ctx->cache, &ci);
        tl_buf_addf(&b, NULL, ", \"cache\": {\"tiles\": %" PRIu64 ", \"bytes\": %" PRIu64
                    ", \"max_bytes\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
                    ", \"evictions\": %" PRIu64 ", \"memory_tiles\": %" PRIu64
                    ", \"memory_bytes\": %" PRIu64 ", \"memory_max_bytes\": %" PRIu64 "}",
                    ci.tiles, ci.bytes, ci.max_bytes, ci.hits, ci.misses, ci.evictions,
                    ci.mem_tiles, ci.mem_bytes, ci.mem_max_bytes);
    }
    tl_buf_addf(&b, NULL, ", \"tiles_rendered\": %llu}\n",
                (unsigned long long)atomic_load(&ctx->n_tiles));
    res->status = 200;
    res->content_type = "application/json";
    res->body = tl_buf_take(&b, &res->len);
}
