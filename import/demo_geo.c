/* demo_geo.c: GEOS helpers of the demo generator: error conversion, coordinates in and
 * out, polygonal filtering and repair, Voronoi cells matched to their seeds, and the
 * lon/lat ISO WKB encoder. Every function uses the demo's own GEOS context (per-thread). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

/* Errors ------------------------------------------------------------------------------ */

int imp__geos_fail(imp__demo *d, const char *what, tl_err *err)
{
    tl_err_set(err, TL_EGEOM, what, "GEOS %s failed: %s", what,
               d->geos_msg[0] ? d->geos_msg : "unknown error");
    return -1;
}

GEOSGeometry *imp__gchk(imp__demo *d, GEOSGeometry *g, const char *what, tl_err *err)
{
    if (!g)
        imp__geos_fail(d, what, err);
    return g;
}

int imp__pred(imp__demo *d, char v, const char *what, tl_err *err)
{
    if (v == 2)
        return imp__geos_fail(d, what, err);
    return v ? 1 : 0;
}

/* Coordinates ------------------------------------------------------------------------- */

tl_bbox imp__g_bbox(imp__demo *d, const GEOSGeometry *g)
{
    tl_bbox b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double x0, y0, x1, y1;
    if (!GEOSisEmpty_r(d->h, g) && GEOSGeom_getExtent_r(d->h, g, &x0, &y0, &x1, &y1)) {
        b.minx = x0;
        b.miny = y0;
        b.maxx = x1;
        b.maxy = y1;
    }
    return b;
}

static void cbuf_reserve(imp__demo *d, size_t n_doubles)
{
    if (n_doubles > d->cbuf_cap) {
        size_t cap = d->cbuf_cap ? d->cbuf_cap : 1024;
        while (cap < n_doubles)
            cap *= 2;
        d->cbuf = tl_xrealloc(d->cbuf, cap * sizeof(double));
        d->cbuf_cap = cap;
    }
}

int imp__g_coords(imp__demo *d, const GEOSGeometry *line, const double **xy, size_t *n, tl_err *err)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(d->h, line);
    unsigned int sz = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(d->h, cs, &sz))
        return imp__geos_fail(d, "coordinate access", err);
    cbuf_reserve(d, 2 * (size_t)sz + 2);
    if (sz && !GEOSCoordSeq_copyToBuffer_r(d->h, cs, d->cbuf, 0, 0))
        return imp__geos_fail(d, "coordinate copy", err);
    *xy = d->cbuf;
    *n = sz;
    return 0;
}

static GEOSCoordSequence *seq_from(imp__demo *d, const double *xy, size_t n, int close, tl_err *err)
{
    GEOSCoordSequence *cs;
    int need_close = close && n > 0 && (xy[0] != xy[2 * n - 2] || xy[1] != xy[2 * n - 1]);
    if (need_close) {
        double *tmp = tl_xmalloc((2 * n + 2) * sizeof(double));
        memcpy(tmp, xy, 2 * n * sizeof(double));
        tmp[2 * n] = xy[0];
        tmp[2 * n + 1] = xy[1];
        cs = GEOSCoordSeq_copyFromBuffer_r(d->h, tmp, (unsigned)(n + 1), 0, 0);
        free(tmp);
    } else {
        cs = GEOSCoordSeq_copyFromBuffer_r(d->h, xy, (unsigned)n, 0, 0);
    }
    if (!cs)
        imp__geos_fail(d, "coordinate sequence", err);
    return cs;
}

GEOSGeometry *imp__g_polygon(imp__demo *d, const double *xy, size_t n, tl_err *err)
{
    GEOSCoordSequence *cs = seq_from(d, xy, n, 1, err);
    if (!cs)
        return NULL;
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(d->h, cs);
    if (!ring)
        return imp__gchk(d, NULL, "ring", err);
    return imp__gchk(d, GEOSGeom_createPolygon_r(d->h, ring, NULL, 0), "polygon", err);
}

GEOSGeometry *imp__g_line(imp__demo *d, const double *xy, size_t n, tl_err *err)
{
    GEOSCoordSequence *cs = seq_from(d, xy, n, 0, err);
    if (!cs)
        return NULL;
    return imp__gchk(d, GEOSGeom_createLineString_r(d->h, cs), "linestring", err);
}

GEOSGeometry *imp__g_rect(imp__demo *d, double x0, double y0, double x1, double y1, tl_err *err)
{
    return imp__gchk(d, GEOSGeom_createRectangle_r(d->h, x0, y0, x1, y1), "rectangle", err);
}

double imp__g_length(imp__demo *d, const GEOSGeometry *g)
{
    double len = 0.0;
    if (!GEOSLength_r(d->h, g, &len))
        return 0.0;
    return len;
}

GEOSGeometry *imp__g_collect(imp__demo *d, int type, GEOSGeometry **gs, size_t n, tl_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!gs[i]) { /* a clone failed */
            for (size_t j = 0; j < n; j++)
                GEOSGeom_destroy_r(d->h, gs[j]);
            return imp__gchk(d, NULL, "clone", err);
        }
    }
    return imp__gchk(d, GEOSGeom_createCollection_r(d->h, type, gs, (unsigned)n), "collection",
                     err);
}

/* Polygonal parts ---------------------------------------------------------------------- */

int imp__g_poly_parts(imp__demo *d, const GEOSGeometry *g, const GEOSGeometry ***parts, size_t *n,
                      size_t *cap, tl_err *err)
{
    int t = GEOSGeomTypeId_r(d->h, g);
    if (t == GEOS_POLYGON) {
        if (GEOSisEmpty_r(d->h, g))
            return 0;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            *parts = tl_xrealloc((void *)*parts, *cap * sizeof(**parts));
        }
        (*parts)[(*n)++] = g;
        return 0;
    }
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int m = GEOSGetNumGeometries_r(d->h, g);
        for (int i = 0; i < m; i++)
            if (imp__g_poly_parts(d, GEOSGetGeometryN_r(d->h, g, i), parts, n, cap, err) < 0)
                return -1;
        return 0;
    }
    if (t < 0)
        return imp__geos_fail(d, "type id", err);
    return 0;
}

static double area_of(imp__demo *d, const GEOSGeometry *g)
{
    double a = 0.0;
    if (!GEOSArea_r(d->h, g, &a))
        return 0.0;
    return a;
}

int imp__g_polygonal(imp__demo *d, GEOSGeometry *g, double min_area, GEOSGeometry **out,
                     tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0, keep = 0;
    *out = NULL;
    if (!g)
        return 0;
    if (imp__g_poly_parts(d, g, &parts, &n, &cap, err) < 0) {
        GEOSGeom_destroy_r(d->h, g);
        free(parts);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (area_of(d, parts[i]) >= min_area)
            parts[keep++] = parts[i];
    int t = GEOSGeomTypeId_r(d->h, g);
    if (keep == n && keep > 0 && (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)) {
        free(parts);
        *out = g; /* already what was asked for */
        return 0;
    }
    int rc = 0;
    if (keep == 1) {
        *out = imp__gchk(d, GEOSGeom_clone_r(d->h, parts[0]), "clone", err);
        rc = *out ? 0 : -1;
    } else if (keep > 1) {
        GEOSGeometry **cl = tl_xmalloc(keep * sizeof(*cl));
        for (size_t i = 0; i < keep; i++)
            cl[i] = GEOSGeom_clone_r(d->h, parts[i]);
        *out = imp__g_collect(d, GEOS_MULTIPOLYGON, cl, keep, err);
        rc = *out ? 0 : -1;
        free(cl);
    }
    free(parts);
    GEOSGeom_destroy_r(d->h, g);
    return rc;
}

int imp__g_largest(imp__demo *d, GEOSGeometry *g, GEOSGeometry **out, tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    if (!g)
        return 0;
    int rc = imp__g_poly_parts(d, g, &parts, &n, &cap, err);
    if (rc == 0 && n > 0) {
        size_t best = 0;
        double best_a = -1.0;
        for (size_t i = 0; i < n; i++) {
            double a = area_of(d, parts[i]);
            if (a > best_a) {
                best_a = a;
                best = i;
            }
        }
        *out = imp__gchk(d, GEOSGeom_clone_r(d->h, parts[best]), "clone", err);
        rc = *out ? 0 : -1;
    }
    free(parts);
    GEOSGeom_destroy_r(d->h, g);
    return rc;
}

int imp__g_fix(imp__demo *d, GEOSGeometry *g, GEOSGeometry **out, tl_err *err)
{
    *out = NULL;
    if (!g)
        return 0;
    int v = imp__pred(d, GEOSisValid_r(d->h, g), "validity check", err);
    if (v < 0) {
        GEOSGeom_destroy_r(d->h, g);
        return -1;
    }
    if (v == 1) {
        *out = g;
        return 0;
    }
    GEOSGeometry *m = imp__gchk(d, GEOSMakeValid_r(d->h, g), "make valid", err);
    GEOSGeom_destroy_r(d->h, g);
    if (!m)
        return -1;
    return imp__g_polygonal(d, m, 1.0, out, err);
}

#define SNAP_GRID 0.01 /* metres: output coordinates are snap-rounded to 1 cm */

/* Snap rounding of g to the grid (valid output); repairs and retries if g is invalid. */
static GEOSGeometry *snap_round(imp__demo *d, const GEOSGeometry *g, int *repaired, tl_err *err)
{
    GEOSGeometry *s = GEOSGeom_setPrecision_r(d->h, g, SNAP_GRID, GEOS_PREC_VALID_OUTPUT);
    if (s)
        return s;
    *repaired = 1;
    GEOSGeometry *v = imp__gchk(d, GEOSMakeValid_r(d->h, g), "make valid", err);
    if (!v)
        return NULL;
    s = imp__gchk(d, GEOSGeom_setPrecision_r(d->h, v, SNAP_GRID, GEOS_PREC_VALID_OUTPUT),
                  "precision reduction", err);
    GEOSGeom_destroy_r(d->h, v);
    return s;
}

int imp__g_clean(imp__demo *d, const GEOSGeometry *g, int full, GEOSGeometry **out, int *repaired,
                 tl_err *err)
{
    GEOSGeometry *v = NULL;
    *out = NULL;
    *repaired = 0;
    /* Overlays can leave sub-millimetre spikes and necks that turn invalid once converted
     * to lon/lat. Rounding every vertex to the 1 cm grid collapses them; when that leaves
     * the geometry invalid (or it was invalid already), snap rounding (slower, always
     * valid output) is used instead, and always with `full`: it also turns exact touches
     * into shared vertices, which no conversion can pull apart. */
    GEOSGeometry *s = full ? NULL : GEOSGeom_setPrecision_r(d->h, g, SNAP_GRID, GEOS_PREC_NO_TOPO);
    int ok = s ? imp__pred(d, GEOSisValid_r(d->h, s), "validity check", err) : 0;
    if (ok < 0) {
        GEOSGeom_destroy_r(d->h, s);
        return -1;
    }
    if (!ok) {
        GEOSGeom_destroy_r(d->h, s);
        s = snap_round(d, g, repaired, err);
        if (!s)
            return -1;
    }
    if (imp__g_polygonal(d, s, 1.0, &v, err) < 0)
        return -1;
    if (!v)
        return 0;
    if (ok) {
        *out = v;
        return 0;
    }
    ok = imp__pred(d, GEOSisValid_r(d->h, v), "validity check", err);
    if (ok == 1) {
        *out = v;
        return 0;
    }
    GEOSGeom_destroy_r(d->h, v);
    return ok < 0 ? -1 : 0; /* still invalid after snapping: drop it */
}

/* Coordinate mapping ------------------------------------------------------------------- */

static GEOSGeometry *map_seq(imp__demo *d, const GEOSGeometry *g, int ring, imp__xy_fn fn, void *ud,
                             tl_err *err)
{
    const double *xy;
    size_t n;
    if (imp__g_coords(d, g, &xy, &n, err) < 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fn(ud, &d->cbuf[2 * i], &d->cbuf[2 * i + 1]);
    if (ring) { /* keep the ring exactly closed */
        d->cbuf[2 * n - 2] = d->cbuf[0];
        d->cbuf[2 * n - 1] = d->cbuf[1];
    }
    GEOSCoordSequence *cs = seq_from(d, d->cbuf, n, 0, err);
    if (!cs)
        return NULL;
    GEOSGeometry *r =
        ring ? GEOSGeom_createLinearRing_r(d->h, cs) : GEOSGeom_createLineString_r(d->h, cs);
    return imp__gchk(d, r, "map coordinates", err);
}

GEOSGeometry *imp__g_map_rings(imp__demo *d, const GEOSGeometry *g, imp__ring_fn fn, void *ud,
                               tl_err *err)
{
    int nh = GEOSGetNumInteriorRings_r(d->h, g);
    if (nh < 0)
        return imp__gchk(d, NULL, "interior rings", err);
    GEOSGeometry *shell = fn(d, GEOSGetExteriorRing_r(d->h, g), ud, err);
    if (!shell)
        return NULL;
    GEOSGeometry **holes = tl_xmalloc(((size_t)nh + 1) * sizeof(*holes));
    for (int i = 0; i < nh; i++) {
        holes[i] = fn(d, GEOSGetInteriorRingN_r(d->h, g, i), ud, err);
        if (!holes[i]) {
            for (int j = 0; j < i; j++)
                GEOSGeom_destroy_r(d->h, holes[j]);
            GEOSGeom_destroy_r(d->h, shell);
            free(holes);
            return NULL;
        }
    }
    GEOSGeometry *p = GEOSGeom_createPolygon_r(d->h, shell, holes, (unsigned)nh);
    free(holes);
    return imp__gchk(d, p, "polygon", err);
}

typedef struct map_ctx {
    imp__xy_fn fn;
    void *ud;
} map_ctx;

static GEOSGeometry *map_ring(imp__demo *d, const GEOSGeometry *ring, void *ud, tl_err *err)
{
    const map_ctx *c = ud;
    return map_seq(d, ring, 1, c->fn, c->ud, err);
}

int imp__g_map(imp__demo *d, const GEOSGeometry *g, imp__xy_fn fn, void *ud, GEOSGeometry **out,
               tl_err *err)
{
    int t = GEOSGeomTypeId_r(d->h, g);
    *out = NULL;
    if (GEOSisEmpty_r(d->h, g)) {
        *out = imp__gchk(d, GEOSGeom_clone_r(d->h, g), "clone", err);
        return *out ? 0 : -1;
    }
    if (t == GEOS_LINESTRING || t == GEOS_LINEARRING) {
        *out = map_seq(d, g, t == GEOS_LINEARRING, fn, ud, err);
    } else if (t == GEOS_POLYGON) {
        *out = imp__g_map_rings(d, g, map_ring, &(map_ctx){fn, ud}, err);
    } else if (t == GEOS_MULTILINESTRING || t == GEOS_MULTIPOLYGON ||
               t == GEOS_GEOMETRYCOLLECTION) {
        int m = GEOSGetNumGeometries_r(d->h, g);
        GEOSGeometry **sub = tl_xcalloc((size_t)m + 1, sizeof(*sub));
        int ok = 1;
        for (int i = 0; i < m && ok; i++)
            ok = imp__g_map(d, GEOSGetGeometryN_r(d->h, g, i), fn, ud, &sub[i], err) == 0;
        if (ok) {
            *out = imp__g_collect(d, t, sub, (size_t)m, err);
        } else {
            for (int i = 0; i < m; i++)
                GEOSGeom_destroy_r(d->h, sub[i]);
        }
        free(sub);
    } else {
        TL_FAIL(err, TL_EINTERNAL, "cannot map geometry type %d", t);
    }
    return *out ? 0 : -1;
}

int imp__g_clip(imp__demo *d, const GEOSGeometry *a, const GEOSGeometry *b,
                const GEOSPreparedGeometry *bp, double min_area, GEOSGeometry **out, tl_err *err)
{
    *out = NULL;
    if (bp) {
        int c = imp__pred(d, GEOSPreparedContains_r(d->h, bp, a), "prepared contains", err);
        if (c < 0)
            return -1;
        if (c == 1) {
            *out = imp__gchk(d, GEOSGeom_clone_r(d->h, a), "clone", err);
            return *out ? 0 : -1;
        }
        int i = imp__pred(d, GEOSPreparedIntersects_r(d->h, bp, a), "prepared intersects", err);
        if (i <= 0)
            return i;
    }
    GEOSGeometry *r = imp__gchk(d, GEOSIntersection_r(d->h, a, b), "intersection", err);
    if (!r)
        return -1;
    return imp__g_polygonal(d, r, min_area, out, err);
}

int imp__g_long_axis(imp__demo *d, const GEOSGeometry *g, double *th, tl_err *err)
{
    GEOSGeometry *r =
        imp__gchk(d, GEOSMinimumRotatedRectangle_r(d->h, g), "rotated rectangle", err);
    const double *xy;
    size_t n = 0;
    *th = 0.0;
    if (!r)
        return -1;
    int rc = 0;
    if (GEOSGeomTypeId_r(d->h, r) == GEOS_POLYGON) /* else degenerate: keep 0 */
        rc = imp__g_coords(d, GEOSGetExteriorRing_r(d->h, r), &xy, &n, err);
    if (rc == 0 && n >= 4) {
        double e1x = xy[2] - xy[0], e1y = xy[3] - xy[1];
        double e2x = xy[4] - xy[2], e2y = xy[5] - xy[3];
        *th = hypot(e1x, e1y) >= hypot(e2x, e2y) ? atan2(e1y, e1x) : atan2(e2y, e2x);
    }
    GEOSGeom_destroy_r(d->h, r);
    return rc;
}

/* Voronoi -------------------------------------------------------------------------------- */

static GEOSGeometry *multipoint(imp__demo *d, const double *xy, size_t n, tl_err *err)
{
    GEOSGeometry **pts = tl_xmalloc(n * sizeof(*pts));
    for (size_t i = 0; i < n; i++) {
        pts[i] = GEOSGeom_createPointFromXY_r(d->h, xy[2 * i], xy[2 * i + 1]);
        if (!pts[i]) {
            for (size_t j = 0; j < i; j++)
                GEOSGeom_destroy_r(d->h, pts[j]);
            free(pts);
            return imp__gchk(d, NULL, "point", err);
        }
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(d->h, GEOS_MULTIPOINT, pts, (unsigned)n);
    free(pts);
    return imp__gchk(d, mp, "multipoint", err);
}

static GEOSGeometry *voronoi(imp__demo *d, const double *xy, size_t n, const tl_bbox *env,
                             int edges, tl_err *err)
{
    GEOSGeometry *mp = multipoint(d, xy, n, err);
    if (!mp)
        return NULL;
    GEOSGeometry *eg = imp__g_rect(d, env->minx, env->miny, env->maxx, env->maxy, err);
    GEOSGeometry *vd = NULL;
    if (eg)
        vd = imp__gchk(d, GEOSVoronoiDiagram_r(d->h, mp, eg, 0.0, edges), "voronoi diagram", err);
    GEOSGeom_destroy_r(d->h, eg);
    GEOSGeom_destroy_r(d->h, mp);
    return vd;
}

GEOSGeometry *imp__voronoi_raw(imp__demo *d, const double *xy, size_t n, const tl_bbox *env,
                               tl_err *err)
{
    return voronoi(d, xy, n, env, 0, err);
}

static int ring_contains(const double *xy, size_t n, double x, double y)
{
    int in = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double yi = xy[2 * i + 1], yj = xy[2 * j + 1];
        if ((yi > y) != (yj > y)) {
            double xc = xy[2 * i] + (y - yi) / (yj - yi) * (xy[2 * j] - xy[2 * i]);
            if (x < xc)
                in = !in;
        }
    }
    return in;
}

typedef struct seed_ix {
    double x;
    size_t i;
} seed_ix;

static int cmp_seed_ix(const void *a, const void *b)
{
    const seed_ix *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->i < q->i ? -1 : (p->i > q->i);
}

/* Give each cell of vd to the lowest-numbered seed inside it. */
static int match_cells(imp__demo *d, const GEOSGeometry *vd, const double *xy, size_t n,
                       GEOSGeometry **cells, tl_err *err)
{
    seed_ix *ix = tl_xmalloc(n * sizeof(*ix));
    for (size_t i = 0; i < n; i++)
        ix[i] = (seed_ix){xy[2 * i], i};
    qsort(ix, n, sizeof(*ix), cmp_seed_ix);
    int m = GEOSGetNumGeometries_r(d->h, vd), rc = 0;
    for (int c = 0; c < m && rc == 0; c++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(d->h, vd, c);
        const double *r;
        size_t nr;
        if (GEOSGeomTypeId_r(d->h, cell) != GEOS_POLYGON)
            continue;
        tl_bbox bb = imp__g_bbox(d, cell);
        rc = imp__g_coords(d, GEOSGetExteriorRing_r(d->h, cell), &r, &nr, err);
        if (rc < 0 || nr < 4)
            break;
        size_t lo = 0, hi = n; /* first seed with x >= minx */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (ix[mid].x < bb.minx)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t best = n;
        for (size_t k = lo; k < n && ix[k].x <= bb.maxx; k++) {
            double y = xy[2 * ix[k].i + 1];
            if (ix[k].i < best && y >= bb.miny && y <= bb.maxy && !cells[ix[k].i] &&
                ring_contains(r, nr, ix[k].x, y))
                best = ix[k].i;
        }
        if (best < n) {
            cells[best] = imp__gchk(d, GEOSGeom_clone_r(d->h, cell), "clone", err);
            if (!cells[best])
                rc = -1;
        }
    }
    free(ix);
    return rc;
}

int imp__voronoi_cells(imp__demo *d, const double *xy, size_t n, const GEOSGeometry *clip,
                       const GEOSPreparedGeometry *clip_p, GEOSGeometry **cells, tl_err *err)
{
    memset(cells, 0, n * sizeof(*cells));
    if (n == 0)
        return 0;
    if (n == 1) {
        cells[0] = imp__gchk(d, GEOSGeom_clone_r(d->h, clip), "clone", err);
        return cells[0] ? 0 : -1;
    }
    tl_bbox env = imp__g_bbox(d, clip);
    GEOSGeometry *vd = voronoi(d, xy, n, &env, 0, err);
    if (!vd)
        return -1;
    int rc = match_cells(d, vd, xy, n, cells, err);
    GEOSGeom_destroy_r(d->h, vd);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!cells[i])
            continue;
        GEOSGeometry *c = NULL;
        rc = imp__g_clip(d, cells[i], clip, clip_p, 1.0, &c, err);
        GEOSGeom_destroy_r(d->h, cells[i]);
        cells[i] = c;
    }
    if (rc < 0) {
        for (size_t i = 0; i < n; i++) {
            GEOSGeom_destroy_r(d->h, cells[i]);
            cells[i] = NULL;
        }
    }
    return rc;
}

int imp__voronoi_edges(imp__demo *d, const double *xy, size_t n, const GEOSGeometry *clip,
                       GEOSGeometry **out, tl_err *err)
{
    *out = NULL;
    if (n < 2)
        return 0;
    tl_bbox env = imp__g_bbox(d, clip);
    GEOSGeometry *e = voronoi(d, xy, n, &env, 1, err);
    if (!e)
        return -1;
    *out = imp__gchk(d, GEOSIntersection_r(d->h, e, clip), "edge clip", err);
    GEOSGeom_destroy_r(d->h, e);
    return *out ? 0 : -1;
}

/* WKB ------------------------------------------------------------------------------------ */

static void wkb_reserve(imp__demo *d, size_t extra)
{
    if (d->wkb_len + extra > d->wkb_cap) {
        size_t cap = d->wkb_cap ? d->wkb_cap : 4096;
        while (cap < d->wkb_len + extra)
            cap *= 2;
        d->wkb = tl_xrealloc(d->wkb, cap);
        d->wkb_cap = cap;
    }
}

static void put_u32(imp__demo *d, uint32_t v)
{
    wkb_reserve(d, 4);
    for (int i = 0; i < 4; i++)
        d->wkb[d->wkb_len++] = (unsigned char)(v >> (8 * i));
}

static void put_f64(imp__demo *d, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    wkb_reserve(d, 8);
    for (int i = 0; i < 8; i++)
        d->wkb[d->wkb_len++] = (unsigned char)(u >> (8 * i));
}

static void put_head(imp__demo *d, uint32_t type)
{
    wkb_reserve(d, 1);
    d->wkb[d->wkb_len++] = 1; /* little endian */
    put_u32(d, type);
}

static void put_points(imp__demo *d, const double *xy, size_t n)
{
    put_u32(d, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        double lon, lat;
        imp__xy2ll(xy[2 * i], xy[2 * i + 1], &lon, &lat);
        put_f64(d, lon);
        put_f64(d, lat);
    }
}

/* Shoelace area (signed) and the first moments of a ring. */
static double ring_moments(const double *xy, size_t n, double *mx, double *my)
{
    double a = 0.0, sx = 0.0, sy = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        double x0 = xy[2 * i] - xy[0], y0 = xy[2 * i + 1] - xy[1];
        double x1 = xy[2 * i + 2] - xy[0], y1 = xy[2 * i + 3] - xy[1];
        double c = x0 * y1 - x1 * y0;
        a += c;
        sx += (x0 + x1) * c;
        sy += (y0 + y1) * c;
    }
    a *= 0.5;
    if (a != 0.0) {
        *mx = xy[0] + sx / (6.0 * a);
        *my = xy[1] + sy / (6.0 * a);
    } else {
        *mx = xy[0];
        *my = xy[1];
    }
    return a;
}

int imp__wkb_polygonal(imp__demo *d, const GEOSGeometry *g, double *area, double *cx, double *cy,
                       tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    double tot = 0.0, ext = 0.0, sx = 0.0, sy = 0.0;
    d->wkb_len = 0;
    if (imp__g_poly_parts(d, g, &parts, &n, &cap, err) < 0) {
        free(parts);
        return -1;
    }
    put_head(d, 6);
    put_u32(d, (uint32_t)n);
    for (size_t p = 0; p < n; p++) {
        int nh = GEOSGetNumInteriorRings_r(d->h, parts[p]);
        put_head(d, 3);
        put_u32(d, (uint32_t)(nh + 1));
        for (int r = -1; r < nh; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(d->h, parts[p])
                                             : GEOSGetInteriorRingN_r(d->h, parts[p], r);
            const double *xy;
            size_t np;
            double mx, my;
            if (imp__g_coords(d, ring, &xy, &np, err) < 0) {
                free(parts);
                return -1;
            }
            double a = fabs(ring_moments(xy, np, &mx, &my));
            tot += r < 0 ? a : -a;
            if (r < 0) {
                ext += a;
                sx += a * mx;
                sy += a * my;
            }
            put_points(d, xy, np);
        }
    }
    free(parts);
    *area = tot;
    *cx = ext > 0.0 ? sx / ext : 0.0;
    *cy = ext > 0.0 ? sy / ext : 0.0;
    return 0;
}

void imp__wkb_line(imp__demo *d, const double *xy, size_t n)
{
    d->wkb_len = 0;
    put_head(d, 2);
    put_points(d, xy, n);
}
