/* layers_int.h: structures shared by the files of layers/ only (never include elsewhere). */
#ifndef LAYERS_INT_H
#define LAYERS_INT_H

#include <gdal.h>
#include <ogr_api.h>
#include <pthread.h>
#include <stdatomic.h>

#include "layers/layers.h"

#define LYR_NAME_MAX 63
#define LYR_NO_STR UINT32_MAX

struct lyr_store {
    GDALDatasetH ds;
    char *path;
    int writable;
};

/* Packed Hilbert R-tree over feature bboxes (flatbush layout): the leaf level holds the
 * items sorted by the Hilbert value of their bbox centre, each upper level the bboxes of
 * LYR_RTREE_NODE children. Immutable once built. */
#define LYR_RTREE_NODE 16
typedef struct lyr_rtree {
    size_t n_items;
    size_t n_nodes;       /* total boxes over all levels */
    tl_bbox *boxes;       /* n_nodes */
    uint32_t *index;      /* n_nodes: item id (leaf level) or first child box (upper levels) */
    size_t level_end[32]; /* end offset of each level in boxes[] */
    int n_levels;
} lyr_rtree;

/** Build over `bboxes` (n items). Caller owns the result's arrays (lyr__rtree_free). */
void lyr__rtree_build(lyr_rtree *t, const tl_bbox *bboxes, size_t n);
void lyr__rtree_free(lyr_rtree *t);
/** Call visit(ud, id) for every item whose bbox intersects `q`; stop early if it returns
 *  non-zero (that value is returned). Thread-safe on a built tree. */
int lyr__rtree_search(const lyr_rtree *t, const tl_bbox *q, int (*visit)(void *ud, uint32_t id),
                      void *ud);

typedef struct lyr_column {
    lyr_field_def def; /* def.name owned */
    int64_t *i;        /* INT */
    double *d;         /* REAL */
    uint32_t *s;       /* STRING/DATE: offset into the snapshot's string pool, or LYR_NO_STR */
    uint8_t *null;     /* INT/REAL: 1 if null */
} lyr_column;

struct lyr_snapshot {
    atomic_int refs;
    uint64_t serial; /* unique in the process: never reused, unlike the address */
    char *name;
    int version;
    lyr_geom_kind kind;
    size_t n;             /* features */
    int64_t *fid;         /* n */
    uint32_t *feat_part;  /* n + 1: first part of each feature */
    uint32_t *part_start; /* n_parts + 1: first point of each part */
    uint8_t *ring_outer;  /* n_parts (polygons) */
    double *xy;           /* 2 * n_points */
    tl_bbox *bbox;        /* n */
    size_t n_parts, n_points;
    tl_bbox extent;
    size_t n_fields;
    lyr_column *cols;
    char *strpool; /* interned, NUL-terminated strings */
    size_t strpool_len;
    lyr_rtree rtree;
    size_t bytes;
    _Atomic(uint8_t *) overlap_flags; /* n; set once after loading (overlap.c) */
    _Atomic size_t n_overlapping;     /* how many of them are 1; stored before the flags */
};

/** Internal open with an explicit mode (read-only for serving). */
lyr_store *lyr__store_open(const char *path, int create, int writable, tl_err *err);
/** Copy GDAL's last error message into err with `code`, prefixed by `what`. */
void lyr__gdal_fail(tl_err *err, tl_code code, const char *where, const char *what);
/** Run one SQL statement that returns no rows. */
int lyr__exec(lyr_store *st, const char *sql, tl_err *err);
/** Take the write lock of `layer` (see versions.c): the lock's descriptor, or -1 with
 *  TL_EBUSY when another writer holds it. */
int lyr__lock_layer(lyr_store *st, const char *layer, tl_err *err);
void lyr__unlock_layer(int fd);
/** Drop the table (a layer's version table) named `table`, if the store has it. */
void lyr__drop_table(lyr_store *st, const char *table);
/** Drop the tables of `layer` that no version row references (a killed writer's). The
 *  caller holds the layer's lock. */
void lyr__sweep_orphans(lyr_store *st, const char *layer);
/** Point the layer's GeoPackage view at version table `table` (inside a transaction). */
int lyr__publish_view(lyr_store *st, const char *layer, const char *table, tl_err *err);
/** Drop versions beyond the newest `keep` (never the current one). */
int lyr__prune(lyr_store *st, const char *layer, int keep, tl_err *err);
/** `s` as a quoted SQL string literal (quotes doubled); malloc'd. */
char *lyr__sql_quote(const char *s);
/** 1 if `name` is a valid layer name ([A-Za-z_][A-Za-z0-9_]{0,62}). */
int lyr__valid_name(const char *name);
/** The table of the published version of `layer`, into buf; 0, or -1 with TL_ENOTFOUND. */
int lyr__current_table(lyr_store *st, const char *layer, char *buf, size_t size, int *version,
                       tl_err *err);

#endif
