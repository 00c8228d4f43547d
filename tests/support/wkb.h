/* wkb.h: tiny ISO WKB builders for tests (little-endian, 2D). Header-only, test use only. */
#ifndef TESTS_WKB_H
#define TESTS_WKB_H

#include <stdint.h>
#include <string.h>

typedef struct twkb {
    unsigned char b[8192];
    size_t n;
} twkb;

static inline void twkb_u8(twkb *w, uint8_t v) { w->b[w->n++] = v; }
static inline void twkb_u32(twkb *w, uint32_t v)
{
    memcpy(w->b + w->n, &v, 4);
    w->n += 4;
}
static inline void twkb_f64(twkb *w, double v)
{
    memcpy(w->b + w->n, &v, 8);
    w->n += 8;
}

/* Start a MultiPolygon of one polygon with n_rings rings. */
static inline void twkb_polygon_head(twkb *w, uint32_t n_rings)
{
    w->n = 0;
    twkb_u8(w, 1);
    twkb_u32(w, 6);
    twkb_u32(w, 1);
    twkb_u8(w, 1);
    twkb_u32(w, 3);
    twkb_u32(w, n_rings);
}

/* MultiPolygon of one axis-aligned rectangle, optionally with a rectangular hole. */
static inline void twkb_rect(twkb *w, double x0, double y0, double x1, double y1,
                             const double *hole /* x0 y0 x1 y1 or NULL */)
{
    twkb_polygon_head(w, hole ? 2 : 1);
    for (int r = 0; r < (hole ? 2 : 1); r++) {
        double a = r ? hole[0] : x0, b = r ? hole[1] : y0, c = r ? hole[2] : x1,
               d = r ? hole[3] : y1;
        twkb_u32(w, 5);
        double pts[10] = {a, b, c, b, c, d, a, d, a, b};
        for (int i = 0; i < 10; i++)
            twkb_f64(w, pts[i]);
    }
}

/* MultiPolygon of one polygon: an exterior ring through n points (xy interleaved, not
 * closed: the first point is repeated at the end here). */
static inline void twkb_ring(twkb *w, const double *xy, uint32_t n)
{
    twkb_polygon_head(w, 1);
    twkb_u32(w, n + 1);
    for (uint32_t i = 0; i <= n; i++) {
        twkb_f64(w, xy[2 * (i % n)]);
        twkb_f64(w, xy[2 * (i % n) + 1]);
    }
}

/* LineString through n points (xy interleaved). */
static inline void twkb_line(twkb *w, const double *xy, uint32_t n)
{
    w->n = 0;
    twkb_u8(w, 1);
    twkb_u32(w, 2);
    twkb_u32(w, n);
    for (uint32_t i = 0; i < 2 * n; i++)
        twkb_f64(w, xy[i]);
}

#endif
