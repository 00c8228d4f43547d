/* catalog.c: the in-memory catalog: layer name -> current snapshot, swapped under a mutex.
 * Readers take a reference; a replaced snapshot is freed when its last reader lets go. */
#include <stdlib.h>
#include <string.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"

typedef struct cat_entry {
    char *name;
    lyr_snapshot *cur; /* one reference held by the catalog */
} cat_entry;

struct lyr_catalog {
    char *path;
    pthread_mutex_t mu;
    cat_entry *e;
    size_t n;
};

lyr_catalog *lyr_catalog_load(const char *path, tl_err *err)
{
    lyr_store *st = lyr__store_open(path, 0, 0, err);
    if (!st)
        return NULL;
    lyr_layer_info *li = NULL;
    size_t nl = 0;
    if (lyr_store_list(st, &li, &nl, err) != 0) {
        lyr_store_close(st);
        return NULL;
    }
    lyr_catalog *cat = tl_xcalloc(1, sizeof *cat);
    cat->path = tl_xstrdup(path);
    pthread_mutex_init(&cat->mu, NULL);
    cat->e = tl_xcalloc(nl + 1, sizeof *cat->e);
    for (size_t i = 0; i < nl; i++) {
        double t0 = tl_now();
        lyr_snapshot *s = lyr_snapshot_load(st, li[i].name, err);
        if (!s) {
            free(li);
            lyr_store_close(st);
            lyr_catalog_free(cat);
            return NULL;
        }
        TL_INFO("loaded layer %s v%d: %zu features, %.1f MB, %.2f s", li[i].name,
                s->version, s->n, (double)s->bytes / 1e6, tl_now() - t0);
        cat->e[cat->n].name = tl_xstrdup(li[i].name);
        cat->e[cat->n].cur = s;
        cat->n++;
    }
    free(li);
    lyr_store_close(st);
    return cat;
}

void lyr_catalog_free(lyr_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n; i++) {
        free(cat->e[i].name);
        lyr_snapshot_release(cat->e[i].cur);
    }
    free(cat->e);
    free(cat->path);
    pthread_mutex_destroy(&cat->mu);
    free(cat);
}

lyr_snapshot *lyr_catalog_acquire(lyr_catalog *cat, const char *name, tl_err *err)
{
    lyr_snapshot *s = NULL;
    pthread_mutex_lock(&cat->mu);
    for (size_t i = 0; i < cat->n; i++) {
        if (strcmp(cat->e[i].name, name) == 0) {
            s = lyr_snapshot_acquire(cat->e[i].cur);
            break;
        }
    }
    pthread_mutex_unlock(&cat->mu);
    if (!s)
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%.80s'", name);
    return s;
}

size_t lyr_catalog_count(const lyr_catalog *cat)
{
    return cat->n;
}

const char *lyr_catalog_name(const lyr_catalog *cat, size_t i)
{
    return i < cat->n ? cat->e[i].name : NULL;
}

int64_t lyr_catalog_generation(lyr_catalog *cat)
{
    int64_t g = 0;
    pthread_mutex_lock(&cat->mu);
    for (size_t i = 0; i < cat->n; i++)
        g += cat->e[i].cur->version;
    pthread_mutex_unlock(&cat->mu);
    return g;
}
