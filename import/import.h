/* import.h: turning outside data into new layer versions of the store.
 * imp_run imports any OGR-readable file (`tiled import`, POST /admin/layers/{name});
 * imp_demo_write writes the deterministic Binh Duong demo data set (`tiled demo`). */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "layers/layers.h"
#include "tiled/base/tl_err.h"

/* Demo data -------------------------------------------------------------------- */

typedef enum imp_demo_scale {
    IMP_DEMO_SMALL = 0,  /* ~5,000 parcels */
    IMP_DEMO_MEDIUM = 1, /* ~100,000 parcels */
    IMP_DEMO_LARGE = 2   /* ~1,000,000 parcels */
} imp_demo_scale;

/** Progress callback: `stage` names the step, `frac` is 0..1 within it. */
typedef void (*imp_progress_fn)(void *ud, const char *stage, double frac);

typedef struct imp_demo_opts {
    imp_demo_scale scale;
    uint64_t seed;           /* same seed and scale => same data */
    size_t n_parcels;        /* 0: from scale */
    imp_progress_fn progress; /* may be NULL */
    void *progress_ud;
} imp_demo_opts;

typedef struct imp_demo_report {
    size_t n_zoning, n_industrial_parks, n_green_spaces, n_roads, n_districts;
    double seconds;
    size_t n_holes;         /* zoning parcels given a hole (pond or enclave) */
    size_t n_multipolygons; /* zoning parcels of more than one polygon */
    size_t n_repaired;      /* zoning geometries repaired with MakeValid */
} imp_demo_report;

/** Write the five demo layers (zoning, industrial_parks, green_spaces, roads, districts)
 *  into `st` as new versions, with the layer names, attribute names and types of
 *  shared/bench/gen_binhduong.py. Uses its own GEOS context. Not thread-safe w.r.t. `st`.
 *  Prints nothing (progress goes to o->progress). `rep` (may be NULL) receives the counts.
 *  On failure (-1 with err: TL_EINVAL/TL_ETOOBIG for bad options, TL_EGEOM, TL_ESTORE) the
 *  layer being written is aborted, never published; layers published before it stay. */
int imp_demo_write(lyr_store *st, const imp_demo_opts *o, imp_demo_report *rep, tl_err *err);

/** Parse "small" | "medium" | "large". */
int imp_demo_parse_scale(const char *s, imp_demo_scale *out, tl_err *err);

/* Importing a file -------------------------------------------------------------- */

#define IMP_KEEP_DEFAULT 5

typedef struct imp_opts {
    const char *store;        /* GeoPackage store path; created if missing */
    const char *layer;        /* target layer name */
    const char *title;        /* may be NULL: the source layer's name */
    const char *source;       /* file path (a .zip is read through /vsizip/) */
    const char *source_layer; /* may be NULL: the source's only layer */
    const char *source_label; /* what the report and catalog call the source; NULL: source */
    const char *s_srs;        /* overrides the source CRS; may be NULL */
    const char *encoding;     /* legacy text encoding for iconv; NULL: UTF-8 (or .cpg) */
    const char *where;        /* OGR attribute filter; may be NULL */
    int keep;                 /* versions to keep; 0 keeps all */
    int dry_run;              /* everything but publish */
    uint64_t max_unzipped;    /* limit on a zip's total uncompressed size; 0: none */
    imp_progress_fn progress; /* may be NULL */
    void *progress_ud;
} imp_opts;

typedef struct imp_result {
    int version; /* published (or, for a dry run, the number it would have had) */
    int64_t n_read, n_written, n_repaired, n_rejected;
    double seconds;
    char *json; /* the whole report as one JSON object; malloc'd */
    char *text; /* the same for people, several lines; malloc'd */
} imp_result;

/** Import `o->source` as a new version of `o->layer`: read with OGR, transform to EPSG:4326
 *  with one pinned PROJ operation (EPSG:6960 for VN-2000 sources), convert text to UTF-8,
 *  check and repair geometry with GEOS, write and publish atomically. On failure nothing
 *  is published and the store is as before (err says why, naming file, feature and
 *  field where it can). Thread-safe for different stores or layers; an import of a layer
 *  that is already being imported fails with TL_EBUSY. Free *res with imp_result_free. */
int imp_run(const imp_opts *o, imp_result *res, tl_err *err);
void imp_result_free(imp_result *res);

#endif
