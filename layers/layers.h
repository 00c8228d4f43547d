/* layers.h: the layer store (a GeoPackage with tiled's catalog tables), writing new layer
 * versions, and immutable refcounted in-memory snapshots of the published versions.
 * The serving path only reads snapshots: no GDAL or GEOS object is reachable from one. */
#ifndef LAYERS_H
#define LAYERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_err.h"
#include "tiled/base/tl_geo.h"

typedef struct lyr_store lyr_store;       /* opaque; an open store, one thread at a time */
typedef struct lyr_writer lyr_writer;     /* opaque; a version being written */
typedef struct lyr_snapshot lyr_snapshot; /* opaque; refcounted, immutable */

/* Value types ------------------------------------------------------------------- */

/** Geometry kind of a layer; Multi* types fold into their single kind. */
typedef enum lyr_geom_kind {
    LYR_GEOM_POINT = 1,
    LYR_GEOM_LINE = 2,
    LYR_GEOM_POLYGON = 3
} lyr_geom_kind;

typedef enum lyr_field_type {
    LYR_FIELD_STRING = 0,
    LYR_FIELD_INT = 1,  /* 64-bit integer */
    LYR_FIELD_REAL = 2, /* double */
    LYR_FIELD_DATE = 3  /* held as "YYYY-MM-DD" text */
} lyr_field_type;

typedef struct lyr_field_def {
    const char *name;
    lyr_field_type type;
} lyr_field_def;

/** One attribute value. For STRING and DATE `s` is used (borrowed); INT uses `i`; REAL `d`. */
typedef struct lyr_value {
    int is_null;
    int64_t i;
    double d;
    const char *s;
} lyr_value;

/** A catalog row, as `tiled layers` prints it. */
typedef struct lyr_layer_info {
    char name[64];
    char title[160];
    int version;        /* published version */
    int64_t n_features; /* of the published version */
    double extent[4];   /* lon/lat: minx, miny, maxx, maxy */
    char source[256];
    char source_crs[64];
    char imported_at[32]; /* ISO-8601 UTC */
    lyr_geom_kind kind;
} lyr_layer_info;

/** One version of a layer, as `tiled layers` lists it. */
typedef struct lyr_version_info {
    int version;
    int current; /* 1 for the published version */
    int64_t n_features;
    double extent[4]; /* lon/lat */
    char source[256];
    char source_crs[64];
    char imported_at[32];
    char pipeline[512]; /* the PROJ pipeline the import used (truncated) */
} lyr_version_info;

/* Opening and closing the store ------------------------------------------------ */

/** Open the GeoPackage store at `path`. With `create` non-zero a missing file is created
 *  (with the catalog tables); otherwise a missing file, a file that is not a GeoPackage or
 *  one without tiled's catalog is an error (TL_ENOTFOUND / TL_ESTORE). Caller owns the
 *  result; close with lyr_store_close. GDAL must have been registered by main.
 *  Not thread-safe: one thread uses a store at a time. */
TL_MUST_USE lyr_store *lyr_store_open(const char *path, int create, tl_err *err);
/** Open an existing store for reading only (the server). */
TL_MUST_USE lyr_store *lyr_store_open_readonly(const char *path, tl_err *err);
/** Close; NULL is a no-op. */
void lyr_store_close(lyr_store *st);
/** List the published layers, ordered by name. *out is malloc'd (caller frees). */
int lyr_store_list(lyr_store *st, lyr_layer_info **out, size_t *n, tl_err *err);

/** The kept versions of `layer`, newest first; *out malloc'd (caller frees).
 *  TL_ENOTFOUND if there is no such layer. */
int lyr_store_versions(lyr_store *st, const char *layer, lyr_version_info **out, size_t *n,
                       tl_err *err);
/** Publish kept version `version` of `layer` again (one transaction). TL_ENOTFOUND if the
 *  version is not kept; TL_EBUSY if an import of the layer is running. */
int lyr_store_rollback(lyr_store *st, const char *layer, int version, tl_err *err);

/* Styles attached to layers ---------------------------------------------------- */

/** Attach the SLD/SE document `sld` (stored as given) to `layer`; NULL detaches it (the
 *  layer falls back to the built-in look). TL_ENOTFOUND if the layer does not exist.
 *  The caller validates the document first (styles/ parses it). */
int lyr_store_set_style(lyr_store *st, const char *layer, const char *sld, tl_err *err);
/** The SLD attached to `layer` into *sld (malloc'd; caller frees), or *sld = NULL when the
 *  layer has none. TL_ENOTFOUND if the layer does not exist. */
int lyr_store_get_style(lyr_store *st, const char *layer, char **sld, tl_err *err);

/* Writing a new version -------------------------------------------------------- */

/** Start version N+1 of `layer` (created if new) in its own table. Holds the layer's
 *  write lock until publish/abort: a second writer of the same layer (any process or
 *  thread) fails at once with TL_EBUSY. Geometries are given
 *  in EPSG:4326 lon/lat. `fields` is copied. Returns a writer the caller must finish with
 *  lyr_writer_publish or lyr_writer_abort. Nothing is visible to readers until publish.
 *  `title`, `source` and `source_crs` may be NULL. */
TL_MUST_USE lyr_writer *lyr_writer_begin(lyr_store *st, const char *layer, const char *title,
                                         lyr_geom_kind kind, const lyr_field_def *fields,
                                         size_t n_fields, const char *source,
                                         const char *source_crs, tl_err *err);
/** Add one feature: ISO WKB geometry (2D, EPSG:4326) and one value per field, in the order
 *  of the field list. Strings must be UTF-8. The writer copies what it needs. */
int lyr_writer_add(lyr_writer *w, const unsigned char *wkb, size_t wkb_len,
                   const lyr_value *vals, tl_err *err);
/** Metadata recorded with the version when it is published (each may be NULL): the PROJ
 *  pipeline used, the import report (JSON), and how many versions to keep (the newest
 *  `keep` and the published one survive; 0 keeps all). */
void lyr_writer_set_meta(lyr_writer *w, const char *pipeline, const char *report, int keep);
/** The version number this writer will publish. */
int lyr_writer_version(const lyr_writer *w);
/** Build the spatial index and publish the version in one catalog transaction.
 *  Always frees `w`. On failure nothing is published and the previous version stays.
 *  *version (may be NULL) receives the new version number. */
int lyr_writer_publish(lyr_writer *w, int *version, tl_err *err);
/** Drop the unpublished version's table and free `w`. NULL is a no-op. */
void lyr_writer_abort(lyr_writer *w);

/* Snapshots -------------------------------------------------------------------- */

/** Build a snapshot of the published version of `layer` from an open store.
 *  Reads the features, projects them to EPSG:3857 and packs the spatial index.
 *  Refcount starts at 1 (the caller's). Not thread-safe with respect to `st`. */
TL_MUST_USE lyr_snapshot *lyr_snapshot_load(lyr_store *st, const char *layer, tl_err *err);
/** Take / drop a reference. Thread-safe. The last release frees. NULL is a no-op. */
lyr_snapshot *lyr_snapshot_acquire(lyr_snapshot *s);
void lyr_snapshot_release(lyr_snapshot *s);

/* Everything below is thread-safe on a held snapshot; returned pointers are borrowed
 * and valid while the reference is held. */
const char *lyr_snapshot_name(const lyr_snapshot *s);
int lyr_snapshot_version(const lyr_snapshot *s);
/** A number no other snapshot of this process has had (from 1): a key for caches of
 *  derived data that must not outlive the snapshot's content. */
uint64_t lyr_snapshot_serial(const lyr_snapshot *s);
lyr_geom_kind lyr_snapshot_kind(const lyr_snapshot *s);
size_t lyr_snapshot_count(const lyr_snapshot *s);
/** Extent of all features, EPSG:3857. */
tl_bbox lyr_snapshot_extent(const lyr_snapshot *s);
size_t lyr_snapshot_n_fields(const lyr_snapshot *s);
const lyr_field_def *lyr_snapshot_field(const lyr_snapshot *s, size_t i);
/** Index of field `name`, or -1. */
int lyr_snapshot_field_index(const lyr_snapshot *s, const char *name);

/** Feature ids (0..count-1, in store order, which is draw order) whose bbox intersects `bb`
 *  (EPSG:3857), ascending, allocated from `a`. More than `max_hits` is TL_ETOOBIG. */
int lyr_snapshot_query_bbox(const lyr_snapshot *s, const tl_bbox *bb, tl_arena *a,
                            size_t max_hits, uint32_t **ids, size_t *n, tl_err *err);

/** A borrowed view of one feature's geometry, in EPSG:3857 metres.
 *  Polygons: n_parts rings (exterior rings have ring_outer[i] = 1 and are followed by
 *  their holes), each ring closed (first point repeated last).
 *  Lines: n_parts linestrings. Points: n_parts points of one vertex each.
 *  Part i has points xy[2*part_start[i]] .. xy[2*part_start[i+1]-1]. */
typedef struct lyr_geom_view {
    lyr_geom_kind kind;
    uint32_t n_parts;
    const uint32_t *part_start; /* n_parts + 1 offsets, in points, into xy */
    const uint8_t *ring_outer;  /* polygons only: 1 for an exterior ring */
    const double *xy;           /* interleaved x, y */
    tl_bbox bbox;
} lyr_geom_view;

void lyr_snapshot_geom(const lyr_snapshot *s, uint32_t id, lyr_geom_view *out);
/** The feature's id in the store table (GeoPackage fid). */
int64_t lyr_snapshot_fid(const lyr_snapshot *s, uint32_t id);
/** Attribute `field` of feature `id` into *out (strings borrowed). */
void lyr_snapshot_value(const lyr_snapshot *s, uint32_t id, int field, lyr_value *out);
/** String/date value, or NULL if null or the field is numeric. Borrowed. */
const char *lyr_snapshot_str(const lyr_snapshot *s, uint32_t id, int field);
/** For a text field: 1, and in *key a number equal for two features of this snapshot
 *  exactly when their values are the same string (or both null). 0 for other fields. */
int lyr_snapshot_str_key(const lyr_snapshot *s, uint32_t id, int field, uint32_t *key);
/** Per feature, 1 if its polygon overlaps another one of the snapshot (interiors meet by
 *  more than about 2 cm, or unsure), else 0; NULL until lyr_snapshot_check_overlaps
 *  has run. Features flagged 0 can be drawn in any order relative to the others. */
const uint8_t *lyr_snapshot_overlap_flags(const lyr_snapshot *s);
/** How many features those flags mark: 1 and the count in *n, or 0 until they are known. */
int lyr_snapshot_overlap_count(const lyr_snapshot *s, size_t *n);
/** Work out the flags above (once; kept in the snapshot). It walks every pair of
 *  neighbouring polygons: run it off the serving path. 0 when the flags are there, -1
 *  when the snapshot holds no polygons, memory ran out or `cancel` (may be NULL) became
 *  non-zero meanwhile. */
int lyr_snapshot_check_overlaps(lyr_snapshot *s, const atomic_int *cancel);
/** Approximate heap bytes held by the snapshot. */
size_t lyr_snapshot_bytes(const lyr_snapshot *s);

#endif
