/* server.c: setting up and tearing down the serving state (config, tile cache, layers)
 * shared by `tiled serve` and `tiled seed`, so both compute the same tile keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

int srv_open(srv_ctx *ctx, const srv_open_opts *o, tl_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->store_path = o->store;
    ctx->started = tl_now();
    srv_config_defaults(&ctx->cfg);
    if (o->config && srv_config_load(&ctx->cfg, o->config, err) != 0)
        goto fail;
    ctx->cache_control = ctx->cfg.cache_control;
    struct stat sb;
    if (stat(o->store, &sb) == 0) /* a store made anew at the same path gets new keys */
        ctx->store_seed = (uint64_t)sb.st_ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)sb.st_dev;
    char *dir = NULL;
    if (!o->no_cache) {
        if (o->cache_dir) {
            dir = tl_xstrdup(o->cache_dir);
        } else {
            size_t n = strlen(o->store) + 8;
            dir = tl_xmalloc(n);
            snprintf(dir, n, "%s.tiles", o->store);
        }
    }
    /* the store first: a bad store must fail before a cache directory appears */
    ctx->reg = srv_registry_load(o->store, dir, err);
    if (ctx->reg && dir) {
        tl_err cerr = TL_ERR_INIT;
        ctx->cache = srv_cache_open(dir, ctx->cfg.cache_max_bytes,
                                    o->no_memory_cache ? 0 : ctx->cfg.cache_memory_bytes, &cerr);
        if (!ctx->cache && o->cache_dir) { /* asked for by name: an error */
            *err = cerr;
        } else if (!ctx->cache) { /* the default beside a read-only store: serve uncached */
            TL_WARN("%s; serving without a tile cache (give --cache DIR)", cerr.msg);
        }
    }
    int ok = ctx->reg && (o->no_cache || ctx->cache || !o->cache_dir);
    if (!ok) {
        free(dir);
        goto fail;
    }
    free(dir);
    return 0;
fail:
    srv_close(ctx);
    return -1;
}

void srv_close(srv_ctx *ctx)
{
    srv_registry_free(ctx->reg);
    srv_cache_close(ctx->cache);
    srv_config_free(&ctx->cfg);
    ctx->reg = NULL;
    ctx->cache = NULL;
}
