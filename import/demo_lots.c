/* demo_lots.c: the special zones as parcels: industrial parks and the new city get a
 * rotated rectangular grid of blocks, lots and grid roads (parks also a perimeter green
 * strip); named green spaces become one green parcel each (port of _grid_lots). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

typedef struct rot {
    double c, s, x0, y0; /* rotation by angle (cos c, sin s) about (x0, y0) */
} rot;

static void rot_apply(void *ud, double *x, double *y)
{
    const rot *r = ud;
    double dx = *x - r->x0, dy = *y - r->y0;
    *x = r->x0 + r->c * dx - r->s * dy;
    *y = r->y0 + r->s * dx + r->c * dy;
}

/* The grid of one zone, in the zone's rotated frame. */
typedef struct lot_grid {
    imp__special *sp;
    int is_park;
    rot back; /* rotated frame -> plane */
    double *xs, *ys;
    size_t nx, ny; /* grid line counts */
    double hw;     /* half width of the grid roads */
    int lpb;       /* lots per block */
    GEOSGeometry *zr, *inner, *zi;
    const GEOSPreparedGeometry *zip;
    imp__pctx pc;
} lot_grid;

static double *grid_lines(imp__demo *d, double lo, double hi, double step, size_t *n)
{
    size_t m = (size_t)ceil((hi + step - lo) / step);
    if (m < 2)
        m = 2;
    double *v = tl_xmalloc(m * sizeof(double));
    for (size_t i = 0; i < m; i++)
        v[i] = lo + (double)i * step;
    for (size_t i = 1; i + 1 < m; i++)
        v[i] += imp__rng_normal(&d->rng) * step * 0.04;
    *n = m;
    return v;
}

/* Emit geometry g (consumed, rotated frame) rotated back to the plane. */
static int emit_back(imp__demo *d, lot_grid *lg, GEOSGeometry *g, const imp__pctx *pc, tl_err *err)
{
    GEOSGeometry *w = NULL;
    int rc = imp__g_map(d, g, rot_apply, &lg->back, &w, err);
    GEOSGeom_destroy_r(d->h, g);
    if (rc < 0)
        return -1;
    return imp__parcel_emit(d, w, pc, err);
}

/* Grid roads along the inner grid lines, clipped to the zone shrunk by edge/2. */
static int grid_roads(imp__demo *d, lot_grid *lg, double edge, const tl_bbox *ib, tl_err *err)
{
    GEOSGeometry *clip = imp__gchk(d,
                                   GEOSBufferWithStyle_r(d->h, lg->zr, -edge / 2, 2,
                                                         GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_MITRE, 5.0),
                                   "buffer", err);
    if (!clip)
        return -1;
    size_t n_v = lg->nx - 2, n_h = lg->ny - 2, mid_x = lg->nx / 2, mid_y = lg->ny / 2;
    int rc = 0;
    for (size_t k = 0; k < n_v + n_h && rc == 0; k++) {
        double l[4];
        if (k < n_v) {
            double v[4] = {lg->xs[k + 1], ib->miny - 1, lg->xs[k + 1], ib->maxy + 1};
            memcpy(l, v, sizeof l);
        } else {
            double v[4] = {ib->minx - 1, lg->ys[k - n_v + 1], ib->maxx + 1, lg->ys[k - n_v + 1]};
            memcpy(l, v, sizeof l);
        }
        int main = k + 1 == mid_x || k == n_v + mid_y - 1;
        char name[64];
        if (k < n_v)
            snprintf(name, sizeof name, "Đường N%zu", k + 1);
        else
            snprintf(name, sizeof name, "Đường D%zu", k - n_v + 1);
        GEOSGeometry *line = imp__g_line(d, l, 2, err), *x = NULL;
        if (line)
            x = imp__gchk(d, GEOSIntersection_r(d->h, line, clip), "grid road", err);
        GEOSGeom_destroy_r(d->h, line);
        rc = x ? 0 : -1;
        int m = x ? GEOSGetNumGeometries_r(d->h, x) : 0;
        for (int i = 0; i < m && rc == 0; i++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(d->h, x, i);
            const double *xy;
            size_t np;
            if (GEOSGeomTypeId_r(d->h, p) != GEOS_LINESTRING || imp__g_length(d, p) <= 20.0)
                continue;
            rc = imp__g_coords(d, p, &xy, &np, err);
            for (size_t j = 0; j < np && rc == 0; j++)
                rot_apply(&lg->back, &d->cbuf[2 * j], &d->cbuf[2 * j + 1]);
            if (rc == 0)
                imp__road_add(d, xy, np, main ? IMP_RC_SECONDARY : IMP_RC_TERTIARY, 0, main ? 4 : 2,
                              lg->hw, name, "");
        }
        GEOSGeom_destroy_r(d->h, x);
    }
    GEOSGeom_destroy_r(d->h, clip);
    return rc;
}

/* Lots of one grid block: a Dirichlet split of the block along x. */
static int block_lots(imp__demo *d, lot_grid *lg, double bx0, double bx1, double by0, double by1,
                      tl_err *err)
{
    double hw = lg->hw;
    if (bx1 - bx0 <= 2 * hw + 2.0 || by1 - by0 <= 2 * hw + 2.0)
        return 0;
    GEOSGeometry *rect = imp__g_rect(d, bx0 + hw, by0 + hw, bx1 - hw, by1 - hw, err);
    if (!rect)
        return -1;
    int hit = imp__pred(d, GEOSPreparedIntersects_r(d->h, lg->zip, rect), "intersects", err);
    GEOSGeom_destroy_r(d->h, rect);
    if (hit <= 0)
        return hit;
    int k = imp__rng_poisson(&d->rng, lg->lpb - 1) + 1;
    double w[64], tot = 0.0, acc = 0.0;
    if (k > 64)
        k = 64;
    for (int i = 0; i < k; i++) {
        w[i] = imp__rng_gamma4(&d->rng);
        tot += w[i];
    }
    int rc = 0;
    for (int i = 0; i < k && rc == 0; i++) {
        double l0 = bx0 + hw + acc / tot * (bx1 - bx0 - 2 * hw);
        acc += w[i];
        double l1 = bx0 + hw + acc / tot * (bx1 - bx0 - 2 * hw);
        if (l1 - l0 <= 1.5)
            continue;
        GEOSGeometry *lot = imp__g_rect(d, l0 + 0.5, by0 + hw, l1 - 0.5, by1 - hw, err), *c = NULL;
        rc = lot ? imp__g_clip(d, lot, lg->zi, lg->zip, 50.0, &c, err) : -1;
        GEOSGeom_destroy_r(d->h, lot);
        if (rc == 0 && c)
            rc = emit_back(d, lg, c, &lg->pc, err);
    }
    return rc;
}

/* Frame, sizes and grid lines of one zone (gen_binhduong.py _grid_lots). */
static int grid_setup(imp__demo *d, lot_grid *lg, const GEOSGeometry *zone, tl_bbox *ib,
                      double *edge, tl_err *err)
{
    const GEOSGeometry *full = lg->sp->g;
    double th;
    if (imp__g_long_axis(d, full, &th, err) < 0)
        return -1;
    GEOSGeometry *c = imp__gchk(d, GEOSGetCentroid_r(d->h, full), "centroid", err), *fr = NULL;
    if (!c)
        return -1;
    tl_bbox cb = imp__g_bbox(d, c);
    GEOSGeom_destroy_r(d->h, c);
    rot fwd = {cos(-th), sin(-th), cb.minx, cb.miny};
    lg->back = (rot){cos(th), sin(th), cb.minx, cb.miny};
    if (imp__g_map(d, zone, rot_apply, &fwd, &lg->zr, err) < 0 ||
        imp__g_map(d, full, rot_apply, &fwd, &fr, err) < 0)
        return -1;
    *edge = lg->is_park ? 25.0 : 8.0;
    GEOSGeometry *in = imp__gchk(
        d, GEOSBufferWithStyle_r(d->h, fr, -*edge, 2, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_MITRE, 5.0),
        "buffer", err);
    if (!in || imp__g_polygonal(d, in, 1.0, &lg->inner, err) < 0) {
        GEOSGeom_destroy_r(d->h, fr);
        return -1;
    }
    if (!lg->inner)
        lg->inner = fr;
    else
        GEOSGeom_destroy_r(d->h, fr);
    size_t n_target = lg->sp->n_seeds ? lg->sp->n_seeds : 1;
    lg->lpb = lg->is_park ? 6 : 8;
    if ((size_t)lg->lpb > n_target)
        lg->lpb = (int)n_target;
    double n_blocks = fmax(1.0, (double)n_target / lg->lpb), a = 0.0;
    GEOSArea_r(d->h, lg->inner, &a);
    double ba = a / n_blocks, aspect = imp__rng_range(&d->rng, 1.4, 2.2);
    double bw = fmax(60.0, sqrt(ba * aspect)), bh = fmax(40.0, ba / bw);
    lg->hw = lg->is_park ? 8.0 : 6.0;
    *ib = imp__g_bbox(d, lg->inner);
    if ((size_t)lg->lpb >= n_target) { /* a handful of lots: one block over the zone */
        bw = ib->maxx - ib->minx + 1.0;
        bh = ib->maxy - ib->miny + 1.0;
    }
    lg->xs = grid_lines(d, ib->minx, ib->maxx, bw, &lg->nx);
    lg->ys = grid_lines(d, ib->miny, ib->maxy, bh, &lg->ny);
    GEOSGeometry *zi = imp__gchk(d, GEOSIntersection_r(d->h, lg->zr, lg->inner), "lots", err);
    if (!zi || imp__g_polygonal(d, zi, 1.0, &lg->zi, err) < 0)
        return -1;
    if (!lg->zi)
        return 0;
    lg->zip = GEOSPrepare_r(d->h, lg->zi);
    return lg->zip ? 0 : imp__geos_fail(d, "prepare", err);
}

/* Perimeter green strip of an industrial park: zone minus its inner part, one parcel
 * (several parts where main roads cross it). */
static int park_strip(imp__demo *d, lot_grid *lg, tl_err *err)
{
    GEOSGeometry *s = imp__gchk(d, GEOSDifference_r(d->h, lg->zr, lg->inner), "strip", err);
    GEOSGeometry *strip = NULL;
    if (!s || imp__g_polygonal(d, s, 50.0, &strip, err) < 0)
        return -1;
    if (!strip)
        return 0;
    imp__pctx pc = lg->pc;
    pc.kind = IMP_PK_PARK_STRIP;
    return emit_back(d, lg, strip, &pc, err);
}

static int zone_grid(imp__demo *d, imp__special *sp, const GEOSGeometry *zone, tl_err *err)
{
    lot_grid lg;
    tl_bbox ib;
    double edge;
    memset(&lg, 0, sizeof lg);
    lg.sp = sp;
    lg.is_park = sp->kind == IMP_SP_PARK;
    lg.pc = (imp__pctx){lg.is_park ? IMP_PK_PARK_LOT : IMP_PK_NEWCITY, sp->idx, -1, -1};
    int rc = grid_setup(d, &lg, zone, &ib, &edge, err);
    if (rc == 0 && lg.zi)
        rc = grid_roads(d, &lg, edge, &ib, err);
    if (rc == 0 && lg.is_park)
        rc = park_strip(d, &lg, err);
    for (size_t i = 0; i + 1 < lg.nx && rc == 0 && lg.zi; i++)
        for (size_t j = 0; j + 1 < lg.ny && rc == 0; j++)
            rc = block_lots(d, &lg, lg.xs[i], lg.xs[i + 1], lg.ys[j], lg.ys[j + 1], err);
    if (lg.zip)
        GEOSPreparedGeom_destroy_r(d->h, lg.zip);
    GEOSGeom_destroy_r(d->h, lg.zi);
    GEOSGeom_destroy_r(d->h, lg.zr);
    GEOSGeom_destroy_r(d->h, lg.inner);
    free(lg.xs);
    free(lg.ys);
    return rc;
}

/* The special zone minus the main-road corridors crossing it (*out may be NULL). */
static int zone_minus_roads(imp__demo *d, const imp__special *sp, GEOSGeometry **out, tl_err *err)
{
    GEOSGeometry *z = imp__gchk(d, GEOSGeom_clone_r(d->h, sp->g), "clone", err);
    for (size_t i = 0; i < d->n_major && z; i++) {
        if (!tl_bbox_intersects(&sp->bb, &d->roads[i].bb))
            continue;
        GEOSGeometry *c = imp__road_corridor(d, &d->roads[i], err), *x = NULL;
        int hit =
            c ? imp__pred(d, GEOSPreparedIntersects_r(d->h, sp->pg, c), "intersects", err) : -1;
        if (hit == 1)
            x = imp__gchk(d, GEOSDifference_r(d->h, z, c), "difference", err);
        GEOSGeom_destroy_r(d->h, c);
        if (hit < 0 || (hit == 1 && !x)) {
            GEOSGeom_destroy_r(d->h, z);
            return -1;
        }
        if (x) {
            GEOSGeom_destroy_r(d->h, z);
            z = x;
        }
    }
    if (!z)
        return -1;
    return imp__g_polygonal(d, z, 1.0, out, err);
}

int imp__parcels_special(imp__demo *d, tl_err *err)
{
    for (size_t s = 0; s < d->n_sp; s++) {
        imp__special *sp = &d->sp[s];
        GEOSGeometry *zone = NULL;
        imp__progress(d, "zoning", 0.1 * (double)s / (double)d->n_sp);
        if (zone_minus_roads(d, sp, &zone, err) < 0)
            return -1;
        if (!zone)
            continue;
        int rc = 0;
        if (sp->kind == IMP_SP_GREEN) {
            const GEOSGeometry **parts = NULL;
            size_t n = 0, cap = 0;
            imp__pctx pc = {IMP_PK_GREEN, sp->idx, -1, -1};
            rc = imp__g_poly_parts(d, zone, &parts, &n, &cap, err);
            for (size_t i = 0; i < n && rc == 0; i++) {
                double a = 0.0;
                GEOSArea_r(d->h, parts[i], &a);
                if (a <= 20.0)
                    continue;
                GEOSGeometry *p = GEOSGeom_clone_r(d->h, parts[i]);
                rc = p ? imp__parcel_emit(d, p, &pc, err) : imp__geos_fail(d, "clone", err);
            }
            free(parts);
        } else {
            rc = zone_grid(d, sp, zone, err);
        }
        GEOSGeom_destroy_r(d->h, zone);
        if (rc < 0)
            return -1;
    }
    return 0;
}
