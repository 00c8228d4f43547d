/* overlap.c: does any polygon of a snapshot overlap another one (interiors intersect)?
 * A layer whose polygons never overlap -- a coverage, like a zoning plan -- can have its
 * fills drawn in batches without changing the picture (styles/render.c).
 *
 * Two polygons A and B with connected interiors overlap exactly when a piece of A's
 * boundary runs through B's interior, or a piece of B's through A's, or they are equal
 * (if neither boundary enters the other's interior, the interior of each lies wholly
 * inside or wholly outside the other). So: cut every edge of A where B's boundary crosses
 * or touches it and test the middle of each piece against B (even-odd over all of B's
 * rings, holes included); the same the other way; and a probe just inside each outer ring
 * catches equal parts. Points within TOL of the other boundary count as on it: shared
 * edges of neighbouring parcels, re-projected independently, differ by far less, and an
 * overlap thinner than 2 TOL cannot be seen. Any doubt answers "overlaps". The answer is a
 * flag per feature: 1 if it overlaps some other feature of the snapshot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_int.h"

#define TOL 0.01          /* metres (EPSG:3857 units): 1 cm */
#define MAX_CUTS 256      /* pieces per edge; more: answer "overlaps" */
#define CANCEL_EVERY 1024 /* features between looks at the cancel flag */
/* Work for one pair grows with the product of their vertex counts: above this the pair
 * counts as overlapping (two 2,000-vertex district outlines, not parcels) */
#define MAX_PAIR_WORK (1u << 22)

typedef struct ring {
    const double *p; /* n points, the last one repeating the first */
    uint32_t n;
    int outer;
} ring;

static void feature_rings(const lyr_snapshot *s, uint32_t f, ring *out, uint32_t *n_out,
                          uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t k = s->feat_part[f]; k < s->feat_part[f + 1] && n < max; k++) {
        uint32_t a = s->part_start[k], b = s->part_start[k + 1];
        if (b - a < 4)
            continue;
        out[n].p = s->xy + 2 * (size_t)a;
        out[n].n = b - a;
        out[n].outer = s->ring_outer[k];
        n++;
    }
    *n_out = n;
}

static double seg_dist2(double x, double y, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1];
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0.0 ? ((x - a[0]) * dx + (y - a[1]) * dy) / l2 : 0.0;
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    double ex = a[0] + t * dx - x, ey = a[1] + t * dy - y;
    return ex * ex + ey * ey;
}

/* 1: strictly inside the rings (even-odd), 0: outside, -1: within TOL of a ring. */
static int point_in(const ring *r, uint32_t nr, double x, double y)
{
    int in = 0;
    for (uint32_t i = 0; i < nr; i++) {
        const double *p = r[i].p;
        for (uint32_t k = 0; k + 1 < r[i].n; k++) {
            const double *a = p + 2 * k, *b = a + 2;
            if (seg_dist2(x, y, a, b) < TOL * TOL)
                return -1;
            if ((a[1] > y) != (b[1] > y)) {
                double xi = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if (x < xi)
                    in ^= 1;
            }
        }
    }
    return in;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Where (as parameters t of p->q) B's edge c->d meets p->q; appends to t[]. */
static void cuts(const double *p, const double *q, const double *c, const double *d, double *t,
                 size_t *nt)
{
    double rx = q[0] - p[0], ry = q[1] - p[1], sx = d[0] - c[0], sy = d[1] - c[1];
    double wx = c[0] - p[0], wy = c[1] - p[1];
    double den = rx * sy - ry * sx;
    double rl = sqrt(rx * rx + ry * ry), sl = sqrt(sx * sx + sy * sy);
    if (rl == 0.0 || sl == 0.0)
        return;
    if (fabs(den) <= 1e-12 * rl * sl) { /* parallel: collinear pieces cut at c and d */
        if (fabs(wx * ry - wy * rx) > TOL * rl)
            return;
        double tc = (wx * rx + wy * ry) / (rl * rl);
        double td = ((d[0] - p[0]) * rx + (d[1] - p[1]) * ry) / (rl * rl);
        if (tc > 0.0 && tc < 1.0 && *nt < MAX_CUTS)
            t[(*nt)++] = tc;
        if (td > 0.0 && td < 1.0 && *nt < MAX_CUTS)
            t[(*nt)++] = td;
        return;
    }
    double tt = (wx * sy - wy * sx) / den, u = (wx * ry - wy * rx) / den;
    double eu = TOL / sl;
    if (tt > 0.0 && tt < 1.0 && u >= -eu && u <= 1.0 + eu && *nt < MAX_CUTS)
        t[(*nt)++] = tt;
}

/* Does a piece of A's boundary run through B's interior? (1 also when unsure) */
static int boundary_enters(const ring *ra, uint32_t na, const ring *rb, uint32_t nb,
                           const tl_bbox *bb)
{
    double t[MAX_CUTS + 2];
    for (uint32_t i = 0; i < na; i++) {
        for (uint32_t k = 0; k + 1 < ra[i].n; k++) {
            const double *p = ra[i].p + 2 * k, *q = p + 2;
            if (fmax(p[0], q[0]) < bb->minx - TOL || fmin(p[0], q[0]) > bb->maxx + TOL ||
                fmax(p[1], q[1]) < bb->miny - TOL || fmin(p[1], q[1]) > bb->maxy + TOL)
                continue; /* wholly outside B's box */
            size_t nt = 0;
            t[nt++] = 0.0;
            t[nt++] = 1.0;
            for (uint32_t j = 0; j < nb; j++)
                for (uint32_t m = 0; m + 1 < rb[j].n; m++)
                    cuts(p, q, rb[j].p + 2 * m, rb[j].p + 2 * m + 2, t, &nt);
            if (nt >= MAX_CUTS)
                return 1;
            qsort(t, nt, sizeof *t, cmp_double);
            double len = hypot(q[0] - p[0], q[1] - p[1]);
            for (size_t m = 0; m + 1 < nt; m++) {
                if ((t[m + 1] - t[m]) * len <= TOL)
                    continue;
                double h = (t[m] + t[m + 1]) / 2.0;
                if (point_in(rb, nb, p[0] + h * (q[0] - p[0]), p[1] + h * (q[1] - p[1])) == 1)
                    return 1;
            }
        }
    }
    return 0;
}

/* A point 2 TOL inside each outer ring of A (beside the middle of its longest edge): is it
 * inside B? Catches a part of A equal to a part of B. */
static int probe_enters(const ring *ra, uint32_t na, const ring *rb, uint32_t nb)
{
    for (uint32_t i = 0; i < na; i++) {
        if (!ra[i].outer)
            continue;
        const double *p = ra[i].p;
        double area2 = 0.0, best = 0.0;
        uint32_t bk = 0;
        for (uint32_t k = 0; k + 1 < ra[i].n; k++) {
            const double *a = p + 2 * k, *b = a + 2;
            area2 += a[0] * b[1] - b[0] * a[1];
            double l = hypot(b[0] - a[0], b[1] - a[1]);
            if (l > best) {
                best = l;
                bk = k;
            }
        }
        if (best <= 8.0 * TOL || area2 == 0.0)
            return 1; /* too small to probe: unsure */
        const double *a = p + 2 * bk, *b = a + 2;
        double nx = -(b[1] - a[1]) / best, ny = (b[0] - a[0]) / best; /* left normal */
        if (area2 < 0.0) { /* clockwise: the inside is on the right */
            nx = -nx;
            ny = -ny;
        }
        double x = (a[0] + b[0]) / 2.0 + 2.0 * TOL * nx, y = (a[1] + b[1]) / 2.0 + 2.0 * TOL * ny;
        if (point_in(ra, na, x, y) == 1 && point_in(rb, nb, x, y) == 1)
            return 1;
    }
    return 0;
}

#define MAX_RINGS 4096

typedef struct pair_ctx {
    const lyr_snapshot *s;
    uint32_t a;
    ring *ra, *rb;
    uint32_t na;
    uint8_t *flag;
} pair_ctx;

static int pair_overlaps(pair_ctx *c, uint32_t b)
{
    const tl_bbox *A = &c->s->bbox[c->a], *B = &c->s->bbox[b];
    double w = fmin(A->maxx, B->maxx) - fmax(A->minx, B->minx);
    double h = fmin(A->maxy, B->maxy) - fmax(A->miny, B->miny);
    if (w <= TOL || h <= TOL)
        return 0; /* boxes only touch: the polygons cannot overlap */
    if (c->s->feat_part[b + 1] - c->s->feat_part[b] > MAX_RINGS)
        return 1; /* unsure */
    uint32_t nb;
    feature_rings(c->s, b, c->rb, &nb, MAX_RINGS);
    if (c->na == 0 || nb == 0)
        return 0;
    uint64_t pa = 0, pb = 0;
    for (uint32_t i = 0; i < c->na; i++)
        pa += c->ra[i].n;
    for (uint32_t i = 0; i < nb; i++)
        pb += c->rb[i].n;
    if (pa * pb > MAX_PAIR_WORK)
        return 1; /* unsure: not worth the time */
    return boundary_enters(c->ra, c->na, c->rb, nb, B) ||
           boundary_enters(c->rb, nb, c->ra, c->na, A) || probe_enters(c->ra, c->na, c->rb, nb) ||
           probe_enters(c->rb, nb, c->ra, c->na);
}

static int visit(void *ud, uint32_t b)
{
    pair_ctx *c = ud;
    if (b <= c->a || (c->flag[c->a] && c->flag[b]))
        return 0; /* each pair once; both already known to overlap something */
    if (pair_overlaps(c, b))
        c->flag[c->a] = c->flag[b] = 1;
    return 0;
}

int lyr_snapshot_check_overlaps(lyr_snapshot *s, const atomic_int *cancel)
{
    if (atomic_load(&s->overlap_flags))
        return 0;
    if (s->kind != LYR_GEOM_POLYGON)
        return -1;
    ring *ra = malloc(2 * MAX_RINGS * sizeof *ra);
    uint8_t *flag = calloc(s->n ? s->n : 1, 1);
    if (!ra || !flag) {
        free(ra);
        free(flag);
        return -1;
    }
    pair_ctx c = {s, 0, ra, ra + MAX_RINGS, 0, flag};
    for (size_t i = 0; i < s->n; i++) {
        if (i % CANCEL_EVERY == 0 && cancel && atomic_load(cancel)) {
            free(ra);
            free(flag);
            return -1;
        }
        if (s->feat_part[i + 1] - s->feat_part[i] > MAX_RINGS) { /* unsure */
            flag[i] = 1;
            continue;
        }
        c.a = (uint32_t)i;
        feature_rings(s, c.a, ra, &c.na, MAX_RINGS);
        (void)lyr__rtree_search(&s->rtree, &s->bbox[i], visit, &c);
    }
    free(ra);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += flag[i];
    atomic_store(&s->n_overlapping, k); /* the same number if someone else was faster */
    uint8_t *none = NULL;
    if (!atomic_compare_exchange_strong(&s->overlap_flags, &none, flag))
        free(flag); /* someone else was faster */
    return 0;
}

const uint8_t *lyr_snapshot_overlap_flags(const lyr_snapshot *s)
{
    return atomic_load(&((lyr_snapshot *)s)->overlap_flags);
}

int lyr_snapshot_overlap_count(const lyr_snapshot *s, size_t *n)
{
    lyr_snapshot *m = (lyr_snapshot *)s;
    if (!atomic_load(&m->overlap_flags))
        return 0;
    *n = atomic_load(&m->n_overlapping);
    return 1;
}
