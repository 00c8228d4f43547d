/* demo_fabric.c: the demo's parcel fabric: seeds drawn from the density field, a 3-level
 * Voronoi hierarchy (secondary > tertiary > residential roads, then blocks), the road
 * network it yields, and the driver that walks it one top-level cell at a time so that
 * memory stays bounded while blocks are cut into parcels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#define EXTRA_A 4.5
#define EXTRA_B 0.765

typedef struct fabric {
    size_t n1, n2, n3, np;
    double *s1, *s2, *s3, *p;     /* seeds, xy pairs; s2 grouped by L1, s3 by L2, p by L3 */
    size_t *s2off, *s3off, *poff; /* n1+1, n2+1, n3+1 group offsets */
    GEOSGeometry **c1;            /* n1 top-level cells (owned) */
    const GEOSPreparedGeometry *water_p;
} fabric;

/* Roads ------------------------------------------------------------------------------------ */

void imp__road_add(imp__demo *d, const double *xy, size_t n, imp__road_class cls, int major,
                   int lanes, double hw, const char *name, const char *ref)
{
    if (d->n_roads == d->cap_roads) {
        d->cap_roads = d->cap_roads ? 2 * d->cap_roads : 1024;
        d->roads = tl_xrealloc(d->roads, d->cap_roads * sizeof(*d->roads));
    }
    imp__road *r = &d->roads[d->n_roads++];
    r->xy = tl_arena_alloc(&d->arena, 2 * n * sizeof(double));
    memcpy(r->xy, xy, 2 * n * sizeof(double));
    r->n = (uint32_t)n;
    r->cls = (uint8_t)cls;
    r->major = (uint8_t)major;
    r->lanes = (uint8_t)lanes;
    r->hw = hw;
    r->name = name[0] ? tl_arena_strdup(&d->arena, name) : "";
    r->ref = ref;
    r->bb = (tl_bbox){INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        r->bb.minx = fmin(r->bb.minx, xy[2 * i]);
        r->bb.maxx = fmax(r->bb.maxx, xy[2 * i]);
        r->bb.miny = fmin(r->bb.miny, xy[2 * i + 1]);
        r->bb.maxy = fmax(r->bb.maxy, xy[2 * i + 1]);
    }
}

GEOSGeometry *imp__road_corridor(imp__demo *d, const imp__road *r, tl_err *err)
{
    GEOSGeometry *line = imp__g_line(d, r->xy, r->n, err);
    if (!line)
        return NULL;
    int cap = r->major ? GEOSBUF_CAP_FLAT : GEOSBUF_CAP_ROUND;
    GEOSGeometry *b =
        imp__gchk(d, GEOSBufferWithStyle_r(d->h, line, r->hw, 2, cap, GEOSBUF_JOIN_ROUND, 5.0),
                  "corridor buffer", err);
    GEOSGeom_destroy_r(d->h, line);
    return b;
}

static void obst_push(imp__obst **l, size_t *n, size_t *cap, GEOSGeometry *g, tl_bbox bb)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *l = tl_xrealloc(*l, *cap * sizeof(**l));
    }
    (*l)[(*n)++] = (imp__obst){g, bb};
}

static void obst_free(imp__demo *d, imp__obst *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(d->h, l[i].g);
    free(l);
}

/* Class, width and name of an organic road piece at level 1..3 (as gen_binhduong.py). */
static void classify(imp__demo *d, int level, double u, imp__road_class *cls, double *hw,
                     int *lanes, char *name, size_t size)
{
    size_t si = ++d->street_i, ns = imp__n_street_names;
    name[0] = '\0';
    if (level == 1) {
        *cls = IMP_RC_SECONDARY;
        *hw = 9.0;
        *lanes = u > 0.3 ? 4 : 2;
        if (u > 0.15)
            snprintf(name, size, "Đường %s", imp__street_names[si % ns]);
        else
            snprintf(name, size, "Đường ĐH %zu", 600 + si % 300);
    } else if (level == 2) {
        *cls = IMP_RC_TERTIARY;
        *hw = 6.0;
        *lanes = 2;
        if (u > 0.4)
            snprintf(name, size, "Đường %s", imp__street_names[(si * 7) % ns]);
        else
            snprintf(name, size, "Đường ĐX %03zu", si % 1000);
    } else if (u > 0.12) {
        *cls = IMP_RC_RESIDENTIAL;
        *hw = 4.0;
        *lanes = 1;
        if (imp__rng_unif(&d->rng) < 0.7)
            snprintf(name, size, "Đường số %zu", 1 + si % 99);
    } else {
        *cls = IMP_RC_UNCLASSIFIED;
        *hw = 2.5;
        *lanes = 1;
    }
}

/* Subtract the special zones (and water for level >= 2) from one edge (consumed). */
static int trim_edge(imp__demo *d, fabric *f, GEOSGeometry **g, int level, tl_err *err)
{
    tl_bbox bb = imp__g_bbox(d, *g);
    for (size_t s = 0; s < d->n_sp && *g; s++) {
        if (!tl_bbox_intersects(&bb, &d->sp[s].bb))
            continue;
        int hit = imp__pred(d, GEOSPreparedIntersects_r(d->h, d->sp[s].pg, *g), "intersects", err);
        if (hit < 0)
            return -1;
        if (!hit)
            continue;
        GEOSGeometry *x = imp__gchk(d, GEOSDifference_r(d->h, *g, d->sp[s].g), "road trim", err);
        GEOSGeom_destroy_r(d->h, *g);
        *g = x;
        if (!x)
            return -1;
    }
    if (level >= 2 && *g) {
        int hit = imp__pred(d, GEOSPreparedIntersects_r(d->h, f->water_p, *g), "intersects", err);
        if (hit < 0)
            return -1;
        if (hit) {
            GEOSGeometry *x = imp__gchk(d, GEOSDifference_r(d->h, *g, d->water), "road trim", err);
            GEOSGeom_destroy_r(d->h, *g);
            *g = x;
            if (!x)
                return -1;
        }
    }
    return 0;
}

/* Add the line parts of `g` (borrowed) as roads; corridors go to the obstacle list. */
static int add_pieces(imp__demo *d, const GEOSGeometry *g, int level, imp__obst **l, size_t *n,
                      size_t *cap, tl_err *err)
{
    int t = GEOSGeomTypeId_r(d->h, g);
    if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        int m = GEOSGetNumGeometries_r(d->h, g);
        for (int i = 0; i < m; i++)
            if (add_pieces(d, GEOSGetGeometryN_r(d->h, g, i), level, l, n, cap, err) < 0)
                return -1;
        return 0;
    }
    if (t != GEOS_LINESTRING || imp__g_length(d, g) < 5.0)
        return 0;
    const double *xy;
    size_t np;
    double mx, my, hw;
    imp__road_class cls;
    int lanes;
    char name[96];
    if (imp__g_coords(d, g, &xy, &np, err) < 0)
        return -1;
    imp__line_at(xy, np, 0.5, &mx, &my);
    classify(d, level, imp__grid_at(&d->grid, d->grid.u, mx, my), &cls, &hw, &lanes, name,
             sizeof name);
    imp__road_add(d, xy, np, cls, 0, lanes, hw, name, "");
    if (!l)
        return 0;
    const imp__road *r = &d->roads[d->n_roads - 1];
    GEOSGeometry *c = imp__road_corridor(d, r, err);
    if (!c)
        return -1;
    obst_push(l, n, cap, c, imp__g_bbox(d, c));
    return 0;
}

/* Voronoi edges of the seeds in `clip` become roads of `level`. */
static int edge_roads(imp__demo *d, fabric *f, const double *xy, size_t n, const GEOSGeometry *clip,
                      int level, imp__obst **l, size_t *nl, size_t *cap, tl_err *err)
{
    GEOSGeometry *e = NULL;
    if (imp__voronoi_edges(d, xy, n, clip, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    int m = GEOSGetNumGeometries_r(d->h, e), rc = 0;
    for (int i = 0; i < m && rc == 0; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(d->h, e, i);
        if (GEOSGeomTypeId_r(d->h, part) != GEOS_LINESTRING || imp__g_length(d, part) <= 1.0)
            continue;
        GEOSGeometry *g = GEOSGeom_clone_r(d->h, part);
        rc = g ? trim_edge(d, f, &g, level, err) : imp__geos_fail(d, "clone", err);
        if (rc == 0 && g)
            rc = add_pieces(d, g, level, l, nl, cap, err);
        GEOSGeom_destroy_r(d->h, g);
    }
    GEOSGeom_destroy_r(d->h, e);
    return rc;
}

/* Seeds ------------------------------------------------------------------------------------ */

static int draw_seeds(imp__demo *d, double expo, size_t n, double **out, tl_err *err)
{
    size_t nc = d->grid.w * d->grid.h;
    double *wt = tl_xmalloc(nc * sizeof(double));
    for (size_t i = 0; i < nc; i++)
        wt[i] = d->grid.dens[i] > 0.0f ? pow(d->grid.dens[i], expo) : 0.0;
    *out = tl_xmalloc((2 * n + 2) * sizeof(double));
    int rc = imp__grid_draw(d, wt, n, &d->rng, -1, *out, err);
    free(wt);
    return rc;
}

/* Index in [lo, hi) of the seed nearest to (x, y) (lowest index on ties). */
static size_t nearest(const double *s, size_t lo, size_t hi, double x, double y)
{
    size_t best = lo;
    double bd = INFINITY;
    for (size_t i = lo; i < hi; i++) {
        double dx = s[2 * i] - x, dy = s[2 * i + 1] - y, dd = dx * dx + dy * dy;
        if (dd < bd) {
            bd = dd;
            best = i;
        }
    }
    return best;
}

/* Parents without a child get their own seed as one; then children are grouped by parent
 * (stable counting sort) and *off receives the n_parent + 1 group offsets. */
static void group_by(double **xy, size_t *n, size_t **parent, const double *pxy, size_t n_parent,
                     size_t **off)
{
    size_t *cnt = tl_xcalloc(n_parent + 1, sizeof(size_t)), extra = 0;
    for (size_t i = 0; i < *n; i++)
        cnt[(*parent)[i]]++;
    for (size_t a = 0; a < n_parent; a++)
        extra += cnt[a] == 0;
    *xy = tl_xrealloc(*xy, (2 * (*n + extra) + 2) * sizeof(double));
    *parent = tl_xrealloc(*parent, (*n + extra + 1) * sizeof(size_t));
    for (size_t a = 0; a < n_parent; a++) {
        if (cnt[a])
            continue;
        (*xy)[2 * *n] = pxy[2 * a];
        (*xy)[2 * *n + 1] = pxy[2 * a + 1];
        (*parent)[(*n)++] = a;
        cnt[a] = 1;
    }
    size_t *o = tl_xmalloc((n_parent + 1) * sizeof(size_t));
    o[0] = 0;
    for (size_t a = 0; a < n_parent; a++)
        o[a + 1] = o[a] + cnt[a];
    double *sorted = tl_xmalloc((2 * *n + 2) * sizeof(double));
    size_t *pos = tl_xmalloc((n_parent + 1) * sizeof(size_t));
    memcpy(pos, o, (n_parent + 1) * sizeof(size_t));
    for (size_t i = 0; i < *n; i++) {
        size_t k = pos[(*parent)[i]]++;
        sorted[2 * k] = (*xy)[2 * i];
        sorted[2 * k + 1] = (*xy)[2 * i + 1];
    }
    free(*xy);
    *xy = sorted;
    free(pos);
    free(cnt);
    *off = o;
}

/* Same as group_by without adding seeds for childless parents (parcel seeds). */
static void group_only(double **xy, size_t n, const size_t *parent, size_t n_parent, size_t **off)
{
    size_t *o = tl_xcalloc(n_parent + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        o[parent[i] + 1]++;
    for (size_t a = 0; a < n_parent; a++)
        o[a + 1] += o[a];
    size_t *pos = tl_xmalloc((n_parent + 1) * sizeof(size_t));
    memcpy(pos, o, (n_parent + 1) * sizeof(size_t));
    double *sorted = tl_xmalloc((2 * n + 2) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        size_t k = pos[parent[i]]++;
        sorted[2 * k] = (*xy)[2 * i];
        sorted[2 * k + 1] = (*xy)[2 * i + 1];
    }
    free(*xy);
    *xy = sorted;
    free(pos);
    *off = o;
}

/* Drop parcel seeds inside special zones (counting them per zone); keep the rest. */
static void special_seeds(imp__demo *d, fabric *f)
{
    size_t keep = 0;
    for (size_t i = 0; i < f->np; i++) {
        double x = f->p[2 * i], y = f->p[2 * i + 1];
        int in = 0;
        for (size_t s = 0; s < d->n_sp && !in; s++) {
            const tl_bbox *b = &d->sp[s].bb;
            if (x < b->minx || x > b->maxx || y < b->miny || y > b->maxy)
                continue;
            if (imp__pip_contains(&d->sp[s].pip, x, y)) {
                d->sp[s].n_seeds++;
                in = 1;
            }
        }
        if (!in) {
            f->p[2 * keep] = x;
            f->p[2 * keep + 1] = y;
            keep++;
        }
    }
    f->np = keep;
}

static int top_cells(imp__demo *d, fabric *f, tl_err *err)
{
    f->c1 = tl_xcalloc(f->n1 + 1, sizeof(*f->c1));
    if (imp__voronoi_cells(d, f->s1, f->n1, d->province, d->province_p, f->c1, err) < 0)
        return -1;
    size_t keep = 0;
    for (size_t i = 0; i < f->n1; i++) {
        if (!f->c1[i])
            continue;
        f->c1[keep] = f->c1[i];
        f->s1[2 * keep] = f->s1[2 * i];
        f->s1[2 * keep + 1] = f->s1[2 * i + 1];
        keep++;
    }
    f->n1 = keep;
    return edge_roads(d, f, f->s1, f->n1, d->province, 1, NULL, NULL, NULL, err);
}

/* Target seed counts per level for n parcels (gen_binhduong.py build_fabric), with fewer
 * blocks for very small n so that the parcel count can still follow n. */
static void seed_counts(size_t n, size_t c[4])
{
    double s = (double)n / 100000.0;
    double n1 = fmax(40.0, round(150.0 * pow(s, 0.25)));
    double n2 = fmax(3.0 * n1, round(1500.0 * pow(s, 0.45)));
    double n3 = fmax(round(1.2 * n2), round((double)n / 11.0));
    double cap = fmax(12.0, round((double)n / 6.0));
    if (n3 > cap) {
        n3 = cap;
        n2 = fmin(n2, round(n3 / 1.2));
        n1 = fmin(n1, fmax(8.0, round(n2 / 3.0)));
    }
    c[0] = (size_t)n1;
    c[1] = (size_t)n2;
    c[2] = (size_t)n3;
    c[3] = n; /* parcel seeds; fabric_run keeps as many as the target leaves room for */
}

/* Organic parcel seeds to keep once the special zones have produced n_special parcels:
 * what remains of the target after the expected water pieces and the extra parcels that
 * cuts (roads, rivers, districts) and seedless blocks add (fitted on generated data). */
static size_t organic_budget(const imp__demo *d, const fabric *f, size_t n_special)
{
    double want = (double)d->n_target - (double)n_special - 4.5 * sqrt((double)f->n2) -
                  EXTRA_A * pow((double)f->n3, EXTRA_B);
    if (want < 0.0)
        return 0;
    return want < (double)f->np ? (size_t)want : f->np;
}

static int build_hierarchy(imp__demo *d, fabric *f, tl_err *err)
{
    size_t c[4];
    seed_counts(d->n_target, c);
    f->n1 = c[0];
    f->n2 = c[1];
    f->n3 = c[2];
    f->np = c[3];
    if (draw_seeds(d, 0.35, f->n1, &f->s1, err) < 0 ||
        draw_seeds(d, 0.75, f->n2, &f->s2, err) < 0 || draw_seeds(d, 1.0, f->n3, &f->s3, err) < 0 ||
        draw_seeds(d, 1.0, f->np, &f->p, err) < 0)
        return -1;
    imp__progress(d, "fabric", 0.3);
    if (top_cells(d, f, err) < 0)
        return -1;
    imp__progress(d, "fabric", 0.6);
    size_t *g1 = tl_xmalloc((f->n2 + 1) * sizeof(size_t));
    for (size_t i = 0; i < f->n2; i++)
        g1[i] = nearest(f->s1, 0, f->n1, f->s2[2 * i], f->s2[2 * i + 1]);
    group_by(&f->s2, &f->n2, &g1, f->s1, f->n1, &f->s2off);
    free(g1);
    size_t *g2 = tl_xmalloc((f->n3 + 1) * sizeof(size_t));
    for (size_t i = 0; i < f->n3; i++) {
        double x = f->s3[2 * i], y = f->s3[2 * i + 1];
        size_t a = nearest(f->s1, 0, f->n1, x, y);
        g2[i] = nearest(f->s2, f->s2off[a], f->s2off[a + 1], x, y);
    }
    group_by(&f->s3, &f->n3, &g2, f->s2, f->n2, &f->s3off);
    free(g2);
    special_seeds(d, f);
    return 0;
}

/* Parcel seeds to their blocks (nearest L1, then L2, then L3 seed of the same group). */
static void group_parcels(fabric *f)
{
    size_t *g3 = tl_xmalloc((f->np + 1) * sizeof(size_t));
    for (size_t i = 0; i < f->np; i++) {
        double x = f->p[2 * i], y = f->p[2 * i + 1];
        size_t a = nearest(f->s1, 0, f->n1, x, y);
        size_t b = nearest(f->s2, f->s2off[a], f->s2off[a + 1], x, y);
        g3[i] = nearest(f->s3, f->s3off[b], f->s3off[b + 1], x, y);
    }
    group_only(&f->p, f->np, g3, f->n3, &f->poff);
    free(g3);
}

/* The walk ------------------------------------------------------------------------------------ */

/* Riverside green corridor along one water piece. */
static int riverside(imp__demo *d, const GEOSGeometry *piece, int river, tl_err *err)
{
    GEOSGeometry *b = imp__gchk(
        d, GEOSBufferWithStyle_r(d->h, piece, 45.0, 4, GEOSBUF_CAP_ROUND, GEOSBUF_JOIN_ROUND, 5.0),
        "riverside buffer", err);
    if (!b)
        return -1;
    GEOSGeometry *x = imp__gchk(d, GEOSDifference_r(d->h, b, d->water), "riverside", err), *band;
    GEOSGeom_destroy_r(d->h, b);
    if (!x)
        return -1;
    int rc = imp__g_clip(d, x, d->province, d->province_p, 0.0, &b, err);
    GEOSGeom_destroy_r(d->h, x);
    if (rc < 0 || imp__g_polygonal(d, b, 200.0, &band, err) < 0)
        return -1;
    if (!band)
        return 0;
    const char *rn = river < IMP_N_BORDER_RIVERS
                         ? imp__border_rivers[river].name
                         : imp__inner_rivers[river - IMP_N_BORDER_RIVERS].name;
    char name[128];
    snprintf(name, sizeof name, "Hành lang xanh %s", rn);
    int k = imp__district_of(d, band, err);
    rc = k < -1 ? -1 : imp__green_keep(d, band, name, "riverside", k, err);
    GEOSGeom_destroy_r(d->h, band);
    return rc;
}

/* Water pieces of one L2 cell: W parcels, riverside corridors and block obstacles. */
static int water_pieces(imp__demo *d, const GEOSGeometry *cell, imp__obst **l, size_t *n,
                        size_t *cap, tl_err *err)
{
    tl_bbox cb = imp__g_bbox(d, cell);
    for (int k = 0; k < IMP_N_RIVERS; k++) {
        if (!d->river[k] || !tl_bbox_intersects(&cb, &d->river_bb[k]))
            continue;
        GEOSGeometry *x = NULL;
        if (imp__g_clip(d, cell, d->river[k], NULL, 50.0, &x, err) < 0)
            return -1;
        const GEOSGeometry **parts = NULL;
        size_t np = 0, pc = 0;
        int rc = x ? imp__g_poly_parts(d, x, &parts, &np, &pc, err) : 0;
        for (size_t i = 0; i < np && rc == 0; i++) {
            double a = 0.0;
            GEOSArea_r(d->h, parts[i], &a);
            if (a <= 50.0)
                continue;
            GEOSGeometry *o = GEOSGeom_clone_r(d->h, parts[i]);
            GEOSGeometry *w = GEOSGeom_clone_r(d->h, parts[i]);
            if (!o || !w) {
                GEOSGeom_destroy_r(d->h, o);
                GEOSGeom_destroy_r(d->h, w);
                rc = imp__geos_fail(d, "clone", err);
                break;
            }
            obst_push(l, n, cap, o, imp__g_bbox(d, o));
            imp__pctx pc_w = {IMP_PK_WATER, k, -1, -1};
            rc = riverside(d, parts[i], k, err);
            if (rc == 0)
                rc = imp__parcel_emit(d, w, &pc_w, err);
            else
                GEOSGeom_destroy_r(d->h, w);
        }
        free(parts);
        GEOSGeom_destroy_r(d->h, x);
        if (rc < 0)
            return -1;
    }
    return 0;
}

typedef struct lists {
    imp__obst *l[3];
    size_t n[3], cap[3];
} lists;

/* One L2 cell: its water, its blocks (L3 cells) and their edges, then the parcels. */
static int walk_l2(imp__demo *d, fabric *f, size_t b, const GEOSGeometry *cell, lists *ls,
                   tl_err *err)
{
    size_t k0 = f->s3off[b], k1 = f->s3off[b + 1], m = k1 - k0;
    int rc = water_pieces(d, cell, &ls->l[2], &ls->n[2], &ls->cap[2], err);
    GEOSGeometry **c3 = tl_xcalloc(m + 1, sizeof(*c3));
    const GEOSPreparedGeometry *cp = NULL;
    if (rc == 0) {
        cp = GEOSPrepare_r(d->h, cell);
        rc = cp ? imp__voronoi_cells(d, f->s3 + 2 * k0, m, cell, cp, c3, err)
                : imp__geos_fail(d, "prepare", err);
    }
    if (rc == 0)
        rc = edge_roads(d, f, f->s3 + 2 * k0, m, cell, 3, &ls->l[2], &ls->n[2], &ls->cap[2], err);
    for (size_t c = k0; c < k1 && rc == 0; c++) {
        if (!c3[c - k0])
            continue;
        size_t p0 = f->poff[c], p1 = f->poff[c + 1];
        rc = imp__parcels_block(d, c3[c - k0], f->p + 2 * p0, p1 - p0, (imp__obst *const *)ls->l,
                                ls->n, 3, err);
    }
    for (size_t i = 0; i < m; i++)
        GEOSGeom_destroy_r(d->h, c3[i]);
    free(c3);
    if (cp)
        GEOSPreparedGeom_destroy_r(d->h, cp);
    obst_free(d, ls->l[2], ls->n[2]);
    ls->l[2] = NULL;
    ls->n[2] = ls->cap[2] = 0;
    return rc;
}

/* Corridors of the global roads (main roads, L1 edges) near `bb`. */
static int global_corridors(imp__demo *d, size_t n_global, tl_bbox bb, lists *ls, tl_err *err)
{
    bb.minx -= 40.0;
    bb.miny -= 40.0;
    bb.maxx += 40.0;
    bb.maxy += 40.0;
    for (size_t i = 0; i < n_global; i++) {
        if (!tl_bbox_intersects(&bb, &d->roads[i].bb))
            continue;
        GEOSGeometry *c = imp__road_corridor(d, &d->roads[i], err);
        if (!c)
            return -1;
        obst_push(&ls->l[0], &ls->n[0], &ls->cap[0], c, imp__g_bbox(d, c));
    }
    return 0;
}

/* One top-level cell: its L2 cells and edges, then each L2 cell. */
static int walk_l1(imp__demo *d, fabric *f, size_t a, size_t n_global, tl_err *err)
{
    const GEOSGeometry *cell = f->c1[a];
    size_t k0 = f->s2off[a], k1 = f->s2off[a + 1], m = k1 - k0;
    lists ls;
    memset(&ls, 0, sizeof ls);
    GEOSGeometry **c2 = tl_xcalloc(m + 1, sizeof(*c2));
    const GEOSPreparedGeometry *cp = GEOSPrepare_r(d->h, cell);
    int rc = cp ? global_corridors(d, n_global, imp__g_bbox(d, cell), &ls, err)
                : imp__geos_fail(d, "prepare", err);
    if (rc == 0)
        rc = imp__voronoi_cells(d, f->s2 + 2 * k0, m, cell, cp, c2, err);
    if (rc == 0)
        rc = edge_roads(d, f, f->s2 + 2 * k0, m, cell, 2, &ls.l[1], &ls.n[1], &ls.cap[1], err);
    for (size_t b = k0; b < k1 && rc == 0; b++)
        if (c2[b - k0])
            rc = walk_l2(d, f, b, c2[b - k0], &ls, err);
    for (size_t i = 0; i < m; i++)
        GEOSGeom_destroy_r(d->h, c2[i]);
    free(c2);
    if (cp)
        GEOSPreparedGeom_destroy_r(d->h, cp);
    for (int i = 0; i < 3; i++)
        obst_free(d, ls.l[i], ls.n[i]);
    return rc;
}

static void fabric_free(imp__demo *d, fabric *f)
{
    if (f->c1)
        for (size_t i = 0; i < f->n1; i++)
            GEOSGeom_destroy_r(d->h, f->c1[i]);
    free(f->c1);
    free(f->s1);
    free(f->s2);
    free(f->s3);
    free(f->p);
    free(f->s2off);
    free(f->s3off);
    free(f->poff);
    if (f->water_p)
        GEOSPreparedGeom_destroy_r(d->h, f->water_p);
}

int imp__fabric_run(imp__demo *d, tl_err *err)
{
    fabric f;
    memset(&f, 0, sizeof f);
    f.water_p = GEOSPrepare_r(d->h, d->water);
    int rc = f.water_p ? build_hierarchy(d, &f, err) : imp__geos_fail(d, "prepare water", err);
    size_t n_global = d->n_roads; /* main roads and L1 edges */
    if (rc == 0)
        rc = imp__parcels_special(d, err);
    size_t n_special = d->rep->n_zoning;
    if (rc == 0) {
        size_t keep = organic_budget(d, &f, n_special);
        f.np = keep; /* the seeds are independent draws: a prefix is a fair sample */
        group_parcels(&f);
    }
    for (size_t a = 0; a < f.n1 && rc == 0; a++) {
        imp__progress(d, "zoning", 0.1 + 0.9 * (double)a / (double)f.n1);
        rc = walk_l1(d, &f, a, n_global, err);
    }
    fabric_free(d, &f);
    if (rc == 0)
        imp__progress(d, "zoning", 1.0);
    return rc;
}
