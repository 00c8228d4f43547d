/* import_int.h: types and functions shared by the files of import/ only (never include
 * elsewhere). The demo generator works in a local metric plane (x east, y north, metres)
 * around 106.65E 11.15N and converts to lon/lat only when writing. Everything here is
 * per-thread: one imp__demo (and its GEOS context) belongs to the thread running it. */
#ifndef IMPORT_INT_H
#define IMPORT_INT_H

#include <geos_c.h>
#include <stddef.h>
#include <stdint.h>

#include "import/import.h"
#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_geo.h"

/* Deterministic random numbers (demo_rng.c) --------------------------------------- */

/** xoshiro256** seeded through splitmix64: same seed, same stream, on every platform. */
typedef struct imp__rng {
    uint64_t s[4];
} imp__rng;

void imp__rng_seed(imp__rng *r, uint64_t seed);
uint64_t imp__rng_next(imp__rng *r);
/** Uniform in [0, 1) with 53 random bits. */
double imp__rng_unif(imp__rng *r);
/** Uniform in [lo, hi). */
double imp__rng_range(imp__rng *r, double lo, double hi);
/** Standard normal (Box-Muller, one value per call). */
double imp__rng_normal(imp__rng *r);
/** Poisson with mean `lam` (lam <= ~30). */
int imp__rng_poisson(imp__rng *r, double lam);
/** Gamma(4, 1) (sum of four exponentials): Dirichlet(4, ...) weights. */
double imp__rng_gamma4(imp__rng *r);
/** Index drawn from `n` non-negative weights (need not sum to 1). */
int imp__rng_pick(imp__rng *r, const double *w, int n);

/* Working plane and dates (demo_rng.c) --------------------------------------------- */

/** Lon/lat (degrees, WGS 84) to the local metric plane and back (exact inverses). */
void imp__ll2xy(double lon, double lat, double *x, double *y);
void imp__xy2ll(double x, double y, double *lon, double *lat);
/** "YYYY-MM-DD" of 2012-01-01 plus `days` into out[11]. */
void imp__date_str(int days, char out[11]);

/* Data tables copied from gen_binhduong.py (demo_data.c) --------------------------- */

typedef struct imp__ll {
    double lon, lat;
} imp__ll;

enum {
    IMP_N_DISTRICTS = 9,
    IMP_MAX_WARDS = 16,
    IMP_N_BORDER_RIVERS = 3,
    IMP_N_INNER_RIVERS = 3,
    IMP_N_RIVERS = IMP_N_BORDER_RIVERS + IMP_N_INNER_RIVERS
};

typedef enum imp__road_class {
    IMP_RC_MOTORWAY = 0,
    IMP_RC_TRUNK,
    IMP_RC_PRIMARY,
    IMP_RC_SECONDARY,
    IMP_RC_TERTIARY,
    IMP_RC_RESIDENTIAL,
    IMP_RC_UNCLASSIFIED,
    IMP_N_ROAD_CLASSES
} imp__road_class;

typedef enum imp__zone {
    IMP_Z_R1 = 0,
    IMP_Z_R2,
    IMP_Z_C,
    IMP_Z_IND,
    IMP_Z_MX,
    IMP_Z_PUB,
    IMP_Z_GR,
    IMP_Z_AG,
    IMP_Z_W,
    IMP_N_ZONES
} imp__zone;

typedef struct imp__border_river_def {
    const char *name;
    int first, last; /* vertex range of the province outline (last may be n: wraps to 0) */
    double hw;       /* half width inside the province, metres */
} imp__border_river_def;

typedef struct imp__inner_river_def {
    const char *name;
    double hw; /* half width, metres */
    const imp__ll *pts;
    size_t n;
} imp__inner_river_def;

typedef struct imp__district_def {
    int code;
    const char *name, *name_ascii, *admin_type;
    imp__ll anchor;
    double area_km2;
    int64_t population;
    const char *const *wards;
    size_t n_wards;
} imp__district_def;

typedef struct imp__centre_def {
    double lon, lat, sigma_km, weight;
} imp__centre_def;

typedef struct imp__main_road_def {
    imp__road_class cls;
    const char *name, *ref;
    int lanes;
    const imp__ll *pts;
    size_t n;
} imp__main_road_def;

typedef struct imp__park_def {
    const char *short_name, *name;
    imp__ll at;
    double area_ha;
    int planned; /* 0: established */
    int year;
    const char *developer;
} imp__park_def;

typedef struct imp__green_def {
    const char *name;
    imp__ll at;
    double area_ha;
    const char *type;
} imp__green_def;

typedef struct imp__zone_def {
    const char *code, *name;
    const double *far;
    size_t n_far;
    const double *height;
    size_t n_height;
    const double *cov;
    size_t n_cov;
} imp__zone_def;

extern const imp__ll imp__province_ll[];
extern const size_t imp__n_province_ll;
extern const imp__border_river_def imp__border_rivers[IMP_N_BORDER_RIVERS];
extern const imp__inner_river_def imp__inner_rivers[IMP_N_INNER_RIVERS];
extern const imp__district_def imp__districts[IMP_N_DISTRICTS];
extern const imp__centre_def imp__urban_centres[];
extern const size_t imp__n_urban_centres;
extern const imp__main_road_def imp__main_roads[];
extern const size_t imp__n_main_roads;
extern const imp__park_def imp__parks[];
extern const size_t imp__n_parks;
extern const imp__green_def imp__named_green[];
extern const size_t imp__n_named_green;
extern const imp__ll imp__new_city_at;
extern const double imp__new_city_ha;
extern const imp__zone_def imp__zones[IMP_N_ZONES];
extern const double imp__mix_urban[IMP_N_ZONES], imp__mix_suburb[IMP_N_ZONES],
    imp__mix_rural[IMP_N_ZONES], imp__mix_newcity[IMP_N_ZONES];
extern const char *const imp__street_names[];
extern const size_t imp__n_street_names;
extern const char *const imp__road_class_name[IMP_N_ROAD_CLASSES];
extern const int imp__road_class_speed[IMP_N_ROAD_CLASSES];

/* Generator state ------------------------------------------------------------------- */

/** Point-in-polygon index: the edges of a polygonal geometry bucketed into horizontal
 *  bands, so a test looks only at the edges of one band (even-odd rule). */
typedef struct imp__pip {
    double y0, band; /* bands of height `band` upward from y0 */
    size_t n_bands;
    uint32_t *start; /* n_bands + 1 offsets into e (in edges) */
    double *e;       /* x0 y0 x1 y1 per (edge, band) entry */
    tl_bbox bb;
} imp__pip;

/** The raster fields of the province on a regular grid (cell (i, j): column i, row j
 *  counted from the north). Arrays are w*h, row-major, owned. */
typedef struct imp__grid {
    double minx, maxy, res; /* metres */
    size_t w, h;
    float *u;         /* urban intensity 0..1 */
    float *d_road;    /* distance to a main road, metres (<= 10 km) */
    float *d_water;   /* distance to water, metres (<= 3 km) */
    float *dens;      /* parcel density weight, 0 off land */
    uint8_t *land;    /* 1 where the cell centre is on land */
    int8_t *district; /* district of the cell centre, -1 outside */
} imp__grid;

typedef enum imp__sp_kind { IMP_SP_PARK = 0, IMP_SP_NEWCITY, IMP_SP_GREEN } imp__sp_kind;

/** A special zone: industrial park, the new city or a named green space. */
typedef struct imp__special {
    imp__sp_kind kind;
    int idx;                        /* imp__parks / imp__named_green index */
    GEOSGeometry *g;                /* owned, Polygon */
    const GEOSPreparedGeometry *pg; /* owned */
    tl_bbox bb;
    imp__pip pip;
    size_t n_seeds; /* parcel seeds that fell inside */
} imp__special;

/** One road feature, coordinates in the working plane (arena memory). */
typedef struct imp__road {
    double *xy;
    uint32_t n;
    uint8_t cls, major, lanes;
    double hw;        /* corridor half width, metres */
    const char *name; /* arena or static; "" for none */
    const char *ref;  /* static */
    tl_bbox bb;
} imp__road;

/** A green_spaces feature kept until that layer is written. */
typedef struct imp__green_item {
    unsigned char *wkb; /* owned, lon/lat MultiPolygon */
    size_t len;
    char *name;       /* owned */
    const char *type; /* static */
    double area;      /* m2 */
    int district;     /* index or -1 */
} imp__green_item;

typedef struct imp__demo {
    GEOSContextHandle_t h;
    char geos_msg[200]; /* last GEOS error message */
    const imp_demo_opts *o;
    size_t n_target; /* parcels */
    imp__rng geo, rng, attr;
    tl_arena arena; /* roads */

    /* fixed geography (working plane) */
    double *outline; /* roughened province ring, closed, 2*n_outline */
    size_t n_outline;
    GEOSGeometry *province;
    const GEOSPreparedGeometry *province_p;
    imp__pip province_pip;
    GEOSGeometry *river[IMP_N_RIVERS]; /* polygonal or NULL */
    tl_bbox river_bb[IMP_N_RIVERS];
    GEOSGeometry *water, *land;
    const GEOSPreparedGeometry *land_p;
    imp__pip land_pip;
    GEOSGeometry *district[IMP_N_DISTRICTS];
    const GEOSPreparedGeometry *district_p[IMP_N_DISTRICTS];
    tl_bbox district_bb[IMP_N_DISTRICTS];
    double ward_xy[IMP_N_DISTRICTS][2 * IMP_MAX_WARDS];
    GEOSGeometry **main_line; /* main road lines inside the province */
    int *main_line_def;       /* imp__main_roads index of each */
    size_t n_main_lines;
    imp__special *sp; /* parks, then the new city, then named green */
    size_t n_sp;
    imp__grid grid;

    /* roads */
    imp__road *roads;
    size_t n_roads, cap_roads;
    size_t n_major;  /* roads[0..n_major) are the main road pieces */
    size_t street_i; /* naming counter */

    /* output */
    lyr_writer *w; /* the open writer, or NULL */
    imp_demo_report *rep;
    uint32_t seq[IMP_N_DISTRICTS][IMP_MAX_WARDS];
    imp__green_item *green;
    size_t n_green, cap_green;
    unsigned char *wkb; /* scratch WKB */
    size_t wkb_len, wkb_cap;
    double *cbuf; /* scratch coordinates */
    size_t cbuf_cap;
    double t0;
} imp__demo;

/* GEOS helpers (demo_geo.c) ---------------------------------------------------------- */

/** Record GEOS's last message as TL_EGEOM "`what`: message". Always returns -1. */
int imp__geos_fail(imp__demo *d, const char *what, tl_err *err);
/** Pass `g` through; NULL becomes TL_EGEOM naming `what`. */
GEOSGeometry *imp__gchk(imp__demo *d, GEOSGeometry *g, const char *what, tl_err *err);
/** A GEOS predicate result: 0/1, or -1 with TL_EGEOM for GEOS's 2 (exception). */
int imp__pred(imp__demo *d, char v, const char *what, tl_err *err);
/** Envelope of g (empty geometries give an inverted box). */
tl_bbox imp__g_bbox(imp__demo *d, const GEOSGeometry *g);
/** Coordinates of a LineString/LinearRing into d->cbuf (valid until the next call). */
int imp__g_coords(imp__demo *d, const GEOSGeometry *line, const double **xy, size_t *n,
                  tl_err *err);
/** New Polygon from an open or closed ring of n points. Caller owns. */
GEOSGeometry *imp__g_polygon(imp__demo *d, const double *xy, size_t n, tl_err *err);
/** New LineString of n points. Caller owns. */
GEOSGeometry *imp__g_line(imp__demo *d, const double *xy, size_t n, tl_err *err);
/** New axis-aligned rectangle. Caller owns. */
GEOSGeometry *imp__g_rect(imp__demo *d, double x0, double y0, double x1, double y1, tl_err *err);
/** Borrowed Polygon parts of any geometry (recursing into collections) appended to *parts
 *  (malloc'd, grown; caller frees the array only). */
int imp__g_poly_parts(imp__demo *d, const GEOSGeometry *g, const GEOSGeometry ***parts, size_t *n,
                      size_t *cap, tl_err *err);
/** Take `g` (always consumed) and keep its polygonal parts of area >= min_area: *out is a
 *  Polygon, a MultiPolygon or NULL when nothing is left. */
int imp__g_polygonal(imp__demo *d, GEOSGeometry *g, double min_area, GEOSGeometry **out,
                     tl_err *err);
/** Take `g` (consumed) and return its largest polygon part in *out (NULL if none). */
int imp__g_largest(imp__demo *d, GEOSGeometry *g, GEOSGeometry **out, tl_err *err);
/** Take `g` (consumed): if invalid, repair with MakeValid and keep the polygonal parts
 *  (>= 1 m2). *out may be NULL if nothing valid remains. */
int imp__g_fix(imp__demo *d, GEOSGeometry *g, GEOSGeometry **out, tl_err *err);
/** A valid copy of polygonal g (borrowed) for output, its vertices on a 1 cm grid:
 *  rounded, or snap-rounded (always when `full`; slower) where rounding alone would leave
 *  it invalid; repaired first if needed (*repaired = 1). *out is caller-owned, or NULL
 *  if nothing is left. */
int imp__g_clean(imp__demo *d, const GEOSGeometry *g, int full, GEOSGeometry **out, int *repaired,
                 tl_err *err);
/** Rebuild `g` (borrowed) with every coordinate mapped through fn. Caller owns *out. */
typedef void (*imp__xy_fn)(void *ud, double *x, double *y);
/** Rebuild polygon `g` ring by ring: `fn` makes each new ring (shell, then holes). */
typedef GEOSGeometry *(*imp__ring_fn)(imp__demo *d, const GEOSGeometry *ring, void *ud,
                                      tl_err *err);
GEOSGeometry *imp__g_map_rings(imp__demo *d, const GEOSGeometry *g, imp__ring_fn fn, void *ud,
                               tl_err *err);
int imp__g_map(imp__demo *d, const GEOSGeometry *g, imp__xy_fn fn, void *ud, GEOSGeometry **out,
               tl_err *err);
/** a ∩ b as polygonal parts >= min_area, skipping the overlay when bp (prepared b, may be
 *  NULL) contains a. *out is caller-owned or NULL. */
int imp__g_clip(imp__demo *d, const GEOSGeometry *a, const GEOSGeometry *b,
                const GEOSPreparedGeometry *bp, double min_area, GEOSGeometry **out, tl_err *err);
/** Angle (radians) of the long side of g's minimum rotated rectangle into *th (0 if
 *  degenerate). 0, or -1 with err set. */
int imp__g_long_axis(imp__demo *d, const GEOSGeometry *g, double *th, tl_err *err);
/** New collection of `type` taking the n geometries of gs (all freed if one is NULL, as
 *  after a failed clone). Caller owns the result; NULL with err set. */
GEOSGeometry *imp__g_collect(imp__demo *d, int type, GEOSGeometry **gs, size_t n, tl_err *err);
/** Total length of the linework of g. */
double imp__g_length(imp__demo *d, const GEOSGeometry *g);

/** Voronoi cells of the n seeds xy, clipped to `clip` (clip_p: its prepared form or NULL).
 *  cells[i] receives seed i's cell (caller owns) or NULL when it has none. */
int imp__voronoi_cells(imp__demo *d, const double *xy, size_t n, const GEOSGeometry *clip,
                       const GEOSPreparedGeometry *clip_p, GEOSGeometry **cells, tl_err *err);
/** The Voronoi edges of the seeds inside `clip` (*out: caller-owned lines or NULL). */
int imp__voronoi_edges(imp__demo *d, const double *xy, size_t n, const GEOSGeometry *clip,
                       GEOSGeometry **out, tl_err *err);
/** Unclipped Voronoi diagram (GeometryCollection of polygons, caller owns) over `env`. */
GEOSGeometry *imp__voronoi_raw(imp__demo *d, const double *xy, size_t n, const tl_bbox *env,
                               tl_err *err);

/** Encode g's polygonal parts as lon/lat ISO WKB MultiPolygon into d->wkb (d->wkb_len),
 *  returning the planar area (*area) and the area-weighted centroid of the exteriors. */
int imp__wkb_polygonal(imp__demo *d, const GEOSGeometry *g, double *area, double *cx, double *cy,
                       tl_err *err);
/** Encode n working-plane points as a lon/lat WKB LineString into d->wkb. */
void imp__wkb_line(imp__demo *d, const double *xy, size_t n);

/* Shapes (demo_shape.c) --------------------------------------------------------------- */

/** Midpoint displacement of an open polyline, `levels` times, normal offsets of `amp`
 *  times the segment length. Returns a malloc'd array (caller frees), *n_out points. */
double *imp__roughen(imp__rng *r, const double *xy, size_t n, int levels, double amp,
                     size_t *n_out);
/** Chaikin corner cutting of an open polyline (malloc'd result, caller frees). */
double *imp__chaikin(const double *xy, size_t n, int iters, size_t *n_out);
/** Irregular star-shaped polygon of about `area` m2 centred on (cx, cy). Caller owns. */
GEOSGeometry *imp__blob(imp__demo *d, imp__rng *r, double cx, double cy, double area, int n,
                        double rough, tl_err *err);
/** Industrial-park outline of `area` m2: rotated jittered rectangle, L-shaped when big. */
GEOSGeometry *imp__park_shape(imp__demo *d, imp__rng *r, double cx, double cy, double area,
                              tl_err *err);
/** Add vertices every `max_seg` m with normal jitter to every ring of g (borrowed); the
 *  result (caller-owned, polygonal, maybe NULL) is valid. */
int imp__densify_jitter(imp__demo *d, const GEOSGeometry *g, double max_seg, double jitter,
                        imp__rng *r, GEOSGeometry **out, tl_err *err);
/** Split a polyline into pieces of about piece_len metres: calls fn for each piece. */
int imp__split_line(const double *xy, size_t n, double piece_len,
                    int (*fn)(void *ud, const double *xy, size_t n, tl_err *err), void *ud,
                    tl_err *err);
/** Point at fraction t of the polyline's length. */
void imp__line_at(const double *xy, size_t n, double t, double *x, double *y);

/* Raster fields (demo_grid.c) --------------------------------------------------------- */

/** Build the point-in-polygon index of polygonal g with bands of `band` metres. */
int imp__pip_build(imp__demo *d, imp__pip *p, const GEOSGeometry *g, double band, tl_err *err);
int imp__pip_contains(const imp__pip *p, double x, double y);
void imp__pip_free(imp__pip *p);
/** Cell of (x, y) clamped into the grid, as a linear index. */
size_t imp__grid_cell(const imp__grid *g, double x, double y);
/** Value of field a at (x, y) (nearest cell, clamped). */
double imp__grid_at(const imp__grid *g, const float *a, double x, double y);
/** Compute every field of d->grid (needs province, water, land, main roads, parks). */
int imp__grid_build(imp__demo *d, tl_err *err);
void imp__grid_free(imp__grid *g);
/** Draw n points with probability ~ weight[cell] (w*h doubles, consumed as scratch),
 *  uniformly inside the cell, keeping those on land (and in district `k` if k >= 0). */
int imp__grid_draw(imp__demo *d, double *weight, size_t n, imp__rng *r, int k, double *out,
                   tl_err *err);
/** 1 if (x, y) is on land (exact test). */
int imp__on_land(imp__demo *d, double x, double y);

/* Fixed geography (demo_geog.c) ------------------------------------------------------- */

/** Province, rivers, districts, main roads, special zones, raster fields, ward anchors. */
int imp__geog_build(imp__demo *d, tl_err *err);

/* Fabric and parcels (demo_fabric.c, demo_parcels.c) ------------------------------- */

/** Append a road (coordinates copied to the arena). `name` is copied; `ref` static. */
void imp__road_add(imp__demo *d, const double *xy, size_t n, imp__road_class cls, int major,
                   int lanes, double hw, const char *name, const char *ref);
/** Seeds, the Voronoi hierarchy, the road network and every zoning parcel (written to the
 *  open zoning writer d->w). */
int imp__fabric_run(imp__demo *d, tl_err *err);

typedef enum imp__pkind {
    IMP_PK_ORGANIC = 0,
    IMP_PK_ENCLAVE,
    IMP_PK_PARK_LOT,
    IMP_PK_PARK_STRIP,
    IMP_PK_NEWCITY,
    IMP_PK_GREEN,
    IMP_PK_WATER
} imp__pkind;

/** Where a parcel was cut from. */
typedef struct imp__pctx {
    imp__pkind kind;
    int idx;      /* park / named-green table index, river index, else -1 */
    int dom;      /* dominant zone of the block (organic), else -1 */
    int district; /* district known to contain the whole source, else -1 */
} imp__pctx;

/** A candidate obstacle of the blocks (road corridor or water piece) and its box. */
typedef struct imp__obst {
    GEOSGeometry *g; /* owned by the list's creator */
    tl_bbox bb;
} imp__obst;
/** Cut one organic block (`cell`, borrowed) into parcels and emit them: the cell minus
 *  the obstacles of `n_list` lists (lists[i] has n_lists[i] entries, borrowed) and the
 *  special zones touching it, split by an anisotropic Voronoi of its n parcel seeds.
 *  0, or -1 with err set (GEOS or store failure). */
int imp__parcels_block(imp__demo *d, const GEOSGeometry *cell, const double *seeds, size_t n,
                       imp__obst *const *lists, const size_t *n_lists, int n_list, tl_err *err);
/** Grid lots, perimeter strips and grid roads of every special zone (minus the main-road
 *  corridors crossing it), and the named green spaces as green parcels. */
int imp__parcels_special(imp__demo *d, tl_err *err);
/** Clip g (consumed, always freed) to the districts, maybe punch a hole, assign zoning
 *  and write each piece. 0, or -1 with err set. */
int imp__parcel_emit(imp__demo *d, GEOSGeometry *g, const imp__pctx *pc, tl_err *err);
/** Corridor polygon of road r (its half width each side); caller owns; NULL with err. */
GEOSGeometry *imp__road_corridor(imp__demo *d, const imp__road *r, tl_err *err);

/* Zoning rows (demo_zoning.c) ---------------------------------------------------------- */

/** Field list of the zoning layer. */
extern const lyr_field_def imp__zoning_fields[];
extern const size_t imp__n_zoning_fields;
/** Clean g (borrowed; dropped if nothing valid is left), assign zone and attributes as
 *  a parcel of district k and add it to the open writer d->w; neighbourhood parks are
 *  also kept for green_spaces. 0, or -1 with err set. */
int imp__zoning_write(imp__demo *d, const GEOSGeometry *g, const imp__pctx *pc, int k, tl_err *err);
/** Keep a green_spaces feature for later (g borrowed and cleaned; name copied).
 *  0, or -1 with err set. */
int imp__green_keep(imp__demo *d, const GEOSGeometry *g, const char *name, const char *type,
                    int district, tl_err *err);
/** District whose polygon contains a point on the surface of g: its index, -1 if none
 *  does, -2 on a GEOS failure (err set). */
int imp__district_of(imp__demo *d, const GEOSGeometry *g, tl_err *err);
/** Progress report (no-op without a callback). */
void imp__progress(imp__demo *d, const char *stage, double frac);

#endif
