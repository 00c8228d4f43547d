/* demo_geog.c: the demo's fixed geography in the working plane: province outline,
 * rivers, the nine districts, main roads, industrial parks, the new city and named green
 * spaces, then the raster fields and ward anchors. It depends on the geography seed only,
 * never on the user's seed, as in gen_binhduong.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#define GEO_SEED 2013
#define N_DISTRICT_SEEDS 5000

static double *ll_to_xy(const imp__ll *ll, size_t n, int close)
{
    double *xy = tl_xmalloc(2 * (n + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        imp__ll2xy(ll[i].lon, ll[i].lat, &xy[2 * i], &xy[2 * i + 1]);
    if (close) {
        xy[2 * n] = xy[0];
        xy[2 * n + 1] = xy[1];
    }
    return xy;
}

static GEOSGeometry *buffer(imp__demo *d, const GEOSGeometry *g, double w, int cap, tl_err *err)
{
    return imp__gchk(d, GEOSBufferWithStyle_r(d->h, g, w, 8, cap, GEOSBUF_JOIN_ROUND, 5.0),
                     "buffer", err);
}

/* Province and rivers ------------------------------------------------------------------- */

static int river_poly(imp__demo *d, int k, const double *xy, size_t n, double hw, int cap,
                      tl_err *err)
{
    GEOSGeometry *line = imp__g_line(d, xy, n, err), *b = NULL;
    if (line)
        b = buffer(d, line, hw, cap, err);
    GEOSGeom_destroy_r(d->h, line);
    if (!b)
        return -1;
    int rc = imp__g_clip(d, b, d->province, d->province_p, 1.0, &d->river[k], err);
    GEOSGeom_destroy_r(d->h, b);
    if (rc == 0 && d->river[k])
        d->river_bb[k] = imp__g_bbox(d, d->river[k]);
    return rc;
}

static int build_province(imp__demo *d, tl_err *err)
{
    size_t n = imp__n_province_ll, lv = 8; /* 3 levels of midpoint displacement */
    double *ring = ll_to_xy(imp__province_ll, n, 1);
    d->outline = imp__roughen(&d->geo, ring, n + 1, 3, 0.05, &d->n_outline);
    free(ring);
    GEOSGeometry *p = imp__g_polygon(d, d->outline, d->n_outline, err), *f = NULL;
    if (!p || imp__g_fix(d, p, &f, err) < 0 || imp__g_largest(d, f, &d->province, err) < 0)
        return -1;
    d->province_p = GEOSPrepare_r(d->h, d->province);
    if (!d->province_p)
        return imp__geos_fail(d, "prepare province", err);
    if (imp__pip_build(d, &d->province_pip, d->province, 200.0, err) < 0)
        return -1;
    for (int k = 0; k < IMP_N_BORDER_RIVERS; k++) {
        const imp__border_river_def *br = &imp__border_rivers[k];
        size_t a = (size_t)br->first * lv, b = (size_t)br->last * lv;
        if (b > d->n_outline - 1)
            b = d->n_outline - 1;
        if (river_poly(d, k, &d->outline[2 * a], b - a + 1, br->hw, GEOSBUF_CAP_FLAT, err) < 0)
            return -1;
    }
    for (int k = 0; k < IMP_N_INNER_RIVERS; k++) {
        const imp__inner_river_def *ir = &imp__inner_rivers[k];
        double *xy = ll_to_xy(ir->pts, ir->n, 0);
        size_t n1, n2;
        double *r1 = imp__roughen(&d->geo, xy, ir->n, 4, 0.07, &n1);
        double *r2 = imp__chaikin(r1, n1, 2, &n2);
        int rc = river_poly(d, IMP_N_BORDER_RIVERS + k, r2, n2, ir->hw, GEOSBUF_CAP_ROUND, err);
        free(xy);
        free(r1);
        free(r2);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int build_water_land(imp__demo *d, tl_err *err)
{
    GEOSGeometry *cl[IMP_N_RIVERS];
    size_t m = 0;
    for (int k = 0; k < IMP_N_RIVERS; k++)
        if (d->river[k])
            cl[m++] = GEOSGeom_clone_r(d->h, d->river[k]);
    GEOSGeometry *gc = imp__g_collect(d, GEOS_GEOMETRYCOLLECTION, cl, m, err);
    if (!gc)
        return -1;
    GEOSGeometry *u = imp__gchk(d, GEOSUnaryUnion_r(d->h, gc), "water union", err);
    GEOSGeom_destroy_r(d->h, gc);
    if (imp__g_polygonal(d, u, 0.0, &d->water, err) < 0)
        return -1;
    if (!d->water) {
        TL_FAIL(err, TL_EGEOM, "the demo rivers are empty");
        return -1;
    }
    GEOSGeometry *l = imp__gchk(d, GEOSDifference_r(d->h, d->province, d->water), "land", err);
    if (!l || imp__g_polygonal(d, l, 1.0, &d->land, err) < 0)
        return -1;
    d->land_p = GEOSPrepare_r(d->h, d->land);
    if (!d->land_p)
        return imp__geos_fail(d, "prepare land", err);
    return imp__pip_build(d, &d->land_pip, d->land, 100.0, err);
}

/* Districts ----------------------------------------------------------------------------- */

/* Label each seed with the district whose weighted distance is least, the weights tuned
 * (as in gen_binhduong.py) until the label shares match the real areas. */
static void label_seeds(const double *pts, size_t n, int *lab)
{
    double ax[IMP_N_DISTRICTS], ay[IMP_N_DISTRICTS], target[IMP_N_DISTRICTS], w[IMP_N_DISTRICTS];
    double tot = 0.0;
    double *dist = tl_xmalloc(n * IMP_N_DISTRICTS * sizeof(double));
    for (int k = 0; k < IMP_N_DISTRICTS; k++) {
        imp__ll2xy(imp__districts[k].anchor.lon, imp__districts[k].anchor.lat, &ax[k], &ay[k]);
        target[k] = imp__districts[k].area_km2;
        tot += target[k];
        w[k] = 0.0;
    }
    for (int k = 0; k < IMP_N_DISTRICTS; k++)
        target[k] /= tot;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < IMP_N_DISTRICTS; k++)
            dist[i * IMP_N_DISTRICTS + (size_t)k] =
                hypot(pts[2 * i] - ax[k], pts[2 * i + 1] - ay[k]);
    for (int it = 0; it <= 400; it++) {
        size_t cnt[IMP_N_DISTRICTS] = {0};
        for (size_t i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < IMP_N_DISTRICTS; k++)
                if (dist[i * IMP_N_DISTRICTS + (size_t)k] - w[k] <
                    dist[i * IMP_N_DISTRICTS + (size_t)best] - w[best])
                    best = k;
            lab[i] = best;
            cnt[best]++;
        }
        if (it == 400)
            break;
        for (int k = 0; k < IMP_N_DISTRICTS; k++)
            w[k] += 6000.0 * (target[k] - (double)cnt[k] / (double)n);
    }
    free(dist);
}

static GEOSGeometry *union_of(imp__demo *d, GEOSGeometry **gs, size_t n, tl_err *err)
{
    GEOSGeometry *gc = imp__g_collect(d, GEOS_GEOMETRYCOLLECTION, gs, n, err);
    if (!gc)
        return NULL;
    GEOSGeometry *u = imp__gchk(d, GEOSUnaryUnion_r(d->h, gc), "union", err);
    GEOSGeom_destroy_r(d->h, gc);
    return u;
}

/* Length of the border shared by a and b into *len. */
static int shared_border(imp__demo *d, const GEOSGeometry *a, const GEOSGeometry *b, double *len,
                         tl_err *err)
{
    GEOSGeometry *ba = GEOSBoundary_r(d->h, a), *bb = GEOSBoundary_r(d->h, b), *x = NULL;
    if (ba && bb)
        x = GEOSIntersection_r(d->h, ba, bb);
    *len = x ? imp__g_length(d, x) : 0.0;
    GEOSGeom_destroy_r(d->h, ba);
    GEOSGeom_destroy_r(d->h, bb);
    GEOSGeom_destroy_r(d->h, x);
    return x ? 0 : imp__geos_fail(d, "district border", err);
}

/* The district (other than k) sharing the longest border with exclave `ex`, or -1. */
static int best_neighbour(imp__demo *d, GEOSGeometry *const *polys, int k, const GEOSGeometry *ex,
                          tl_err *err)
{
    int best = -1;
    double best_len = -1.0, len;
    for (int j = 0; j < IMP_N_DISTRICTS; j++) {
        if (j == k)
            continue;
        if (shared_border(d, ex, polys[j], &len, err) < 0)
            return -1;
        if (len > best_len) {
            best_len = len;
            best = j;
        }
    }
    return best;
}

/* Give every exclave of district k to the neighbour sharing the longest border. */
static int fix_exclaves(imp__demo *d, GEOSGeometry **polys, int k, tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0, big = 0;
    int rc = imp__g_poly_parts(d, polys[k], &parts, &n, &cap, err);
    if (rc < 0 || n <= 1) {
        free(parts);
        return rc;
    }
    double best_a = -1.0;
    for (size_t i = 0; i < n; i++) {
        double a = 0.0;
        GEOSArea_r(d->h, parts[i], &a);
        if (a > best_a) {
            best_a = a;
            big = i;
        }
    }
    GEOSGeometry **ex = tl_xmalloc(n * sizeof(*ex));
    for (size_t i = 0; i < n; i++)
        ex[i] = GEOSGeom_clone_r(d->h, parts[i]);
    free(parts);
    GEOSGeom_destroy_r(d->h, polys[k]);
    polys[k] = ex[big];
    ex[big] = NULL;
    for (size_t i = 0; i < n; i++) {
        if (i == big)
            continue;
        int j = rc == 0 && ex[i] ? best_neighbour(d, polys, k, ex[i], err) : -1;
        if (j < 0) {
            GEOSGeom_destroy_r(d->h, ex[i]);
            rc = rc < 0 || ex[i] ? -1 : imp__geos_fail(d, "clone", err);
            continue;
        }
        GEOSGeometry *pair[2] = {polys[j], ex[i]};
        polys[j] = union_of(d, pair, 2, err); /* consumes both */
        if (!polys[j])
            rc = -1;
    }
    free(ex);
    return rc;
}

static int build_districts(imp__demo *d, tl_err *err)
{
    double *pts = tl_xmalloc(2 * N_DISTRICT_SEEDS * sizeof(double));
    int *lab = tl_xmalloc(N_DISTRICT_SEEDS * sizeof(int));
    GEOSGeometry **cells = tl_xcalloc(N_DISTRICT_SEEDS, sizeof(*cells));
    GEOSGeometry **pick = tl_xmalloc(N_DISTRICT_SEEDS * sizeof(*pick));
    GEOSGeometry *polys[IMP_N_DISTRICTS] = {0};
    tl_bbox bb = d->province_pip.bb;
    size_t n = 0;
    while (n < N_DISTRICT_SEEDS) {
        double x = imp__rng_range(&d->geo, bb.minx, bb.maxx);
        double y = imp__rng_range(&d->geo, bb.miny, bb.maxy);
        if (imp__pip_contains(&d->province_pip, x, y)) {
            pts[2 * n] = x;
            pts[2 * n + 1] = y;
            n++;
        }
    }
    label_seeds(pts, n, lab);
    int rc = imp__voronoi_cells(d, pts, n, d->province, d->province_p, cells, err);
    for (int k = 0; k < IMP_N_DISTRICTS && rc == 0; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (lab[i] == k && cells[i])
                pick[m++] = GEOSGeom_clone_r(d->h, cells[i]);
        polys[k] = union_of(d, pick, m, err);
        rc = polys[k] ? 0 : -1;
    }
    for (int round = 0; round < 3 && rc == 0; round++)
        for (int k = 0; k < IMP_N_DISTRICTS && rc == 0; k++)
            rc = fix_exclaves(d, polys, k, err);
    for (int k = 0; k < IMP_N_DISTRICTS; k++) {
        GEOSGeometry *f = NULL;
        if (rc == 0)
            rc = imp__g_fix(d, polys[k], &f, err);
        else
            GEOSGeom_destroy_r(d->h, polys[k]);
        if (rc == 0)
            rc = imp__g_largest(d, f, &d->district[k], err);
        if (rc == 0 && !d->district[k]) {
            TL_FAIL(err, TL_EGEOM, "demo district %s is empty", imp__districts[k].name_ascii);
            rc = -1;
        }
        if (rc == 0) {
            d->district_bb[k] = imp__g_bbox(d, d->district[k]);
            d->district_p[k] = GEOSPrepare_r(d->h, d->district[k]);
            if (!d->district_p[k])
                rc = imp__geos_fail(d, "prepare district", err);
        }
    }
    for (size_t i = 0; i < N_DISTRICT_SEEDS; i++)
        GEOSGeom_destroy_r(d->h, cells[i]);
    free(cells);
    free(pick);
    free(pts);
    free(lab);
    return rc;
}

/* Main roads ------------------------------------------------------------------------------ */

typedef struct split_ud {
    imp__demo *d;
    const imp__main_road_def *def;
} split_ud;

static int add_piece(void *ud, const double *xy, size_t n, tl_err *err)
{
    static const double hw[3] = {18.0, 16.0, 11.0}; /* motorway, trunk, primary */
    split_ud *s = ud;
    (void)err;
    imp__road_add(s->d, xy, n, s->def->cls, 1, s->def->lanes, hw[s->def->cls], s->def->name,
                  s->def->ref);
    return 0;
}

static int add_main_line(imp__demo *d, const GEOSGeometry *line, int def, tl_err *err)
{
    const double *xy;
    size_t n;
    d->main_line = tl_xrealloc(d->main_line, (d->n_main_lines + 1) * sizeof(*d->main_line));
    d->main_line_def = tl_xrealloc(d->main_line_def, (d->n_main_lines + 1) * sizeof(int));
    d->main_line[d->n_main_lines] = imp__gchk(d, GEOSGeom_clone_r(d->h, line), "clone", err);
    if (!d->main_line[d->n_main_lines])
        return -1;
    d->main_line_def[d->n_main_lines++] = def;
    if (imp__g_coords(d, line, &xy, &n, err) < 0 || n < 2)
        return n < 2 ? 0 : -1;
    double *copy = tl_xmalloc(2 * n * sizeof(double));
    memcpy(copy, xy, 2 * n * sizeof(double));
    split_ud s = {d, &imp__main_roads[def]};
    int rc = imp__split_line(copy, n, 1500.0, add_piece, &s, err);
    free(copy);
    return rc;
}

static int build_main_roads(imp__demo *d, tl_err *err)
{
    for (size_t k = 0; k < imp__n_main_roads; k++) {
        const imp__main_road_def *r = &imp__main_roads[k];
        double *xy = ll_to_xy(r->pts, r->n, 0);
        size_t n1, n2;
        double *r1 = imp__roughen(&d->geo, xy, r->n, 2, 0.015, &n1);
        double *r2 = imp__chaikin(r1, n1, 3, &n2);
        GEOSGeometry *line = imp__g_line(d, r2, n2, err), *in = NULL;
        free(xy);
        free(r1);
        free(r2);
        if (line)
            in = imp__gchk(d, GEOSIntersection_r(d->h, line, d->province), "road clip", err);
        GEOSGeom_destroy_r(d->h, line);
        if (!in)
            return -1;
        int m = GEOSGetNumGeometries_r(d->h, in), rc = 0;
        for (int i = 0; i < m && rc == 0; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(d->h, in, i);
            if (GEOSGeomTypeId_r(d->h, part) == GEOS_LINESTRING && !GEOSisEmpty_r(d->h, part))
                rc = add_main_line(d, part, (int)k, err);
        }
        GEOSGeom_destroy_r(d->h, in);
        if (rc < 0)
            return -1;
    }
    d->n_major = d->n_roads;
    return 0;
}

/* Special zones ----------------------------------------------------------------------------- */

/* g (consumed) minus the province outside and everything taken so far: largest part. */
static int carve(imp__demo *d, GEOSGeometry *g, GEOSGeometry **taken, size_t n_taken,
                 GEOSGeometry **out, tl_err *err)
{
    GEOSGeometry *c = NULL;
    *out = NULL;
    if (!g)
        return -1;
    int rc = imp__g_clip(d, g, d->province, d->province_p, 0.0, &c, err);
    GEOSGeom_destroy_r(d->h, g);
    for (size_t i = 0; i < n_taken && rc == 0 && c; i++) {
        tl_bbox a = imp__g_bbox(d, c), b = imp__g_bbox(d, taken[i]);
        if (!tl_bbox_intersects(&a, &b))
            continue;
        GEOSGeometry *x = imp__gchk(d, GEOSDifference_r(d->h, c, taken[i]), "difference", err);
        GEOSGeom_destroy_r(d->h, c);
        c = x;
        rc = x ? 0 : -1;
    }
    if (rc < 0) {
        GEOSGeom_destroy_r(d->h, c);
        return -1;
    }
    return imp__g_largest(d, c, out, err);
}

static int add_special(imp__demo *d, imp__sp_kind kind, int idx, GEOSGeometry *g,
                       GEOSGeometry ***taken, size_t *n_taken, double margin, tl_err *err)
{
    imp__special *s = &d->sp[d->n_sp++];
    s->kind = kind;
    s->idx = idx;
    s->g = g;
    s->bb = imp__g_bbox(d, g);
    s->pg = GEOSPrepare_r(d->h, g);
    if (!s->pg)
        return imp__geos_fail(d, "prepare special zone", err);
    if (imp__pip_build(d, &s->pip, g, 50.0, err) < 0)
        return -1;
    GEOSGeometry *b = buffer(d, g, margin, GEOSBUF_CAP_ROUND, err);
    if (!b)
        return -1;
    *taken = tl_xrealloc(*taken, (*n_taken + 1) * sizeof(**taken));
    (*taken)[(*n_taken)++] = b;
    return 0;
}

static int build_specials(imp__demo *d, GEOSGeometry ***taken, size_t *n_taken, tl_err *err)
{
    d->sp = tl_xcalloc(imp__n_parks + 1 + imp__n_named_green, sizeof(*d->sp));
    for (size_t i = 0; i < imp__n_parks; i++) {
        const imp__park_def *p = &imp__parks[i];
        double cx, cy, a = 0.0;
        GEOSGeometry *g = NULL;
        imp__ll2xy(p->at.lon, p->at.lat, &cx, &cy);
        GEOSGeometry *shape = imp__park_shape(d, &d->geo, cx, cy, p->area_ha * 1e4, err);
        if (carve(d, shape, *taken, *n_taken, &g, err) < 0)
            return -1;
        if (g)
            GEOSArea_r(d->h, g, &a);
        if (a < 5e4) {
            GEOSGeom_destroy_r(d->h, g);
            continue;
        }
        if (add_special(d, IMP_SP_PARK, (int)i, g, taken, n_taken, 20.0, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < imp__n_named_green; i++) {
        const imp__green_def *gd = &imp__named_green[i];
        double cx, cy, a = 0.0;
        GEOSGeometry *g = NULL;
        imp__ll2xy(gd->at.lon, gd->at.lat, &cx, &cy);
        GEOSGeometry *b = imp__blob(d, &d->geo, cx, cy, gd->area_ha * 1e4, 36, 0.18, err);
        if (carve(d, b, *taken, *n_taken, &g, err) < 0)
            return -1;
        if (g)
            GEOSArea_r(d->h, g, &a);
        if (a < 5000.0) {
            GEOSGeom_destroy_r(d->h, g);
            continue;
        }
        if (add_special(d, IMP_SP_GREEN, (int)i, g, taken, n_taken, 10.0, err) < 0)
            return -1;
    }
    /* after the named green spaces, so that its central park stays a park */
    double cx, cy;
    GEOSGeometry *g = NULL;
    imp__ll2xy(imp__new_city_at.lon, imp__new_city_at.lat, &cx, &cy);
    GEOSGeometry *nc = imp__blob(d, &d->geo, cx, cy, imp__new_city_ha * 1e4, 36, 0.12, err);
    if (carve(d, nc, *taken, *n_taken, &g, err) < 0)
        return -1;
    if (!g) {
        TL_FAIL(err, TL_EGEOM, "the demo new city is empty");
        return -1;
    }
    if (add_special(d, IMP_SP_NEWCITY, 0, g, taken, n_taken, 15.0, err) < 0)
        return -1;
    return 0;
}

/* Ward anchors: drawn from the square root of the density inside each district. */
static int build_wards(imp__demo *d, tl_err *err)
{
    imp__rng wr;
    size_t nc = d->grid.w * d->grid.h;
    double *wt = tl_xmalloc(nc * sizeof(double));
    int rc = 0;
    imp__rng_seed(&wr, GEO_SEED + 1);
    for (int k = 0; k < IMP_N_DISTRICTS && rc == 0; k++) {
        for (size_t i = 0; i < nc; i++)
            wt[i] = d->grid.district[i] == k ? sqrt(d->grid.dens[i]) : 0.0;
        rc = imp__grid_draw(d, wt, imp__districts[k].n_wards, &wr, k, d->ward_xy[k], err);
    }
    free(wt);
    return rc;
}

int imp__geog_build(imp__demo *d, tl_err *err)
{
    GEOSGeometry **taken = NULL;
    size_t n_taken = 0;
    imp__rng_seed(&d->geo, GEO_SEED);
    if (build_province(d, err) < 0 || build_water_land(d, err) < 0)
        return -1;
    imp__progress(d, "geography", 0.2);
    if (build_districts(d, err) < 0 || build_main_roads(d, err) < 0)
        return -1;
    imp__progress(d, "geography", 0.5);
    taken = tl_xmalloc(sizeof(*taken));
    taken[0] = buffer(d, d->water, 15.0, GEOSBUF_CAP_ROUND, err);
    n_taken = taken[0] ? 1 : 0;
    int rc = taken[0] ? build_specials(d, &taken, &n_taken, err) : -1;
    for (size_t i = 0; i < n_taken; i++)
        GEOSGeom_destroy_r(d->h, taken[i]);
    free(taken);
    if (rc < 0)
        return -1;
    imp__progress(d, "geography", 0.7);
    if (imp__grid_build(d, err) < 0 || build_wards(d, err) < 0)
        return -1;
    imp__progress(d, "geography", 1.0);
    return 0;
}
