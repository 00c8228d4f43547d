/* changes.c: what changed between two versions of a layer, as a list of boxes, so the tile
 * cache keeps every tile the change does not touch. A tile's content version for a layer is
 * the newest version, going back from the published one, whose changes reach the tile: the
 * key of an untouched tile stays what it was, whatever was imported elsewhere. Versions
 * are immutable, so "version V equals version B outside these boxes" stays true through
 * rollbacks and restarts; B is V-1 unless the server skipped versions (two imports within
 * one poll), in which case it is the version it last served. Change lists
 * are kept beside the cache (DIR/changes/{layer}/{version}.bin) so a restart keeps them;
 * a version whose changes are unknown counts as changing everything. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

#define MAX_BOXES 4096 /* beyond this a version counts as changing everything */

typedef struct fhash {
    uint64_t h;
    uint32_t id;
} fhash;

/* A hash of one feature's geometry and attributes. */
static uint64_t feature_hash(const lyr_snapshot *s, uint32_t id)
{
    lyr_geom_view g;
    lyr_snapshot_geom(s, id, &g);
    uint64_t h = TL_FNV_OFFSET;
    h = tl_fnv1a(h, &g.n_parts, sizeof g.n_parts);
    for (uint32_t p = 0; p < g.n_parts; p++) {
        uint32_t a = g.part_start[p], b = g.part_start[p + 1];
        h = tl_fnv1a(h, &a, sizeof a);
        h = tl_fnv1a(h, g.xy + 2 * (size_t)a, (size_t)(b - a) * 2 * sizeof(double));
    }
    for (size_t f = 0; f < lyr_snapshot_n_fields(s); f++) {
        lyr_value v;
        lyr_snapshot_value(s, id, (int)f, &v);
        h = tl_fnv1a(h, &v.is_null, sizeof v.is_null);
        if (v.is_null)
            continue;
        switch (lyr_snapshot_field(s, f)->type) {
        case LYR_FIELD_INT: h = tl_fnv1a(h, &v.i, sizeof v.i); break;
        case LYR_FIELD_REAL: h = tl_fnv1a(h, &v.d, sizeof v.d); break;
        default: h = v.s ? tl_fnv1a(h, v.s, strlen(v.s) + 1) : h;
        }
    }
    return h;
}

static int cmp_fhash(const void *a, const void *b)
{
    const fhash *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

static fhash *hashes(const lyr_snapshot *s, size_t *n)
{
    *n = lyr_snapshot_count(s);
    fhash *v = tl_xmalloc((*n + 1) * sizeof *v);
    for (size_t i = 0; i < *n; i++) {
        v[i].h = feature_hash(s, (uint32_t)i);
        v[i].id = (uint32_t)i;
    }
    qsort(v, *n, sizeof *v, cmp_fhash);
    return v;
}

static int add_box(srv_change *c, const lyr_snapshot *s, uint32_t id)
{
    if (c->full)
        return 0;
    if (c->n == MAX_BOXES) {
        c->full = 1;
        free(c->boxes);
        c->boxes = NULL;
        c->n = 0;
        return 0;
    }
    lyr_geom_view g;
    lyr_snapshot_geom(s, id, &g);
    c->boxes = tl_xrealloc(c->boxes, (c->n + 1) * sizeof *c->boxes);
    c->boxes[c->n++] = g.bbox;
    return 0;
}

void srv_change_diff(const lyr_snapshot *old, const lyr_snapshot *cur, srv_change *out)
{
    memset(out, 0, sizeof *out);
    out->version = lyr_snapshot_version(cur);
    out->base = lyr_snapshot_version(old);
    size_t na, nb;
    fhash *a = hashes(old, &na), *b = hashes(cur, &nb);
    size_t i = 0, k = 0;
    while (i < na || k < nb) { /* features only in one version changed */
        if (k == nb || (i < na && a[i].h < b[k].h)) {
            add_box(out, old, a[i++].id);
        } else if (i == na || b[k].h < a[i].h) {
            add_box(out, cur, b[k++].id);
        } else {
            i++;
            k++;
        }
    }
    free(a);
    free(b);
}

int srv_change_touches(const srv_change *c, const tl_bbox *bb)
{
    if (c->full)
        return 1;
    for (size_t i = 0; i < c->n; i++)
        if (tl_bbox_intersects(&c->boxes[i], bb))
            return 1;
    return 0;
}

int srv_changelog_version(const srv_changelog *log, int current, const tl_bbox *bb)
{
    int v = current;
    for (;;) {
        const srv_change *c = NULL;
        for (size_t i = 0; log && i < log->n && !c; i++)
            if (log->v[i].version == v)
                c = &log->v[i];
        if (!c || c->base >= v || c->base < 1 || srv_change_touches(c, bb))
            return v;
        v = c->base;
    }
}

srv_changelog *srv_changelog_with(const srv_changelog *old, const srv_change *add)
{
    srv_changelog *l = tl_xcalloc(1, sizeof *l);
    atomic_init(&l->refs, 1);
    size_t n = (old ? old->n : 0) + (add ? 1 : 0);
    l->v = tl_xcalloc(n + 1, sizeof *l->v);
    for (size_t i = 0; old && i < old->n; i++) {
        if (add && old->v[i].version == add->version)
            continue; /* replaced */
        srv_change *d = &l->v[l->n++];
        *d = old->v[i];
        d->boxes = d->n ? tl_xmalloc(d->n * sizeof *d->boxes) : NULL;
        if (d->n)
            memcpy(d->boxes, old->v[i].boxes, d->n * sizeof *d->boxes);
    }
    if (add) {
        srv_change *d = &l->v[l->n++];
        *d = *add;
        d->boxes = d->n ? tl_xmalloc(d->n * sizeof *d->boxes) : NULL;
        if (d->n)
            memcpy(d->boxes, add->boxes, d->n * sizeof *d->boxes);
    }
    return l;
}

void srv_changelog_release(srv_changelog *l)
{
    if (!l || atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].boxes);
    free(l->v);
    free(l);
}

srv_changelog *srv_changelog_acquire(srv_changelog *l)
{
    if (l)
        atomic_fetch_add(&l->refs, 1);
    return l;
}

static void layer_dir(const char *dir, const char *layer, char *out, size_t size)
{
    snprintf(out, size, "%s/changes/%s", dir, layer);
}

void srv_change_save(const char *dir, const char *layer, const srv_change *c)
{
    char d[4096], p[4200], tmp[4300];
    snprintf(d, sizeof d, "%s/changes", dir);
    (void)mkdir(d, 0755);
    layer_dir(dir, layer, d, sizeof d);
    (void)mkdir(d, 0755);
    snprintf(p, sizeof p, "%s/%d.bin", d, c->version);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    int32_t hdr[4] = {c->version, c->full, (int32_t)c->n, c->base};
    int ok = fwrite("TLC2", 1, 4, f) == 4 && fwrite(hdr, sizeof hdr, 1, f) == 1 &&
             (c->n == 0 || fwrite(c->boxes, sizeof *c->boxes, c->n, f) == c->n);
    if (fclose(f) != 0 || !ok || rename(tmp, p) != 0)
        unlink(tmp);
}

srv_changelog *srv_changelog_load(const char *dir, const char *layer)
{
    char d[4096];
    layer_dir(dir, layer, d, sizeof d);
    DIR *dd = opendir(d);
    if (!dd)
        return NULL;
    srv_changelog *l = srv_changelog_with(NULL, NULL);
    struct dirent *e;
    while ((e = readdir(dd)) != NULL) {
        char p[4400];
        if (!tl_str_ends(e->d_name, ".bin"))
            continue;
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        FILE *f = fopen(p, "rb");
        char magic[4];
        int32_t hdr[4];
        if (!f)
            continue;
        if (fread(magic, 1, 4, f) == 4 && memcmp(magic, "TLC2", 4) == 0 &&
            fread(hdr, sizeof hdr, 1, f) == 1 && hdr[2] >= 0 && hdr[2] <= MAX_BOXES) {
            srv_change c = {hdr[0], hdr[3], hdr[1] != 0, (size_t)hdr[2], NULL};
            c.boxes = tl_xcalloc(c.n + 1, sizeof *c.boxes);
            if (c.n == 0 || fread(c.boxes, sizeof *c.boxes, c.n, f) == c.n) {
                l->v = tl_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
                l->v[l->n++] = c;
            } else {
                free(c.boxes);
            }
        }
        fclose(f);
    }
    closedir(dd);
    return l;
}
