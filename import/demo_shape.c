/* demo_shape.c: the demo generator's shape builders (rough outlines, smoothed polylines,
 * blobs, industrial-park outlines, digitiser-like jitter, line splitting), each a port of
 * the helper of the same name in gen_binhduong.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Polylines ------------------------------------------------------------------------------ */

double *imp__roughen(imp__rng *r, const double *xy, size_t n, int levels, double amp, size_t *n_out)
{
    double *c = tl_xmalloc(2 * n * sizeof(double));
    memcpy(c, xy, 2 * n * sizeof(double));
    for (int lv = 0; lv < levels && n >= 2; lv++) {
        size_t m = 2 * n - 1;
        double *o = tl_xmalloc(2 * m * sizeof(double));
        o[0] = c[0];
        o[1] = c[1];
        for (size_t i = 0; i + 1 < n; i++) {
            double x0 = c[2 * i], y0 = c[2 * i + 1], x1 = c[2 * i + 2], y1 = c[2 * i + 3];
            double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
            if (len == 0.0)
                len = 1.0;
            double off = amp * imp__rng_normal(r) * len;
            o[4 * i + 2] = (x0 + x1) / 2 - dy / len * off;
            o[4 * i + 3] = (y0 + y1) / 2 + dx / len * off;
            o[4 * i + 4] = x1;
            o[4 * i + 5] = y1;
        }
        free(c);
        c = o;
        n = m;
    }
    *n_out = n;
    return c;
}

double *imp__chaikin(const double *xy, size_t n, int iters, size_t *n_out)
{
    double *c = tl_xmalloc(2 * n * sizeof(double));
    memcpy(c, xy, 2 * n * sizeof(double));
    for (int it = 0; it < iters && n >= 2; it++) {
        size_t m = 2 * (n - 1) + 2, k = 0;
        double *o = tl_xmalloc(2 * m * sizeof(double));
        o[k++] = c[0];
        o[k++] = c[1];
        for (size_t i = 0; i + 1 < n; i++) {
            double x0 = c[2 * i], y0 = c[2 * i + 1], x1 = c[2 * i + 2], y1 = c[2 * i + 3];
            o[k++] = 0.75 * x0 + 0.25 * x1;
            o[k++] = 0.75 * y0 + 0.25 * y1;
            o[k++] = 0.25 * x0 + 0.75 * x1;
            o[k++] = 0.25 * y0 + 0.75 * y1;
        }
        o[k++] = c[2 * n - 2];
        o[k++] = c[2 * n - 1];
        free(c);
        c = o;
        n = m;
    }
    *n_out = n;
    return c;
}

void imp__line_at(const double *xy, size_t n, double t, double *x, double *y)
{
    double len = 0.0;
    for (size_t i = 0; i + 1 < n; i++)
        len += hypot(xy[2 * i + 2] - xy[2 * i], xy[2 * i + 3] - xy[2 * i + 1]);
    double want = t * len, acc = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        double s = hypot(xy[2 * i + 2] - xy[2 * i], xy[2 * i + 3] - xy[2 * i + 1]);
        if (acc + s >= want && s > 0.0) {
            double f = (want - acc) / s;
            *x = xy[2 * i] + f * (xy[2 * i + 2] - xy[2 * i]);
            *y = xy[2 * i + 1] + f * (xy[2 * i + 3] - xy[2 * i + 1]);
            return;
        }
        acc += s;
    }
    *x = xy[2 * n - 2];
    *y = xy[2 * n - 1];
}

int imp__split_line(const double *xy, size_t n, double piece_len,
                    int (*fn)(void *ud, const double *xy, size_t n, tl_err *err), void *ud,
                    tl_err *err)
{
    double *cum = tl_xmalloc(n * sizeof(double));
    cum[0] = 0.0;
    for (size_t i = 1; i < n; i++)
        cum[i] = cum[i - 1] + hypot(xy[2 * i] - xy[2 * i - 2], xy[2 * i + 1] - xy[2 * i - 1]);
    double len = cum[n - 1];
    long k_n = lround(len / piece_len);
    if (k_n < 1)
        k_n = 1;
    double *pc = tl_xmalloc((2 * n + 4) * sizeof(double));
    int rc = 0;
    for (long k = 0; k < k_n && rc == 0; k++) {
        double a = len * (double)k / (double)k_n, b = len * (double)(k + 1) / (double)k_n;
        size_t m = 0;
        imp__line_at(xy, n, a / (len > 0 ? len : 1), &pc[0], &pc[1]);
        m = 1;
        for (size_t i = 0; i < n; i++) {
            if (cum[i] > a && cum[i] < b) {
                pc[2 * m] = xy[2 * i];
                pc[2 * m + 1] = xy[2 * i + 1];
                m++;
            }
        }
        imp__line_at(xy, n, b / (len > 0 ? len : 1), &pc[2 * m], &pc[2 * m + 1]);
        m++;
        rc = fn(ud, pc, m, err);
    }
    free(pc);
    free(cum);
    return rc;
}

/* Polygons ------------------------------------------------------------------------------ */

typedef struct affine {
    double a, b, c, e, x0, y0; /* x' = x0 + a*(x-x0) + b*(y-y0); y' = y0 + c*(x-x0) + e*(y-y0) */
} affine;

static void affine_apply(void *ud, double *x, double *y)
{
    const affine *t = ud;
    double dx = *x - t->x0, dy = *y - t->y0;
    *x = t->x0 + t->a * dx + t->b * dy;
    *y = t->y0 + t->c * dx + t->e * dy;
}

/* Scale g (consumed) about (cx, cy) so that its area becomes `area`. */
static GEOSGeometry *scale_to_area(imp__demo *d, GEOSGeometry *g, double cx, double cy, double area,
                                   tl_err *err)
{
    double a = 0.0;
    if (!g)
        return NULL;
    if (!GEOSArea_r(d->h, g, &a) || a <= 0.0) {
        GEOSGeom_destroy_r(d->h, g);
        imp__geos_fail(d, "area", err);
        return NULL;
    }
    double s = sqrt(area / a);
    affine t = {s, 0.0, 0.0, s, cx, cy};
    GEOSGeometry *out = NULL;
    imp__g_map(d, g, affine_apply, &t, &out, err);
    GEOSGeom_destroy_r(d->h, g);
    return out;
}

GEOSGeometry *imp__blob(imp__demo *d, imp__rng *r, double cx, double cy, double area, int n,
                        double rough, tl_err *err)
{
    static const int ks[3] = {2, 3, 5};
    double amp[3], ph[3];
    for (int j = 0; j < 3; j++) {
        amp[j] = rough / ks[j] * imp__rng_normal(r);
        ph[j] = imp__rng_range(r, 0.0, 2.0 * M_PI);
    }
    double *xy = tl_xmalloc(2 * (size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) {
        double th = 2.0 * M_PI * i / n, rr = 1.0;
        for (int j = 0; j < 3; j++)
            rr += amp[j] * cos(ks[j] * th + ph[j]);
        if (rr < 0.4)
            rr = 0.4;
        xy[2 * i] = cx + rr * cos(th);
        xy[2 * i + 1] = cy + rr * sin(th);
    }
    GEOSGeometry *p = imp__g_polygon(d, xy, (size_t)n, err);
    free(xy);
    return scale_to_area(d, p, cx, cy, area, err);
}

/* Jittered copy of a closed ring: n_max_seg-spaced extra vertices on long edges. */
static double *densify_ring(const double *xy, size_t n, double max_seg, double jitter, imp__rng *r,
                            size_t *n_out)
{
    size_t cap = 2 * n + 16, m = 0;
    double *o = tl_xmalloc(cap * sizeof(double));
    o[m++] = xy[0];
    o[m++] = xy[1];
    for (size_t i = 0; i + 1 < n; i++) {
        double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
        double len = hypot(x1 - x0, y1 - y0);
        size_t k = (size_t)floor(len / max_seg);
        if (m + 2 * k + 2 > cap) {
            cap = 2 * (m + 2 * k + 2);
            o = tl_xrealloc(o, cap * sizeof(double));
        }
        for (size_t j = 1; j <= k; j++) {
            double t = (double)j / (double)(k + 1);
            o[m++] = x0 + t * (x1 - x0) + jitter * imp__rng_normal(r);
            o[m++] = y0 + t * (y1 - y0) + jitter * imp__rng_normal(r);
        }
        o[m++] = x1;
        o[m++] = y1;
    }
    *n_out = m / 2;
    return o;
}

typedef struct jitter_ctx {
    double max_seg, jitter;
    imp__rng *r;
} jitter_ctx;

static GEOSGeometry *jitter_ring(imp__demo *d, const GEOSGeometry *ring, void *ud, tl_err *err)
{
    const jitter_ctx *c = ud;
    const double *xy;
    size_t n, m;
    if (imp__g_coords(d, ring, &xy, &n, err) < 0)
        return NULL;
    double *o = densify_ring(xy, n, c->max_seg, c->jitter, c->r, &m);
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(d->h, o, (unsigned)m, 0, 0);
    free(o);
    if (!cs)
        return imp__gchk(d, NULL, "coordinate sequence", err);
    return imp__gchk(d, GEOSGeom_createLinearRing_r(d->h, cs), "ring", err);
}

int imp__densify_jitter(imp__demo *d, const GEOSGeometry *g, double max_seg, double jitter,
                        imp__rng *r, GEOSGeometry **out, tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0, k = 0;
    *out = NULL;
    if (imp__g_poly_parts(d, g, &parts, &n, &cap, err) < 0) {
        free(parts);
        return -1;
    }
    GEOSGeometry **res = tl_xcalloc(n + 1, sizeof(*res));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        GEOSGeometry *q = imp__g_map_rings(d, parts[i], jitter_ring,
                                           &(jitter_ctx){max_seg, jitter, r}, err),
                     *f = NULL;
        rc = q ? imp__g_fix(d, q, &f, err) : -1;
        if (f)
            res[k++] = f;
    }
    free(parts);
    if (rc < 0 || k == 0) {
        for (size_t i = 0; i < k; i++)
            GEOSGeom_destroy_r(d->h, res[i]);
        free(res);
        return rc;
    }
    GEOSGeometry *all = imp__g_collect(d, GEOS_GEOMETRYCOLLECTION, res, k, err);
    free(res);
    if (!all)
        return -1;
    return imp__g_polygonal(d, all, 1.0, out, err);
}

GEOSGeometry *imp__park_shape(imp__demo *d, imp__rng *r, double cx, double cy, double area,
                              tl_err *err)
{
    double aspect = imp__rng_range(r, 1.0, 2.2);
    double theta = imp__rng_range(r, -40.0, 40.0) * M_PI / 180.0;
    double w = sqrt(area * aspect), h = area / w;
    double x0 = cx - w / 2, y0 = cy - h / 2, x1 = cx + w / 2, y1 = cy + h / 2;
    double ring[14];
    size_t n;
    if (area > 3000000.0 && imp__rng_unif(r) < 0.7) { /* L shape: the NE corner cut away */
        double xc = cx + w * imp__rng_range(r, 0.05, 0.25);
        double yc = cy + h * imp__rng_range(r, 0.0, 0.2);
        double l[14] = {x0, y0, x1, y0, x1, yc, xc, yc, xc, y1, x0, y1, x0, y0};
        memcpy(ring, l, sizeof l);
        n = 7;
    } else {
        double b[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
        memcpy(ring, b, sizeof b);
        n = 5;
    }
    size_t m;
    double *o = densify_ring(ring, n, fmax(w, h) / 4, fmin(w, h) * 0.03, r, &m);
    double c = cos(theta), s = sin(theta);
    for (size_t i = 0; i < m; i++) {
        double dx = o[2 * i] - cx, dy = o[2 * i + 1] - cy;
        o[2 * i] = cx + c * dx - s * dy;
        o[2 * i + 1] = cy + s * dx + c * dy;
    }
    GEOSGeometry *p = imp__g_polygon(d, o, m, err), *f = NULL, *big = NULL;
    free(o);
    if (!p || imp__g_fix(d, p, &f, err) < 0 || imp__g_largest(d, f, &big, err) < 0)
        return NULL;
    if (!big) {
        TL_FAIL(err, TL_EGEOM, "industrial park outline at (%.0f, %.0f) collapsed", cx, cy);
        return NULL;
    }
    return scale_to_area(d, big, cx, cy, area, err);
}
