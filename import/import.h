/* import.h: turning outside data into new layer versions of the store.
 * For now: the deterministic Binh Duong demo data set (`tiled demo`). */
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

#endif
