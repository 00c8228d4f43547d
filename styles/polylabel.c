/* polylabel.c: the pole of inaccessibility of a polygon (the interior point farthest from
 * its edges), by the quadtree search of Mapbox's polylabel, over the snapshot's own ring
 * arrays (no GEOS on the serving path). The label of a concave parcel lands inside it. */
#include <float.h>
#include <math.h>

#include "styles/text_int.h"

#define MAX_CELLS 4000 /* cells examined per polygon: bounds the time on huge rings */
#define SIMPLIFY_PX 0.5

typedef struct cell {
    double x, y, h; /* centre, half side */
    double d;       /* signed distance of the centre to the polygon (> 0 inside) */
    double max;     /* best distance any point of the cell can have */
} cell;

typedef struct poly {
    const double *xy; /* transformed coordinates, all rings */
    const uint32_t *start;
    uint32_t n_rings;
} poly;

/* Signed distance from (x, y) to the rings: positive inside (even-odd), negative outside. */
static double signed_dist(const poly *p, double x, double y)
{
    int inside = 0;
    double best = DBL_MAX;
    for (uint32_t r = 0; r < p->n_rings; r++) {
        uint32_t a = p->start[r], b = p->start[r + 1];
        for (uint32_t i = a, j = b - 1; i < b; j = i++) {
            const double *pi = p->xy + 2 * (size_t)i, *pj = p->xy + 2 * (size_t)j;
            if ((pi[1] > y) != (pj[1] > y) &&
                x < (pj[0] - pi[0]) * (y - pi[1]) / (pj[1] - pi[1]) + pi[0])
                inside = !inside;
            double dx = pj[0] - pi[0], dy = pj[1] - pi[1], t = 0.0;
            double l2 = dx * dx + dy * dy;
            if (l2 > 0.0) {
                t = ((x - pi[0]) * dx + (y - pi[1]) * dy) / l2;
                t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
            }
            double ex = pi[0] + t * dx - x, ey = pi[1] + t * dy - y;
            double d2 = ex * ex + ey * ey;
            if (d2 < best)
                best = d2;
        }
    }
    return (inside ? 1.0 : -1.0) * sqrt(best);
}

static cell make_cell(const poly *p, double x, double y, double h)
{
    cell c = {x, y, h, signed_dist(p, x, y), 0.0};
    c.max = c.d + h * M_SQRT2;
    return c;
}

/* A max-heap of cells on c->max. */
static void heap_push(cell *hp, size_t *n, cell c)
{
    size_t i = (*n)++;
    hp[i] = c;
    while (i > 0 && hp[(i - 1) / 2].max < hp[i].max) {
        cell t = hp[i];
        hp[i] = hp[(i - 1) / 2];
        hp[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static cell heap_pop(cell *hp, size_t *n)
{
    cell top = hp[0];
    hp[0] = hp[--*n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && hp[l].max > hp[m].max)
            m = l;
        if (r < *n && hp[r].max > hp[m].max)
            m = r;
        if (m == i)
            break;
        cell t = hp[i];
        hp[i] = hp[m];
        hp[m] = t;
        i = m;
    }
    return top;
}

double sty__polylabel(const lyr_geom_view *g, uint32_t first, uint32_t last, double ox,
                      double oy, double k, double precision, tl_arena *a, double *px,
                      double *py)
{
    uint32_t p0 = g->part_start[first], p1 = g->part_start[last];
    double *xy = tl_arena_alloc(a, 2 * (size_t)(p1 - p0) * sizeof *xy);
    uint32_t *start = tl_arena_alloc(a, (size_t)(last - first + 1) * sizeof *start);
    double minx = DBL_MAX, miny = DBL_MAX, maxx = -DBL_MAX, maxy = -DBL_MAX;
    /* Vertices closer than SIMPLIFY_PX to the last one kept are dropped: the search costs
     * (cells x vertices), a district ring has thousands of vertices a few per pixel at low
     * zooms, and the answer is wanted to `precision` (1 px) anyway. The transform is the
     * label cell's, the same for every tile of the cell, so the point is too. */
    const double d2 = SIMPLIFY_PX * SIMPLIFY_PX;
    uint32_t m = 0;
    for (uint32_t r = first; r < last; r++) {
        uint32_t a0 = g->part_start[r], a1 = g->part_start[r + 1];
        start[r - first] = m;
        for (uint32_t i = a0; i < a1; i++) {
            double x = (g->xy[2 * (size_t)i] - ox) * k, y = (oy - g->xy[2 * (size_t)i + 1]) * k;
            if (m > start[r - first] && a1 - i > 3) { /* keep the last vertices of a ring */
                double dx = x - xy[2 * (size_t)(m - 1)], dy = y - xy[2 * (size_t)(m - 1) + 1];
                if (dx * dx + dy * dy < d2)
                    continue;
            }
            xy[2 * (size_t)m] = x;
            xy[2 * (size_t)m + 1] = y;
            m++;
            if (r == first) { /* outer ring */
                minx = fmin(minx, x), maxx = fmax(maxx, x);
                miny = fmin(miny, y), maxy = fmax(maxy, y);
            }
        }
    }
    start[last - first] = m;
    poly p = {xy, start, last - first};
    double w = maxx - minx, h = maxy - miny, side = fmin(w, h);
    *px = (minx + maxx) / 2.0;
    *py = (miny + maxy) / 2.0;
    if (!(side > 0.0))
        return 0.0;
    cell *hp = tl_arena_alloc(a, (MAX_CELLS + 4) * sizeof *hp);
    size_t n = 0, used = 0;
    double half = side / 2.0;
    for (double x = minx; x < maxx && n < MAX_CELLS; x += side)
        for (double y = miny; y < maxy && n < MAX_CELLS; y += side)
            heap_push(hp, &n, make_cell(&p, x + half, y + half, half));
    cell best = make_cell(&p, *px, *py, 0.0);
    used = n;
    while (n > 0) {
        cell c = heap_pop(hp, &n);
        if (c.d > best.d)
            best = c;
        if (c.max - best.d <= precision || used + 4 > MAX_CELLS)
            continue;
        double q = c.h / 2.0;
        heap_push(hp, &n, make_cell(&p, c.x - q, c.y - q, q));
        heap_push(hp, &n, make_cell(&p, c.x + q, c.y - q, q));
        heap_push(hp, &n, make_cell(&p, c.x - q, c.y + q, q));
        heap_push(hp, &n, make_cell(&p, c.x + q, c.y + q, q));
        used += 4;
    }
    *px = best.x;
    *py = best.y;
    return best.d;
}
