/* demo_grid.c: the demo generator's raster fields on a 50 m grid (urban intensity,
 * distances to roads and water, parcel density, land and district masks), with the
 * banded point-in-polygon index and the weighted point draws built on them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#define GRID_RES 50.0
#define EDT_FAR 1e20

/* Point-in-polygon index ------------------------------------------------------------------ */

static size_t band_of(const imp__pip *p, double y)
{
    double b = floor((y - p->y0) / p->band);
    if (b < 0)
        return 0;
    if (b >= (double)p->n_bands)
        return p->n_bands - 1;
    return (size_t)b;
}

/* Visit every non-horizontal edge of g's rings: pass 0 counts band entries, pass 1 fills. */
static int pip_pass(imp__demo *d, imp__pip *p, const GEOSGeometry **parts, size_t n_parts, int fill,
                    tl_err *err)
{
    for (size_t k = 0; k < n_parts; k++) {
        int nh = GEOSGetNumInteriorRings_r(d->h, parts[k]);
        for (int r = -1; r < nh; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(d->h, parts[k])
                                             : GEOSGetInteriorRingN_r(d->h, parts[k], r);
            const double *xy;
            size_t n;
            if (imp__g_coords(d, ring, &xy, &n, err) < 0)
                return -1;
            for (size_t i = 0; i + 1 < n; i++) {
                double ya = xy[2 * i + 1], yb = xy[2 * i + 3];
                if (ya == yb)
                    continue;
                size_t b0 = band_of(p, fmin(ya, yb)), b1 = band_of(p, fmax(ya, yb));
                for (size_t b = b0; b <= b1; b++) {
                    if (!fill) {
                        p->start[b + 1]++;
                        continue;
                    }
                    double *e = &p->e[4 * p->start[b]++];
                    e[0] = xy[2 * i];
                    e[1] = ya;
                    e[2] = xy[2 * i + 2];
                    e[3] = yb;
                }
            }
        }
    }
    return 0;
}

int imp__pip_build(imp__demo *d, imp__pip *p, const GEOSGeometry *g, double band, tl_err *err)
{
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    memset(p, 0, sizeof *p);
    if (imp__g_poly_parts(d, g, &parts, &n, &cap, err) < 0) {
        free(parts);
        return -1;
    }
    p->bb = imp__g_bbox(d, g);
    p->band = band;
    p->y0 = p->bb.miny;
    p->n_bands = n ? (size_t)ceil((p->bb.maxy - p->bb.miny) / band) + 1 : 1;
    p->start = tl_xcalloc(p->n_bands + 1, sizeof(uint32_t));
    int rc = pip_pass(d, p, parts, n, 0, err);
    if (rc == 0) {
        for (size_t b = 0; b < p->n_bands; b++)
            p->start[b + 1] += p->start[b];
        p->e = tl_xmalloc(((size_t)p->start[p->n_bands] + 1) * 4 * sizeof(double));
        rc = pip_pass(d, p, parts, n, 1, err); /* start[b] now holds the end of band b */
        for (size_t b = p->n_bands; b > 0; b--)
            p->start[b] = p->start[b - 1];
        p->start[0] = 0;
    }
    free(parts);
    if (rc < 0)
        imp__pip_free(p);
    return rc;
}

int imp__pip_contains(const imp__pip *p, double x, double y)
{
    if (!p->start || x < p->bb.minx || x > p->bb.maxx || y < p->bb.miny || y > p->bb.maxy)
        return 0;
    size_t b = band_of(p, y);
    int in = 0;
    for (uint32_t k = p->start[b]; k < p->start[b + 1]; k++) {
        const double *e = &p->e[4 * (size_t)k];
        if ((e[1] > y) != (e[3] > y)) {
            double xc = e[0] + (y - e[1]) / (e[3] - e[1]) * (e[2] - e[0]);
            if (x < xc)
                in = !in;
        }
    }
    return in;
}

void imp__pip_free(imp__pip *p)
{
    free(p->start);
    free(p->e);
    memset(p, 0, sizeof *p);
}

/* Grid access ----------------------------------------------------------------------------- */

size_t imp__grid_cell(const imp__grid *g, double x, double y)
{
    double fi = floor((x - g->minx) / g->res), fj = floor((g->maxy - y) / g->res);
    size_t i = fi < 0 ? 0 : fi >= (double)g->w ? g->w - 1 : (size_t)fi;
    size_t j = fj < 0 ? 0 : fj >= (double)g->h ? g->h - 1 : (size_t)fj;
    return j * g->w + i;
}

double imp__grid_at(const imp__grid *g, const float *a, double x, double y)
{
    return a[imp__grid_cell(g, x, y)];
}

int imp__on_land(imp__demo *d, double x, double y)
{
    return imp__pip_contains(&d->land_pip, x, y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Set mask[cell] = val for every cell whose centre is inside p (even-odd). */
static void fill_mask(const imp__grid *g, const imp__pip *p, uint8_t *mask, uint8_t val)
{
    size_t cap = 64;
    double *xs = tl_xmalloc(cap * sizeof(double));
    for (size_t j = 0; j < g->h; j++) {
        double y = g->maxy - ((double)j + 0.5) * g->res;
        if (!p->start || y < p->bb.miny || y > p->bb.maxy)
            continue;
        size_t b = band_of(p, y), m = 0;
        for (uint32_t k = p->start[b]; k < p->start[b + 1]; k++) {
            const double *e = &p->e[4 * (size_t)k];
            if ((e[1] > y) != (e[3] > y)) {
                if (m == cap) {
                    cap *= 2;
                    xs = tl_xrealloc(xs, cap * sizeof(double));
                }
                xs[m++] = e[0] + (y - e[1]) / (e[3] - e[1]) * (e[2] - e[0]);
            }
        }
        qsort(xs, m, sizeof(double), cmp_double);
        for (size_t k = 0; k + 1 < m; k += 2) {
            double a = ceil((xs[k] - g->minx) / g->res - 0.5);
            double bnd = ceil((xs[k + 1] - g->minx) / g->res - 0.5);
            size_t i0 = a < 0 ? 0 : (size_t)a;
            size_t i1 = bnd < 0 ? 0 : bnd > (double)g->w ? g->w : (size_t)bnd;
            for (size_t i = i0; i < i1; i++)
                mask[j * g->w + i] = val;
        }
    }
    free(xs);
}

/* Mark the cells along a polyline. */
static void touch_line(const imp__grid *g, const double *xy, size_t n, uint8_t *mask)
{
    for (size_t i = 0; i + 1 < n; i++) {
        double dx = xy[2 * i + 2] - xy[2 * i], dy = xy[2 * i + 3] - xy[2 * i + 1];
        size_t steps = (size_t)(hypot(dx, dy) / (g->res / 4)) + 1;
        for (size_t s = 0; s <= steps; s++) {
            double t = (double)s / (double)steps;
            mask[imp__grid_cell(g, xy[2 * i] + t * dx, xy[2 * i + 1] + t * dy)] = 1;
        }
    }
}

/* Exact Euclidean distance transform -------------------------------------------------------- */

/* Felzenszwalb-Huttenlocher 1D squared distance transform of f (n values, stride `st`). */
static void dt1d(double *f, size_t n, size_t st, double *tmp, int *v, double *z)
{
    int k = 0;
    v[0] = 0;
    z[0] = -EDT_FAR;
    z[1] = EDT_FAR;
    for (int q = 1; q < (int)n; q++) {
        double fq = f[(size_t)q * st] + (double)q * q, s;
        for (;;) { /* z[0] is below any s, so this stops at k = 0 at the latest */
            int p = v[k];
            s = (fq - (f[(size_t)p * st] + (double)p * p)) / (2.0 * (q - p));
            if (s > z[k] || k == 0)
                break;
            k--;
        }
        k++;
        v[k] = q;
        z[k] = s;
        z[k + 1] = EDT_FAR;
    }
    k = 0;
    for (int q = 0; q < (int)n; q++) {
        while (z[k + 1] < q)
            k++;
        double dq = (double)(q - v[k]);
        tmp[q] = dq * dq + f[(size_t)v[k] * st];
    }
    for (size_t q = 0; q < n; q++)
        f[q * st] = tmp[q];
}

/* out[cell] = distance (m) from the cell centre to the nearest marked cell, capped. */
static void edt(const imp__grid *g, const uint8_t *mask, double maxdist, float *out)
{
    size_t w = g->w, h = g->h, n = w > h ? w : h;
    double *f = tl_xmalloc(w * h * sizeof(double));
    double *tmp = tl_xmalloc(n * sizeof(double)), *z = tl_xmalloc((n + 1) * sizeof(double));
    int *v = tl_xmalloc(n * sizeof(int));
    for (size_t i = 0; i < w * h; i++)
        f[i] = mask[i] ? 0.0 : EDT_FAR;
    for (size_t i = 0; i < w; i++)
        dt1d(f + i, h, w, tmp, v, z);
    for (size_t j = 0; j < h; j++)
        dt1d(f + j * w, w, 1, tmp, v, z);
    for (size_t i = 0; i < w * h; i++) {
        double dd = sqrt(f[i]) * g->res;
        out[i] = (float)(dd < maxdist ? dd : maxdist);
    }
    free(f);
    free(tmp);
    free(z);
    free(v);
}

/* Fields ------------------------------------------------------------------------------------- */

static void add_centres(imp__grid *g)
{
    for (size_t c = 0; c < imp__n_urban_centres; c++) {
        const imp__centre_def *u = &imp__urban_centres[c];
        double cx, cy, sg = u->sigma_km * 1000.0, reach = 5.0 * sg;
        imp__ll2xy(u->lon, u->lat, &cx, &cy);
        for (size_t j = 0; j < g->h; j++) {
            double y = g->maxy - ((double)j + 0.5) * g->res;
            if (fabs(y - cy) > reach)
                continue;
            for (size_t i = 0; i < g->w; i++) {
                double x = g->minx + ((double)i + 0.5) * g->res;
                if (fabs(x - cx) > reach)
                    continue;
                double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                g->u[j * g->w + i] += (float)(u->weight * exp(-r2 / (2.0 * sg * sg)));
            }
        }
    }
    for (size_t i = 0; i < g->w * g->h; i++)
        if (g->u[i] > 1.0f)
            g->u[i] = 1.0f;
}

static int road_distance(imp__demo *d, uint8_t *mask, tl_err *err)
{
    imp__grid *g = &d->grid;
    memset(mask, 0, g->w * g->h);
    for (size_t k = 0; k < d->n_main_lines; k++) {
        const double *xy;
        size_t n;
        if (imp__g_coords(d, d->main_line[k], &xy, &n, err) < 0)
            return -1;
        touch_line(g, xy, n, mask);
    }
    edt(g, mask, 10000.0, g->d_road);
    return 0;
}

static int water_distance(imp__demo *d, uint8_t *mask, tl_err *err)
{
    imp__grid *g = &d->grid;
    imp__pip wp;
    const GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    memset(mask, 0, g->w * g->h);
    if (imp__pip_build(d, &wp, d->water, g->res, err) < 0)
        return -1;
    fill_mask(g, &wp, mask, 1);
    imp__pip_free(&wp);
    int rc = imp__g_poly_parts(d, d->water, &parts, &n, &cap, err);
    for (size_t k = 0; k < n && rc == 0; k++) { /* all touched: add the boundary cells */
        int nh = GEOSGetNumInteriorRings_r(d->h, parts[k]);
        for (int r = -1; r < nh && rc == 0; r++) {
            const double *xy;
            size_t np;
            rc = imp__g_coords(d,
                               r < 0 ? GEOSGetExteriorRing_r(d->h, parts[k])
                                     : GEOSGetInteriorRingN_r(d->h, parts[k], r),
                               &xy, &np, err);
            if (rc == 0)
                touch_line(g, xy, np, mask);
        }
    }
    free(parts);
    if (rc == 0)
        edt(g, mask, 3000.0, g->d_water);
    return rc;
}

/* Industrial parks raster (1 established, 0.6 planned) into parks[]. */
static void park_field(imp__demo *d, uint8_t *mask, float *parks)
{
    imp__grid *g = &d->grid;
    for (size_t s = 0; s < d->n_sp; s++) {
        if (d->sp[s].kind != IMP_SP_PARK)
            continue;
        memset(mask, 0, g->w * g->h);
        fill_mask(g, &d->sp[s].pip, mask, 1);
        float v = imp__parks[d->sp[s].idx].planned ? 0.6f : 1.0f;
        for (size_t i = 0; i < g->w * g->h; i++)
            if (mask[i])
                parks[i] = v;
    }
}

int imp__grid_build(imp__demo *d, tl_err *err)
{
    imp__grid *g = &d->grid;
    tl_bbox bb = imp__g_bbox(d, d->province);
    g->res = GRID_RES;
    g->minx = bb.minx - 500.0;
    g->maxy = bb.maxy + 500.0;
    g->w = (size_t)ceil((bb.maxx + 500.0 - g->minx) / g->res);
    g->h = (size_t)ceil((g->maxy - (bb.miny - 500.0)) / g->res);
    size_t n = g->w * g->h;
    g->u = tl_xcalloc(n, sizeof(float));
    g->d_road = tl_xcalloc(n, sizeof(float));
    g->d_water = tl_xcalloc(n, sizeof(float));
    g->dens = tl_xcalloc(n, sizeof(float));
    g->land = tl_xcalloc(n, 1);
    g->district = tl_xmalloc(n);
    memset(g->district, -1, n);
    uint8_t *mask = tl_xmalloc(n);
    float *parks = tl_xcalloc(n, sizeof(float));
    add_centres(g);
    int rc = road_distance(d, mask, err);
    if (rc == 0)
        rc = water_distance(d, mask, err);
    if (rc == 0) {
        fill_mask(g, &d->land_pip, g->land, 1);
        park_field(d, mask, parks);
        for (int k = 0; k < IMP_N_DISTRICTS && rc == 0; k++) {
            imp__pip dp;
            rc = imp__pip_build(d, &dp, d->district[k], g->res, err);
            if (rc == 0)
                fill_mask(g, &dp, (uint8_t *)g->district, (uint8_t)k);
            imp__pip_free(&dp);
        }
        for (size_t i = 0; i < n; i++) {
            double u = g->u[i], dr = g->d_road[i];
            double ribbon = exp(-dr * dr / (2.0 * 350.0 * 350.0));
            double v = 0.045 + 1.7 * pow(u, 1.3) + 0.30 * ribbon * (0.3 + u) + 0.35 * parks[i];
            g->dens[i] = g->land[i] ? (float)v : 0.0f;
        }
    }
    free(mask);
    free(parks);
    return rc;
}

void imp__grid_free(imp__grid *g)
{
    free(g->u);
    free(g->d_road);
    free(g->d_water);
    free(g->dens);
    free(g->land);
    free(g->district);
    memset(g, 0, sizeof *g);
}

/* Weighted draws ------------------------------------------------------------------------------ */

int imp__grid_draw(imp__demo *d, double *weight, size_t n, imp__rng *r, int k, double *out,
                   tl_err *err)
{
    imp__grid *g = &d->grid;
    size_t nc = g->w * g->h, got = 0, tries = 0;
    double acc = 0.0;
    for (size_t i = 0; i < nc; i++) {
        acc += weight[i];
        weight[i] = acc;
    }
    if (!(acc > 0.0)) {
        TL_FAIL(err, TL_EINTERNAL, "demo density field is empty");
        return -1;
    }
    while (got < n) {
        if (++tries > 100 * n + 100000) {
            TL_FAIL(err, TL_EINTERNAL, "cannot place %zu demo seeds on land", n);
            return -1;
        }
        double t = imp__rng_unif(r) * acc;
        size_t lo = 0, hi = nc - 1;
        while (lo < hi) { /* first cell with cumulative weight > t */
            size_t mid = (lo + hi) / 2;
            if (weight[mid] > t)
                hi = mid;
            else
                lo = mid + 1;
        }
        size_t i = lo % g->w, j = lo / g->w;
        double x = g->minx + ((double)i + imp__rng_unif(r)) * g->res;
        double y = g->maxy - ((double)j + imp__rng_unif(r)) * g->res;
        if (!imp__on_land(d, x, y))
            continue;
        if (k >= 0 && g->district[imp__grid_cell(g, x, y)] != k)
            continue;
        out[2 * got] = x;
        out[2 * got + 1] = y;
        got++;
    }
    return 0;
}
