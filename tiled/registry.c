/* registry.c: the layers the server serves, each a refcounted pair of snapshot and style
 * taken and dropped as one, so a response never mixes versions. A watcher thread notices
 * when the store changes (a publish, a rollback, a new style) and swaps in new pairs;
 * requests in flight finish on the pair they hold, freed when the last lets go. An analyst
 * thread works out which polygons of each new snapshot overlap others (so the renderer
 * may batch the fills of the rest). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

struct srv_registry {
    char *path;
    char *changes_dir;      /* where change lists persist (the cache dir), or NULL */
    pthread_mutex_t mu;     /* guards e, n and the swap of entries */
    srv_layer **e;
    size_t n, cap;
    pthread_mutex_t refresh_mu; /* one refresh at a time (watcher or an upload) */
    pthread_t watcher, analyst;
    int watching, analysing;
    atomic_int stop;
    struct timespec seen[2]; /* mtimes of the store and its WAL at the last refresh */
    off_t seen_size[2];
};

static uint64_t text_hash(const char *s)
{
    return s ? tl_fnv1a(TL_FNV_OFFSET, s, strlen(s)) : 0;
}

static srv_layer *layer_new(const char *name, lyr_snapshot *snap, sty_style *style,
                            uint64_t style_key, srv_changelog *log)
{
    srv_layer *l = tl_xcalloc(1, sizeof *l);
    atomic_init(&l->refs, 1);
    l->name = tl_xstrdup(name);
    l->snap = snap;
    l->style = style;
    l->style_key = style_key;
    l->log = log;
    return l;
}

srv_layer *srv_layer_acquire(srv_layer *l)
{
    if (l)
        atomic_fetch_add(&l->refs, 1);
    return l;
}

void srv_layer_release(srv_layer *l)
{
    if (!l || atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    lyr_snapshot_release(l->snap);
    sty_style_release(l->style);
    srv_changelog_release(l->log);
    free(l->name);
    free(l);
}

/* The layer's style: its stored SLD `sld` when it parses, else the built-in look. */
static sty_style *make_style(const char *name, const char *sld, lyr_geom_kind kind)
{
    tl_err err = TL_ERR_INIT;
    sty_style *s = NULL;
    if (sld) {
        sty_issues is = {0};
        s = sty_style_from_sld(sld, strlen(sld), name, &is, &err);
        for (size_t i = 0; i < is.n; i++)
            TL_WARN("layer %s style, line %d: %s", name, is.v[i].line, is.v[i].msg);
        sty_issues_free(&is);
        if (!s)
            TL_WARN("layer %s: its style cannot be used (%s); drawing the built-in look", name,
                    err.msg);
    }
    return s ? s : sty_style_builtin(name, kind);
}

/* The change log for a new snapshot: what is known so far, plus what changed since the
 * version served until now (when the new one is newer; a rollback adds nothing). */
static srv_changelog *next_log(srv_registry *r, const char *name, const srv_layer *cur,
                               const lyr_snapshot *snap)
{
    if (!cur)
        return r->changes_dir ? srv_changelog_load(r->changes_dir, name) : NULL;
    if (lyr_snapshot_version(snap) < lyr_snapshot_version(cur->snap))
        return srv_changelog_acquire(cur->log);
    double t0 = tl_now();
    srv_change c;
    srv_change_diff(cur->snap, snap, &c);
    TL_INFO("layer %s v%d -> v%d: %s in %.2f s", name, c.base, c.version,
            c.full ? "changes everywhere" : "changes listed", tl_now() - t0);
    if (r->changes_dir)
        srv_change_save(r->changes_dir, name, &c);
    srv_changelog *log = srv_changelog_with(cur->log, &c);
    free(c.boxes);
    return log;
}

static srv_layer *find(srv_registry *r, const char *name, size_t *idx)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->e[i]->name, name) == 0) {
            if (idx)
                *idx = i;
            return r->e[i];
        }
    }
    return NULL;
}

static void put(srv_registry *r, srv_layer *l)
{
    pthread_mutex_lock(&r->mu);
    size_t i;
    srv_layer *old = find(r, l->name, &i);
    if (old) {
        r->e[i] = l;
    } else {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 16;
            r->e = tl_xrealloc(r->e, r->cap * sizeof *r->e);
        }
        r->e[r->n++] = l;
    }
    pthread_mutex_unlock(&r->mu);
    srv_layer_release(old);
}

static void stat_store(const char *path, struct timespec t[2], off_t sz[2])
{
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", path);
    const char *p[2] = {path, wal};
    for (int i = 0; i < 2; i++) {
        struct stat sb;
        memset(&t[i], 0, sizeof t[i]);
        sz[i] = -1;
        if (stat(p[i], &sb) == 0) {
            t[i] = sb.st_mtim;
            sz[i] = sb.st_size;
        }
    }
}

int srv_registry_refresh(srv_registry *r, int force, tl_err *err)
{
    pthread_mutex_lock(&r->refresh_mu);
    struct timespec t[2];
    off_t sz[2];
    stat_store(r->path, t, sz);
    int same = memcmp(t, r->seen, sizeof t) == 0 && memcmp(sz, r->seen_size, sizeof sz) == 0;
    if (same && !force) {
        pthread_mutex_unlock(&r->refresh_mu);
        return 0;
    }
    lyr_store *st = lyr_store_open_readonly(r->path, err);
    lyr_layer_info *li = NULL;
    size_t n = 0;
    int rc = st ? lyr_store_list(st, &li, &n, err) : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pthread_mutex_lock(&r->mu);
        srv_layer *cur = srv_layer_acquire(find(r, li[i].name, NULL));
        pthread_mutex_unlock(&r->mu);
        char *sld = NULL;
        if (lyr_store_get_style(st, li[i].name, &sld, err) != 0) {
            srv_layer_release(cur);
            rc = -1;
            break;
        }
        uint64_t key = text_hash(sld);
        int new_data = !cur || lyr_snapshot_version(cur->snap) != li[i].version;
        if (!new_data && cur->style_key == key) {
            free(sld);
            srv_layer_release(cur);
            continue;
        }
        sty_style *style = make_style(li[i].name, sld, li[i].kind);
        free(sld);
        lyr_snapshot *snap = NULL;
        srv_changelog *log = NULL;
        if (new_data) {
            double t0 = tl_now();
            snap = lyr_snapshot_load(st, li[i].name, err);
            if (!snap) {
                sty_style_release(style);
                srv_layer_release(cur);
                rc = -1;
                break;
            }
            TL_INFO("loaded layer %s v%d: %zu features, %.1f MB, %.2f s", li[i].name,
                    lyr_snapshot_version(snap), lyr_snapshot_count(snap),
                    (double)lyr_snapshot_bytes(snap) / 1e6, tl_now() - t0);
            log = next_log(r, li[i].name, cur, snap);
        } else {
            snap = lyr_snapshot_acquire(cur->snap);
            log = srv_changelog_acquire(cur->log);
            TL_INFO("layer %s: new style", li[i].name);
        }
        put(r, layer_new(li[i].name, snap, style, key, log));
        srv_layer_release(cur);
    }
    if (rc == 0) {
        memcpy(r->seen, t, sizeof t);
        memcpy(r->seen_size, sz, sizeof sz);
    }
    free(li);
    lyr_store_close(st);
    pthread_mutex_unlock(&r->refresh_mu);
    return rc;
}

srv_registry *srv_registry_load(const char *path, const char *changes_dir, tl_err *err)
{
    srv_registry *r = tl_xcalloc(1, sizeof *r);
    r->path = tl_xstrdup(path);
    r->changes_dir = tl_xstrdup(changes_dir);
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->refresh_mu, NULL);
    if (srv_registry_refresh(r, 1, err) != 0) {
        srv_registry_free(r);
        return NULL;
    }
    return r;
}

static void *watch(void *ud)
{
    srv_registry *r = ud;
    while (!atomic_load(&r->stop)) {
        struct timespec d = {0, 200 * 1000 * 1000};
        nanosleep(&d, NULL);
        tl_err err = TL_ERR_INIT;
        if (srv_registry_refresh(r, 0, &err) != 0)
            TL_WARN("store %s: cannot pick up changes: %s", r->path, err.msg);
    }
    return NULL;
}

/* Find the overlapping polygons of every layer that has no answer yet. */
static void *analyse(void *ud)
{
    srv_registry *r = ud;
    while (!atomic_load(&r->stop)) {
        srv_layer **ls;
        size_t n = srv_registry_list(r, &ls);
        for (size_t i = 0; i < n; i++) {
            lyr_snapshot *s = ls[i]->snap;
            if (!atomic_load(&r->stop) && lyr_snapshot_kind(s) == LYR_GEOM_POLYGON &&
                !lyr_snapshot_overlap_flags(s)) {
                double t0 = tl_now();
                size_t k = 0;
                if (lyr_snapshot_check_overlaps(s, &r->stop) == 0 &&
                    lyr_snapshot_overlap_count(s, &k))
                    TL_INFO("layer %s v%d: %zu of %zu polygons overlap another one (%.2f s)",
                            ls[i]->name, lyr_snapshot_version(s), k, lyr_snapshot_count(s),
                            tl_now() - t0);
            }
            srv_layer_release(ls[i]);
        }
        free(ls);
        struct timespec d = {0, 200 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    return NULL;
}

int srv_registry_watch(srv_registry *r, tl_err *err)
{
    int e = pthread_create(&r->watcher, NULL, watch, r);
    if (e != 0) {
        TL_FAIL(err, TL_EINTERNAL, "cannot start the store watcher: %s", strerror(e));
        return -1;
    }
    r->watching = 1;
    e = pthread_create(&r->analyst, NULL, analyse, r);
    if (e == 0)
        r->analysing = 1;
    else /* only a loss of speed */
        TL_WARN("cannot start the overlap analysis: %s", strerror(e));
    return 0;
}

void srv_registry_free(srv_registry *r)
{
    if (!r)
        return;
    atomic_store(&r->stop, 1);
    if (r->watching)
        pthread_join(r->watcher, NULL);
    if (r->analysing)
        pthread_join(r->analyst, NULL);
    for (size_t i = 0; i < r->n; i++)
        srv_layer_release(r->e[i]);
    free(r->e);
    free(r->path);
    free(r->changes_dir);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->refresh_mu);
    free(r);
}

srv_layer *srv_registry_acquire(srv_registry *r, const char *name, tl_err *err)
{
    pthread_mutex_lock(&r->mu);
    srv_layer *l = srv_layer_acquire(find(r, name, NULL));
    pthread_mutex_unlock(&r->mu);
    if (!l)
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%.80s'", name);
    return l;
}

size_t srv_registry_list(srv_registry *r, srv_layer ***out)
{
    pthread_mutex_lock(&r->mu);
    srv_layer **v = tl_xcalloc(r->n + 1, sizeof *v);
    for (size_t i = 0; i < r->n; i++)
        v[i] = srv_layer_acquire(r->e[i]);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    *out = v;
    return n;
}
