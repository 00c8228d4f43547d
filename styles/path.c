/* path.c: turns a snapshot's EPSG:3857 geometry view into a Cairo path in tile pixels,
 * dropping sub-pixel vertices on the fly and clipping only geometry that would overflow
 * Cairo's 24.8 fixed-point coordinates. */
#include <cairo.h>

#include "styles/styles_int.h"

/* Cairo stores device coordinates as 24.8 fixed point (about +-8.4 million pixels). A
 * feature whose pixel bbox stays within +-SAFE_PX is drawn whole, so dashes keep their
 * phase from tile to tile. A bigger one (a province outline at z22) is clipped to the
 * tile grown by CLIP_MARGIN pixels: far beyond any stroke, so the clip edges never show. */
#define SAFE_PX 4194304.0
#define CLIP_MARGIN 4096.0

/* Emit pixel coordinates q[0..n) as one sub-path. Rings are closed. A vertex closer than
 * sqrt(d2) to the last one drawn is skipped, except the end of an open line. */
static void emit_px(cairo_t *cr, const double *q, size_t n, int closed, double d2)
{
    if (n == 0)
        return;
    double lx = q[0], ly = q[1];
    cairo_move_to(cr, lx, ly);
    for (size_t i = 1; i < n; i++) {
        double px = q[2 * i], py = q[2 * i + 1];
        double dx = px - lx, dy = py - ly;
        if (dx * dx + dy * dy < d2 && (closed || i != n - 1))
            continue;
        cairo_line_to(cr, px, py);
        lx = px;
        ly = py;
    }
    if (closed)
        cairo_close_path(cr);
}

/* The fast path: transform and emit in one pass, no scratch memory. */
static void emit_direct(cairo_t *cr, const double *p, size_t n, int closed, const sty__xform *x)
{
    const double ox = x->ox, oy = x->oy, k = x->k, d2 = x->min_d2;
    if (closed && n > 1 && p[0] == p[2 * (n - 1)] && p[1] == p[2 * (n - 1) + 1])
        n--; /* the closing vertex: close_path draws that edge */
    if (n == 0)
        return;
    double lx = (p[0] - ox) * k, ly = (oy - p[1]) * k;
    cairo_move_to(cr, lx, ly);
    for (size_t i = 1; i < n; i++) {
        double px = (p[2 * i] - ox) * k, py = (oy - p[2 * i + 1]) * k;
        double dx = px - lx, dy = py - ly;
        if (dx * dx + dy * dy < d2 && (closed || i != n - 1))
            continue;
        cairo_line_to(cr, px, py);
        lx = px;
        ly = py;
    }
    if (closed)
        cairo_close_path(cr);
}

/* Clipping of oversized geometry --------------------------------------------------------- */

typedef struct clip_rect {
    double lo, hi; /* the same bounds on both axes */
} clip_rect;

/* One Sutherland-Hodgman pass of a closed ring (n vertices, no repeated closing vertex)
 * against the half-plane axis `ax` >= lo (side 0) or <= hi (side 1). out holds 2n points. */
static size_t clip_pass(const double *in, size_t n, double *out, int ax, int side,
                        const clip_rect *r)
{
    double b = side ? r->hi : r->lo;
    size_t m = 0;
    if (n == 0)
        return 0;
    const double *s = in + 2 * (n - 1);
    int s_in = side ? s[ax] <= b : s[ax] >= b;
    for (size_t i = 0; i < n; i++) {
        const double *e = in + 2 * i;
        int e_in = side ? e[ax] <= b : e[ax] >= b;
        if (e_in != s_in) {
            double t = (b - s[ax]) / (e[ax] - s[ax]);
            out[2 * m + (size_t)ax] = b;
            out[2 * m + (size_t)(1 - ax)] = s[1 - ax] + t * (e[1 - ax] - s[1 - ax]);
            m++;
        }
        if (e_in) {
            out[2 * m] = e[0];
            out[2 * m + 1] = e[1];
            m++;
        }
        s = e;
        s_in = e_in;
    }
    return m;
}

static void emit_ring_clipped(cairo_t *cr, const double *q, size_t n, const clip_rect *r,
                              double d2, tl_arena *a)
{
    if (n > 1 && q[0] == q[2 * (n - 1)] && q[1] == q[2 * (n - 1) + 1])
        n--;
    const double *cur = q;
    for (int pass = 0; pass < 4 && n > 0; pass++) {
        double *out = tl_arena_alloc(a, (2 * n + 2) * 2 * sizeof *out);
        n = clip_pass(cur, n, out, pass & 1, pass >> 1, r);
        cur = out;
    }
    if (n >= 3)
        emit_px(cr, cur, n, 1, d2);
}

/* Liang-Barsky: the part [t0, t1] of segment a->b inside r; 0 when none. */
static int clip_segment(const double *a, const double *b, const clip_rect *r, double *t0,
                        double *t1)
{
    double d[2] = {b[0] - a[0], b[1] - a[1]};
    *t0 = 0.0;
    *t1 = 1.0;
    for (int ax = 0; ax < 2; ax++) {
        double p[2] = {-d[ax], d[ax]};
        double q[2] = {a[ax] - r->lo, r->hi - a[ax]};
        for (int i = 0; i < 2; i++) {
            if (p[i] == 0.0) {
                if (q[i] < 0.0)
                    return 0;
                continue;
            }
            double t = q[i] / p[i];
            if (p[i] < 0.0) {
                if (t > *t1)
                    return 0;
                if (t > *t0)
                    *t0 = t;
            } else {
                if (t < *t0)
                    return 0;
                if (t < *t1)
                    *t1 = t;
            }
        }
    }
    return 1;
}

static void emit_line_clipped(cairo_t *cr, const double *q, size_t n, const clip_rect *r)
{
    int open = 0; /* a sub-path is running and ends at q[i] */
    for (size_t i = 0; i + 1 < n; i++) {
        const double *a = q + 2 * i, *b = a + 2;
        double t0, t1;
        if (!clip_segment(a, b, r, &t0, &t1)) {
            open = 0;
            continue;
        }
        double dx = b[0] - a[0], dy = b[1] - a[1];
        if (!open || t0 > 0.0)
            cairo_move_to(cr, a[0] + t0 * dx, a[1] + t0 * dy);
        cairo_line_to(cr, a[0] + t1 * dx, a[1] + t1 * dy);
        open = t1 >= 1.0;
    }
}

static void emit_clipped(cairo_t *cr, const double *p, size_t n, int closed,
                         const sty__xform *x, tl_arena *a)
{
    clip_rect r = {-CLIP_MARGIN, x->size + CLIP_MARGIN};
    double *q = tl_arena_alloc(a, 2 * n * sizeof *q);
    for (size_t i = 0; i < n; i++) {
        q[2 * i] = (p[2 * i] - x->ox) * x->k;
        q[2 * i + 1] = (x->oy - p[2 * i + 1]) * x->k;
    }
    if (closed)
        emit_ring_clipped(cr, q, n, &r, x->min_d2, a);
    else
        emit_line_clipped(cr, q, n, &r);
}

/* Entry point ------------------------------------------------------------------------------ */

void sty__path_geom(cairo_t *cr, const lyr_geom_view *g, const sty__xform *x, tl_arena *a)
{
    if (g->kind == LYR_GEOM_POINT || g->n_parts == 0)
        return;
    int closed = g->kind == LYR_GEOM_POLYGON;
    double x0 = (g->bbox.minx - x->ox) * x->k, x1 = (g->bbox.maxx - x->ox) * x->k;
    double y0 = (x->oy - g->bbox.maxy) * x->k, y1 = (x->oy - g->bbox.miny) * x->k;
    int safe = x0 > -SAFE_PX && x1 < SAFE_PX && y0 > -SAFE_PX && y1 < SAFE_PX;
    for (uint32_t i = 0; i < g->n_parts; i++) {
        uint32_t s = g->part_start[i], e = g->part_start[i + 1];
        if (e <= s)
            continue;
        if (safe)
            emit_direct(cr, g->xy + 2 * (size_t)s, e - s, closed, x);
        else
            emit_clipped(cr, g->xy + 2 * (size_t)s, e - s, closed, x, a);
    }
}
