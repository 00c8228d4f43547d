/* demo_parcels.c: cutting one organic block into parcels (block minus road corridors,
 * water and special zones, then an anisotropic Voronoi of its parcel seeds), and the
 * common path of every parcel: district clip, holes and enclaves, then the zoning row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Districts --------------------------------------------------------------------------------- */

int imp__district_of(imp__demo *d, const GEOSGeometry *g, tl_err *err)
{
    GEOSGeometry *pt = imp__gchk(d, GEOSPointOnSurface_r(d->h, g), "point on surface", err);
    if (!pt)
        return -2;
    tl_bbox pb = imp__g_bbox(d, pt);
    int found = -1;
    for (int k = 0; k < IMP_N_DISTRICTS && found < 0; k++) {
        if (!tl_bbox_intersects(&pb, &d->district_bb[k]))
            continue;
        int c = imp__pred(d, GEOSPreparedContains_r(d->h, d->district_p[k], pt), "contains", err);
        if (c < 0) {
            found = -2;
            break;
        }
        if (c)
            found = k;
    }
    GEOSGeom_destroy_r(d->h, pt);
    return found;
}

/* The district wholly containing g, -1 if none does, -2 on error. */
static int district_containing(imp__demo *d, const GEOSGeometry *g, const tl_bbox *bb, tl_err *err)
{
    for (int k = 0; k < IMP_N_DISTRICTS; k++) {
        const tl_bbox *db = &d->district_bb[k];
        if (bb->minx < db->minx || bb->maxx > db->maxx || bb->miny < db->miny ||
            bb->maxy > db->maxy)
            continue;
        int c = imp__pred(d, GEOSPreparedContains_r(d->h, d->district_p[k], g), "contains", err);
        if (c < 0)
            return -2;
        if (c)
            return k;
    }
    return -1;
}

/* Holes and the row ------------------------------------------------------------------------ */

/* Maybe punch a pond or enclave into an organic parcel (*g replaced), emitting the
 * enclave itself as a parcel, for ~3% of parcels over 600 m2 (gen_binhduong.py: 2500 m2,
 * which leaves too few holes once parcels get small at the large scale). */
static int maybe_hole(imp__demo *d, GEOSGeometry **g, int k, tl_err *err)
{
    double a = 0.0;
    if (!GEOSArea_r(d->h, *g, &a) || a <= 600.0 || imp__rng_unif(&d->rng) >= 0.03)
        return 0;
    GEOSGeometry *pt = imp__gchk(d, GEOSPointOnSurface_r(d->h, *g), "point on surface", err);
    if (!pt)
        return -1;
    tl_bbox pb = imp__g_bbox(d, pt);
    GEOSGeom_destroy_r(d->h, pt);
    double r = 0.22 * sqrt(a / M_PI);
    GEOSGeometry *hole = imp__blob(d, &d->rng, pb.minx, pb.miny, M_PI * r * r, 14, 0.25, err);
    if (!hole)
        return -1;
    GEOSGeometry *hb = imp__gchk(d, GEOSBuffer_r(d->h, hole, 2.0, 4), "buffer", err);
    int in = hb ? imp__pred(d, GEOSContains_r(d->h, *g, hb), "contains", err) : -1;
    GEOSGeom_destroy_r(d->h, hb);
    if (in <= 0) {
        GEOSGeom_destroy_r(d->h, hole);
        return in;
    }
    GEOSGeometry *x = imp__gchk(d, GEOSDifference_r(d->h, *g, hole), "hole", err);
    if (!x) {
        GEOSGeom_destroy_r(d->h, hole);
        return -1;
    }
    GEOSGeom_destroy_r(d->h, *g);
    *g = x;
    d->rep->n_holes++;
    int rc = 0;
    if (imp__rng_unif(&d->rng) < 0.6) {
        imp__pctx pc = {IMP_PK_ENCLAVE, -1, -1, k};
        rc = imp__zoning_write(d, hole, &pc, k, err);
    }
    GEOSGeom_destroy_r(d->h, hole);
    return rc;
}

static int emit_piece(imp__demo *d, GEOSGeometry *g, const imp__pctx *pc, int k, tl_err *err)
{
    int rc = 0;
    if (pc->kind == IMP_PK_ORGANIC)
        rc = maybe_hole(d, &g, k, err);
    if (rc == 0)
        rc = imp__zoning_write(d, g, pc, k, err);
    GEOSGeom_destroy_r(d->h, g);
    return rc;
}

int imp__parcel_emit(imp__demo *d, GEOSGeometry *g, const imp__pctx *pc, tl_err *err)
{
    if (pc->district >= 0)
        return emit_piece(d, g, pc, pc->district, err);
    tl_bbox bb = imp__g_bbox(d, g);
    int k = district_containing(d, g, &bb, err);
    if (k < -1) {
        GEOSGeom_destroy_r(d->h, g);
        return -1;
    }
    if (k >= 0)
        return emit_piece(d, g, pc, k, err);
    int rc = 0;
    for (int j = 0; j < IMP_N_DISTRICTS && rc == 0; j++) {
        GEOSGeometry *part = NULL;
        if (!tl_bbox_intersects(&bb, &d->district_bb[j]))
            continue;
        rc = imp__g_clip(d, g, d->district[j], d->district_p[j], 20.0, &part, err);
        if (rc == 0 && part)
            rc = emit_piece(d, part, pc, j, err);
    }
    GEOSGeom_destroy_r(d->h, g);
    return rc;
}

/* Blocks -------------------------------------------------------------------------------------- */

/* Block cell minus every obstacle and special zone touching it; *out may be NULL. */
static int carve_block(imp__demo *d, const GEOSGeometry *cell, imp__obst *const *lists,
                       const size_t *n_lists, int n_list, GEOSGeometry **out, tl_err *err)
{
    tl_bbox cb = imp__g_bbox(d, cell);
    size_t n = 0, cap = 16;
    GEOSGeometry **hit = tl_xmalloc(cap * sizeof(*hit));
    const GEOSPreparedGeometry *cp = GEOSPrepare_r(d->h, cell);
    int rc = cp ? 0 : imp__geos_fail(d, "prepare", err);
    *out = NULL;
    for (int l = 0; l < n_list + 1 && rc == 0; l++) {
        size_t m = l < n_list ? n_lists[l] : d->n_sp;
        for (size_t i = 0; i < m && rc == 0; i++) {
            const GEOSGeometry *o = l < n_list ? lists[l][i].g : d->sp[i].g;
            const tl_bbox *ob = l < n_list ? &lists[l][i].bb : &d->sp[i].bb;
            if (!tl_bbox_intersects(&cb, ob))
                continue;
            int x = imp__pred(d, GEOSPreparedIntersects_r(d->h, cp, o), "intersects", err);
            if (x < 0)
                rc = -1;
            if (x <= 0)
                continue;
            if (n == cap) {
                cap *= 2;
                hit = tl_xrealloc(hit, cap * sizeof(*hit));
            }
            hit[n++] = GEOSGeom_clone_r(d->h, o);
        }
    }
    if (cp)
        GEOSPreparedGeom_destroy_r(d->h, cp);
    if (rc < 0 || n == 0) {
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(d->h, hit[i]);
        free(hit);
        if (rc < 0)
            return -1;
        *out = imp__gchk(d, GEOSGeom_clone_r(d->h, cell), "clone", err);
        return *out ? 0 : -1;
    }
    GEOSGeometry *gc = imp__g_collect(d, GEOS_GEOMETRYCOLLECTION, hit, n, err);
    free(hit);
    if (!gc)
        return -1;
    GEOSGeometry *u = GEOSUnaryUnion_r(d->h, gc), *x = NULL;
    GEOSGeom_destroy_r(d->h, gc);
    if (u)
        x = GEOSDifference_r(d->h, cell, u);
    GEOSGeom_destroy_r(d->h, u);
    if (!x)
        return imp__geos_fail(d, "block carve", err);
    return imp__g_polygonal(d, x, 1.0, out, err);
}

static void affine2(void *ud, double *x, double *y)
{
    const double *m = ud; /* 2x2 row-major */
    double nx = m[0] * *x + m[1] * *y, ny = m[2] * *x + m[3] * *y;
    *x = nx;
    *y = ny;
}

/* Emit the parts of one lot (consumed): as one multi-part parcel or one per part. */
static int emit_lot(imp__demo *d, GEOSGeometry *lot, const imp__pctx *pc, tl_err *err)
{
    int np = GEOSGetNumGeometries_r(d->h, lot);
    if (GEOSGeomTypeId_r(d->h, lot) != GEOS_MULTIPOLYGON || np < 2 ||
        imp__rng_unif(&d->rng) < 0.5) /* a lot cut by a road stays one parcel */
        return imp__parcel_emit(d, lot, pc, err);
    int rc = 0;
    for (int i = 0; i < np && rc == 0; i++) {
        GEOSGeometry *p = GEOSGeom_clone_r(d->h, GEOSGetGeometryN_r(d->h, lot, i));
        rc = p ? imp__parcel_emit(d, p, pc, err) : imp__geos_fail(d, "clone", err);
    }
    GEOSGeom_destroy_r(d->h, lot);
    return rc;
}

/* Lots elongated across the block's long side: Voronoi in a squeezed frame. */
static int voronoi_lots(imp__demo *d, const GEOSGeometry *cell, const GEOSGeometry *blk,
                        const double *seeds, size_t n, double u, const imp__pctx *pc, tl_err *err)
{
    double th;
    if (imp__g_long_axis(d, cell, &th, err) < 0)
        return -1;
    double ct = cos(th), st = sin(th);
    double a = u > 0.25 ? imp__rng_range(&d->rng, 1.8, 3.0) : imp__rng_range(&d->rng, 1.0, 1.7);
    double m[4] = {ct, st, -st / a, ct / a}, det = m[0] * m[3] - m[1] * m[2];
    double mi[4] = {m[3] / det, -m[1] / det, -m[2] / det, m[0] / det};
    double *q = tl_xmalloc(2 * n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        q[2 * i] = seeds[2 * i];
        q[2 * i + 1] = seeds[2 * i + 1];
        affine2(m, &q[2 * i], &q[2 * i + 1]);
    }
    tl_bbox bb = imp__g_bbox(d, blk), env = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double cx[4] = {bb.minx, bb.maxx, bb.maxx, bb.minx},
           cy[4] = {bb.miny, bb.miny, bb.maxy, bb.maxy};
    for (int i = 0; i < 4; i++) {
        affine2(m, &cx[i], &cy[i]);
        env.minx = fmin(env.minx, cx[i]);
        env.maxx = fmax(env.maxx, cx[i]);
        env.miny = fmin(env.miny, cy[i]);
        env.maxy = fmax(env.maxy, cy[i]);
    }
    GEOSGeometry *vd = imp__voronoi_raw(d, q, n, &env, err);
    free(q);
    const GEOSPreparedGeometry *bp = vd ? GEOSPrepare_r(d->h, blk) : NULL;
    int rc = !vd ? -1 : bp ? 0 : imp__geos_fail(d, "prepare", err);
    int nc = vd ? GEOSGetNumGeometries_r(d->h, vd) : 0;
    for (int i = 0; i < nc && rc == 0; i++) {
        GEOSGeometry *cw = NULL, *lot = NULL;
        rc = imp__g_map(d, GEOSGetGeometryN_r(d->h, vd, i), affine2, mi, &cw, err);
        if (rc == 0)
            rc = imp__g_clip(d, cw, blk, bp, 20.0, &lot, err);
        GEOSGeom_destroy_r(d->h, cw);
        if (rc == 0 && lot)
            rc = emit_lot(d, lot, pc, err);
    }
    if (bp)
        GEOSPreparedGeom_destroy_r(d->h, bp);
    GEOSGeom_destroy_r(d->h, vd);
    return rc;
}

static int block_zone(imp__demo *d, double u)
{
    const double *mix = u > 0.45 ? imp__mix_urban : u > 0.12 ? imp__mix_suburb : imp__mix_rural;
    return imp__rng_pick(&d->rng, mix, IMP_N_ZONES);
}

int imp__parcels_block(imp__demo *d, const GEOSGeometry *cell, const double *seeds, size_t n,
                       imp__obst *const *lists, const size_t *n_lists, int n_list, tl_err *err)
{
    GEOSGeometry *c = imp__gchk(d, GEOSGetCentroid_r(d->h, cell), "centroid", err);
    if (!c)
        return -1;
    tl_bbox cpt = imp__g_bbox(d, c);
    GEOSGeom_destroy_r(d->h, c);
    double u = imp__grid_at(&d->grid, d->grid.u, cpt.minx, cpt.miny);
    tl_bbox cb = imp__g_bbox(d, cell);
    imp__pctx pc = {IMP_PK_ORGANIC, -1, block_zone(d, u), -1};
    pc.district = district_containing(d, cell, &cb, err);
    if (pc.district < -1)
        return -1;
    GEOSGeometry *blk = NULL, *jit = NULL;
    if (carve_block(d, cell, lists, n_lists, n_list, &blk, err) < 0)
        return -1;
    if (!blk)
        return 0;
    int rc = imp__densify_jitter(d, blk, u > 0.12 ? 30.0 : 60.0, 0.35, &d->rng, &jit, err);
    GEOSGeom_destroy_r(d->h, blk);
    if (rc < 0 || !jit)
        return rc;
    if (n >= 2) {
        rc = voronoi_lots(d, cell, jit, seeds, n, u, &pc, err);
    } else { /* a block of one lot: one parcel, in parts where roads cut it */
        GEOSGeometry *lot = NULL;
        rc = imp__g_polygonal(d, jit, 20.0, &lot, err);
        jit = NULL;
        if (rc == 0 && lot)
            rc = imp__parcel_emit(d, lot, &pc, err);
    }
    GEOSGeom_destroy_r(d->h, jit);
    return rc;
}
