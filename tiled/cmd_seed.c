/* cmd_seed.c: `tiled seed`: pre-render tiles into the cache `tiled serve` reads, with the
 * same keys, so the first planner to open a map finds it ready. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tiled/base/tl_geo.h"
#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/cli.h"
#include "tiled/srv.h"

static const char usage[] =
    "usage: tiled seed --store PATH --layers L[,L...] --zoom A-B [options]\n"
    "  --bbox W,S,E,N  lon/lat area to seed (default: the layers' extent)\n"
    "  --cache DIR     the tile cache (default STORE.tiles, as `tiled serve`)\n"
    "  --config FILE   the server's config (cache_max_bytes)\n"
    "  --scale 1|2     256 px tiles, or 512 px (@2x)\n"
    "  --threads N     render threads (default: number of CPUs)\n"
    "  --json          print the summary as JSON\n"
    "Tiles already in the cache are skipped.\n";

typedef struct seed_job {
    srv_ctx *ctx;
    srv_layer *lays[SRV_MAX_LAYERS_PER_TILE];
    size_t n_layers;
    int z0, z1, scale;
    tl_bbox bb; /* EPSG:3857 */
    uint64_t total;
    atomic_ullong next, done, rendered, failed;
    atomic_int running;
} seed_job;

/* Tile ranges of zoom z covering bb. */
static void range(const seed_job *j, int z, uint32_t *x0, uint32_t *x1, uint32_t *y0,
                  uint32_t *y1)
{
    double n = (double)(1u << z), w = 2 * TL_MERC_HALF;
    double fx0 = (j->bb.minx + TL_MERC_HALF) / w * n, fx1 = (j->bb.maxx + TL_MERC_HALF) / w * n;
    double fy0 = (TL_MERC_HALF - j->bb.maxy) / w * n, fy1 = (TL_MERC_HALF - j->bb.miny) / w * n;
    *x0 = (uint32_t)fmax(0, floor(fx0));
    *x1 = (uint32_t)fmin(n - 1, floor(fx1));
    *y0 = (uint32_t)fmax(0, floor(fy0));
    *y1 = (uint32_t)fmin(n - 1, floor(fy1));
}

/* The i-th tile of the job (zoom by zoom, row by row). */
static int nth(const seed_job *j, uint64_t i, sty_tile *t)
{
    for (int z = j->z0; z <= j->z1; z++) {
        uint32_t x0, x1, y0, y1;
        range(j, z, &x0, &x1, &y0, &y1);
        uint64_t w = x1 - x0 + 1, cnt = w * (y1 - y0 + 1);
        if (i < cnt) {
            t->z = z;
            t->x = x0 + (uint32_t)(i % w);
            t->y = y0 + (uint32_t)(i / w);
            t->scale = j->scale;
            return 0;
        }
        i -= cnt;
    }
    return -1;
}

static void *worker(void *ud)
{
    seed_job *j = ud;
    tl_err err = TL_ERR_INIT;
    sty_renderer *r = sty_renderer_new(&err);
    tl_arena a;
    tl_arena_init(&a, 1u << 20);
    sty_layer ly[SRV_MAX_LAYERS_PER_TILE];
    for (size_t i = 0; i < j->n_layers; i++) {
        ly[i].snap = j->lays[i]->snap;
        ly[i].style = j->lays[i]->style;
    }
    for (uint64_t i; r && (i = atomic_fetch_add(&j->next, 1)) < j->total;) {
        sty_tile t = {0};
        if (nth(j, i, &t) != 0)
            break;
        srv_tile_key k;
        srv_tile_key_make(j->ctx, &t, j->lays, j->n_layers, &k);
        uint64_t size;
        int fd = srv_cache_get(j->ctx->cache, &k, &size);
        if (fd >= 0) {
            close(fd);
        } else {
            tl_buf png;
            tl_buf_init(&png, SRV_MAX_TILE_BYTES);
            tl_err e = TL_ERR_INIT;
            if (sty_render_tile(r, ly, j->n_layers, &t, &a, &png, &e) == 0) {
                srv_cache_put(j->ctx->cache, &k, png.data, png.len);
                atomic_fetch_add(&j->rendered, 1);
            } else {
                atomic_fetch_add(&j->failed, 1);
            }
            tl_buf_free(&png);
            tl_arena_reset(&a);
        }
        atomic_fetch_add(&j->done, 1);
    }
    if (!r)
        atomic_fetch_add(&j->failed, 1);
    tl_arena_free(&a);
    sty_renderer_free(r);
    atomic_fetch_sub(&j->running, 1);
    return NULL;
}

static int parse_zoom(const char *s, int *z0, int *z1, tl_err *err)
{
    const char *dash = strchr(s, '-');
    int64_t a, b;
    if (dash ? tl_parse_i64n(s, (size_t)(dash - s), 0, 22, &a, err) != 0 ||
                   tl_parse_i64(dash + 1, 0, 22, &b, err) != 0
             : tl_parse_i64(s, 0, 22, &a, err) != 0) {
        tl_err_prefix(err, "--zoom: ");
        return -1;
    }
    if (!dash)
        b = a;
    if (b < a) {
        TL_FAIL(err, TL_EINVAL, "--zoom %s: the range is empty", s);
        return -1;
    }
    *z0 = (int)a;
    *z1 = (int)b;
    return 0;
}

static int parse_bbox(const char *s, tl_bbox *bb, tl_err *err)
{
    double v[4];
    char buf[200];
    tl_strlcpy(buf, s, sizeof buf);
    char *save = NULL, *t = strtok_r(buf, ",", &save);
    int n = 0;
    for (; t && n < 4; t = strtok_r(NULL, ",", &save))
        if (tl_parse_double(t, &v[n++], err) != 0)
            break;
    if (n != 4 || t || err->code || v[0] >= v[2] || v[1] >= v[3] || v[1] < -TL_MAX_LAT ||
        v[3] > TL_MAX_LAT || v[0] < -180 || v[2] > 180) {
        tl_err_clear(err);
        TL_FAIL(err, TL_EINVAL, "--bbox '%.60s': want W,S,E,N in degrees, W<E, S<N", s);
        return -1;
    }
    tl_lonlat_to_merc(v[0], v[1], &bb->minx, &bb->miny);
    tl_lonlat_to_merc(v[2], v[3], &bb->maxx, &bb->maxy);
    return 0;
}

static void progress(seed_job *j, cli_progress *p)
{
    uint64_t d = atomic_load(&j->done);
    char stage[32];
    snprintf(stage, sizeof stage, "seed z%d-%d", j->z0, j->z1);
    cli_progress_cb(p, stage, j->total ? (double)d / (double)j->total : 1.0);
}

static int run(seed_job *j, int threads, int json)
{
    for (int z = j->z0; z <= j->z1; z++) {
        uint32_t x0, x1, y0, y1;
        range(j, z, &x0, &x1, &y0, &y1);
        j->total += (uint64_t)(x1 - x0 + 1) * (y1 - y0 + 1);
    }
    pthread_t th[64];
    int nt = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    double t0 = tl_now();
    atomic_store(&j->running, nt);
    for (int i = 0; i < nt; i++)
        pthread_create(&th[i], NULL, worker, j);
    cli_progress p = {isatty(STDERR_FILENO), "", -1, 0};
    while (atomic_load(&j->running) > 0) {
        progress(j, &p);
        usleep(100000);
    }
    for (int i = 0; i < nt; i++)
        pthread_join(th[i], NULL);
    progress(j, &p);
    if (p.tty)
        fputc('\n', stderr);
    double el = tl_now() - t0;
    unsigned long long tot = j->total, ren = atomic_load(&j->rendered),
                       fail = atomic_load(&j->failed);
    if (json)
        printf("{\"tiles\": %llu, \"rendered\": %llu, \"cached_already\": %llu, \"failed\": %llu, "
               "\"seconds\": %.2f}\n", tot, ren, tot - ren - fail, fail, el);
    else
        printf("seeded %llu tiles (%llu rendered, %llu already cached, %llu failed) in %.1f s\n",
               tot, ren, tot - ren - fail, fail, el);
    return fail ? 1 : 0;
}

int cmd_seed(int argc, char **argv)
{
    const char *store = "tiled.gpkg", *layers = NULL, *zoom = NULL, *bbox = NULL;
    srv_open_opts oo = {0};
    oo.no_memory_cache = 1;
    int json = 0;
    int64_t threads = sysconf(_SC_NPROCESSORS_ONLN), scale = 1;
    tl_err err = TL_ERR_INIT;
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'}, {"layers", required_argument, 0, 'l'},
        {"zoom", required_argument, 0, 'z'},  {"bbox", required_argument, 0, 'b'},
        {"cache", required_argument, 0, 'C'}, {"config", required_argument, 0, 'c'},
        {"scale", required_argument, 0, 'x'}, {"threads", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'l': layers = optarg; break;
        case 'z': zoom = optarg; break;
        case 'b': bbox = optarg; break;
        case 'C': oo.cache_dir = optarg; break;
        case 'c': oo.config = optarg; break;
        case 'x':
            if (tl_parse_i64(optarg, 1, 2, &scale, &err) != 0)
                return cli_fail("seed", &err);
            break;
        case 't':
            if (tl_parse_i64(optarg, 1, 64, &threads, &err) != 0)
                return cli_fail("seed", &err);
            break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("seed", usage, NULL);
        }
    }
    if (!layers || !zoom || optind < argc)
        return cli_usage("seed", usage, "--layers and --zoom are required");
    tl_log_set_level(TL_LOG_WARN); /* the summary is the output */
    seed_job *j = tl_xcalloc(1, sizeof *j);
    srv_ctx ctx;
    oo.store = store;
    int rc = 2;
    if (parse_zoom(zoom, &j->z0, &j->z1, &err) != 0 || (bbox && parse_bbox(bbox, &j->bb, &err)))
        goto fail;
    if (srv_open(&ctx, &oo, &err) != 0)
        goto fail;
    j->ctx = &ctx;
    j->scale = (int)scale;
    char names[1024];
    tl_strlcpy(names, layers, sizeof names);
    tl_bbox ext = {1e300, 1e300, -1e300, -1e300};
    char *save = NULL;
    for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (j->n_layers == SRV_MAX_LAYERS_PER_TILE) {
            TL_FAIL(&err, TL_EINVAL, "more than %d layers", SRV_MAX_LAYERS_PER_TILE);
            break;
        }
        srv_layer *l = srv_registry_acquire(ctx.reg, t, &err);
        if (!l)
            break;
        j->lays[j->n_layers++] = l;
        (void)lyr_snapshot_check_overlaps(l->snap, NULL); /* lets fills be batched */
        tl_bbox e = lyr_snapshot_extent(l->snap);
        ext.minx = fmin(ext.minx, e.minx);
        ext.miny = fmin(ext.miny, e.miny);
        ext.maxx = fmax(ext.maxx, e.maxx);
        ext.maxy = fmax(ext.maxy, e.maxy);
    }
    if (err.code == TL_OK) {
        if (!bbox)
            j->bb = ext;
        rc = run(j, (int)threads, json);
    }
    for (size_t i = 0; i < j->n_layers; i++)
        srv_layer_release(j->lays[i]);
    srv_close(&ctx);
    free(j);
    return err.code == TL_OK ? rc : cli_fail("seed", &err);
fail:
    free(j);
    return cli_fail("seed", &err);
}
