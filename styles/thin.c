/* thin.c: solid polygon outlines at most STY_THIN_MAX_PX wide, the fills under them,
 * every other solid polygon fill (batched or one by one) and solid lines with round caps,
 * drawn straight into the tile's premultiplied ARGB32 pixels instead of through Cairo
 * (outlines first below; fills: "Signed-area accumulation"; lines at the end).
 *
 * Why: at z14-z17 every zoning parcel is outlined 0.5-0.8 px wide, and Cairo 1.16 spends
 * some 25-36k instructions on each such ring (offset polygon, joins, tessellation, scan
 * conversion): a third of all rendering over the bench tiles. AGG's stroker costs the same
 * (stand-alone: 1.46 vs Cairo's 1.53 us per 10-vertex ring). A line this thin is a band
 * no wider than a pixel, so its coverage can be taken straight from each pixel's distance
 * to the segment.
 *
 * Coverage of a pixel by one segment's band (half-width hw, extended by hw past both ends,
 * which closes the joins like a miter does at this width): the pixel is projected on the
 * segment's normal and on its direction, where it spans [-hn, hn] and [-ht, ht] around its
 * centre (hn = (|nx| + |ny|) / 2, the exact extent of a unit square), and the coverage is
 * the product of the two 1-D overlaps, each divided by the span. Exact for horizontal and
 * vertical lines; on random rings it is as close to Cairo's exact (GRAY) stroke as Cairo's
 * 4x4-sampled (FAST) one, with fewer large errors (tests/unit/styles/test_thin.c). The
 * segments of one feature combine by maximum (their union, not a sum: no dark dots at the
 * vertices), and the feature is composited once. Pixel centres are on the world pixel
 * grid, so neighbouring tiles compute the same coverage on their shared edge. */
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>

#include "styles/styles_int.h"

void sty__thin_init(sty__thin *t, uint8_t *px, int stride, int w, int h, uint8_t *cov,
                    float *acc, tl_arena *a)
{
    t->px = px;
    t->stride = stride;
    t->w = w;
    t->h = h;
    t->cov = cov ? cov : tl_arena_calloc(a, (size_t)w * (size_t)h, 1);
    t->x0 = t->y0 = 0;
    t->x1 = t->y1 = -1;
    t->hw = 0.25f;
    t->a = a;
    t->ev = NULL;
    t->acc = acc; /* NULL: made from `a` on first use */
    t->n_ev = t->cap_ev = 0;
    t->line = t->cells = (sty__spans){NULL, NULL};
    t->kb = NULL;
    t->spans = 0;
}

void sty__thin_begin(sty__thin *t, double width)
{
    t->hw = (float)(width / 2.0);
    t->x0 = t->w;
    t->y0 = t->h;
    t->x1 = t->y1 = -1;
    t->n_ev = 0;
    t->vx0 = t->vy0 = INFINITY;
    t->vx1 = t->vy1 = -INFINITY;
}

/* fminf and fmaxf are calls into libm at -O2 (NaN rules); the values here are finite. */
static inline float minf(float a, float b)
{
    return a < b ? a : b;
}

static inline float maxf(float a, float b)
{
    return a > b ? a : b;
}

/* Keep an edge of the feature's rings for its fill (device pixels). */
static void keep_edge(sty__thin *t, double ax, double ay, double bx, double by)
{
    t->ev = tl_arena_grow(t->a, t->ev, t->n_ev, &t->cap_ev, sizeof *t->ev, 64);
    sty__thin_edge *e = &t->ev[t->n_ev++];
    *e = (sty__thin_edge){(float)ax, (float)ay, (float)bx, (float)by};
    t->vx0 = minf(t->vx0, minf(e->ax, e->bx));
    t->vx1 = maxf(t->vx1, maxf(e->ax, e->bx));
    t->vy0 = minf(t->vy0, minf(e->ay, e->by));
    t->vy1 = maxf(t->vy1, maxf(e->ay, e->by));
}

/* Spans -------------------------------------------------------------------------------------- */

/* Make `sp` (from the arena, all rows empty) if it is not yet; 0 if the surface is too wide
 * for int16_t columns. */
static int spans_make(sty__thin *t, sty__spans *sp)
{
    if (sp->lo)
        return 1;
    if (t->w + 2 > INT16_MAX || t->h > INT16_MAX)
        return 0;
    sp->lo = tl_arena_alloc(t->a, 2 * (size_t)t->h * sizeof *sp->lo);
    sp->hi = sp->lo + t->h;
    for (int y = 0; y < t->h; y++) {
        sp->lo[y] = INT16_MAX;
        sp->hi[y] = -1;
    }
    return 1;
}

/* Row y reached columns a..b. */
static inline void span_note(const sty__spans *sp, int y, int a, int b)
{
    sp->lo[y] = a < sp->lo[y] ? (int16_t)a : sp->lo[y];
    sp->hi[y] = b > sp->hi[y] ? (int16_t)b : sp->hi[y];
}

/* Row y's columns into *a, *b and the row emptied; 0 if it was empty. */
static inline int span_take(const sty__spans *sp, int y, int *a, int *b)
{
    *a = sp->lo[y];
    *b = sp->hi[y];
    sp->lo[y] = INT16_MAX;
    sp->hi[y] = -1;
    return *a <= *b;
}

static inline int ifloor(float v)
{
    int i = (int)v;
    return i - (v < (float)i);
}

/* Coverage in 17 levels (0, 1/16, ... 1), as Cairo's 4x4-sampled anti-aliasing has:
 * with 255 levels every edge pixel differs and the tiles' PNGs grew 25-60 % (z10-z16
 * bench tiles); positions stay exact, only the shade is rounded. */
static inline uint32_t level255(uint32_t q) /* q sixteenths, at most 16 of them, in 255ths */
{
    return q >= 16u ? 255u : (q * 255u + 8u) >> 4;
}

#ifdef __SSE2__
/* level255 of four counts of sixteenths (each at most 16), as the low 4 bytes. */
static inline __m128i level255x4(__m128i q)
{
    __m128i v = _mm_srli_epi32(_mm_add_epi32(_mm_sub_epi32(_mm_slli_epi32(q, 8), q),
                                             _mm_set1_epi32(8)), 4);
    return _mm_packus_epi16(_mm_packs_epi32(v, v), v);
}
#endif

static inline uint32_t q17(float f)
{
    return f >= 1.0f ? 255u : level255((uint32_t)(f * 16.0f + 0.5f));
}

static inline float overlap(float a0, float a1, float b0, float b1)
{
    float lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0.0f;
}

/* Coverage of the pixel whose centre is d across and u along the segment from its start. */
typedef struct seg_geom {
    float ux, uy, nx, ny; /* direction and normal */
    float len, hw, hn, ht, scale; /* scale = 16 / (4 hn ht): overlaps to 1/16ths */
    float t0, t1;                 /* where along the segment a pixel can be touched */
    float reach2;                 /* round: squared distance below which a pixel can be */
    float ma, mi;                 /* round: the normal's larger and smaller |component| */
} seg_geom;

static inline void put(sty__thin *t, const seg_geom *s, int x, int y, float d, float u)
{
    if (u <= s->t0 || u >= s->t1)
        return;
    float cn = overlap(d - s->hw, d + s->hw, -s->hn, s->hn);
    if (cn <= 0.0f)
        return;
    float ct = minf(s->len + s->hw, u + s->ht) - maxf(-s->hw, u - s->ht); /* > 0 within t0, t1 */
    uint32_t v = level255((uint32_t)(cn * ct * s->scale + 0.5f)); /* as q17 */
    uint8_t *o = &t->cov[(size_t)y * (size_t)t->w + (size_t)x];
    if (v > *o)
        *o = (uint8_t)v;
}

#ifdef __SSE2__
/* put() for pixels x .. x + n - 1 (1 <= n <= 4, x + 3 < w) of row y, d and u those of x. */
static inline void put4(sty__thin *t, const seg_geom *s, int x, int y, float d, float u, int n)
{
    const __m128 lane = _mm_set_ps(3.0f, 2.0f, 1.0f, 0.0f), zero = _mm_setzero_ps();
    const __m128 hw = _mm_set1_ps(s->hw), hn = _mm_set1_ps(s->hn), ht = _mm_set1_ps(s->ht);
    __m128 dv = _mm_add_ps(_mm_set1_ps(d), _mm_mul_ps(lane, _mm_set1_ps(s->nx)));
    __m128 uv = _mm_add_ps(_mm_set1_ps(u), _mm_mul_ps(lane, _mm_set1_ps(s->ux)));
    __m128 cn = _mm_sub_ps(_mm_min_ps(_mm_add_ps(dv, hw), hn),
                           _mm_max_ps(_mm_sub_ps(dv, hw), _mm_sub_ps(zero, hn)));
    __m128 ct = _mm_sub_ps(_mm_min_ps(_mm_set1_ps(s->len + s->hw), _mm_add_ps(uv, ht)),
                           _mm_max_ps(_mm_set1_ps(-s->hw), _mm_sub_ps(uv, ht)));
    __m128 ok = _mm_and_ps(_mm_cmpgt_ps(uv, _mm_set1_ps(s->t0)),
                           _mm_cmplt_ps(uv, _mm_set1_ps(s->t1)));
    ok = _mm_and_ps(ok, _mm_cmplt_ps(lane, _mm_set1_ps((float)n)));
    __m128 f = _mm_and_ps(ok, _mm_mul_ps(_mm_mul_ps(_mm_max_ps(cn, zero), ct),
                                         _mm_set1_ps(s->scale)));
    __m128i q = _mm_cvttps_epi32(_mm_add_ps(f, _mm_set1_ps(0.5f))); /* as q17 */
    const __m128i sixteen = _mm_set1_epi32(16);
    __m128i big = _mm_cmpgt_epi32(q, sixteen);
    q = _mm_or_si128(_mm_and_si128(big, sixteen), _mm_andnot_si128(big, q));
    __m128i v = level255x4(q);
    uint8_t *o = &t->cov[(size_t)y * (size_t)t->w + (size_t)x];
    uint32_t old, now;
    memcpy(&old, o, 4);
    now = (uint32_t)_mm_cvtsi128_si32(_mm_max_epu8(v, _mm_cvtsi32_si128((int)old)));
    memcpy(o, &now, 4);
}
#endif

/* The share of a pixel on the near side of a line through it: the pixel projected on the
 * line's normal spreads over [-(ma + mi) / 2, (ma + mi) / 2] as a trapezoid (ma, mi: the
 * normal's larger and smaller absolute component); `s` is the distance from that span's
 * start. Exact area, as Cairo's GRAY anti-aliasing. */
static inline float cdf(float s, float ma, float mi)
{
    if (s <= 0.0f)
        return 0.0f;
    if (s >= ma + mi)
        return 1.0f;
    if (mi < 1e-4f)
        return s / ma;
    if (s < mi)
        return s * s / (2.0f * ma * mi);
    if (s < ma)
        return (s - 0.5f * mi) / ma;
    float r = ma + mi - s;
    return 1.0f - r * r / (2.0f * ma * mi);
}

/* Coverage of the pixel whose centre is (rx, ry) from the segment's start by the segment
 * with round ends (a capsule): the exact share of the pixel between the two lines hw from
 * the one through its nearest point of the segment, across the direction to that point
 * (the normal along the segment, the radius around an end). */
static inline void put_round(sty__thin *t, const seg_geom *s, int x, int y, float rx, float ry)
{
    float u = rx * s->ux + ry * s->uy, d, ma, mi;
    if (u > 0.0f && u < s->len) {
        d = fabsf(rx * s->nx + ry * s->ny);
        ma = s->ma;
        mi = s->mi;
    } else {
        float ex = u <= 0.0f ? rx : rx - s->ux * s->len;
        float ey = u <= 0.0f ? ry : ry - s->uy * s->len;
        float r2 = ex * ex + ey * ey;
        if (r2 >= s->reach2)
            return;
        d = sqrtf(r2);
        float ax = fabsf(ex), ay = fabsf(ey);
        if (d > 1e-3f) {
            ma = maxf(ax, ay) / d;
            mi = minf(ax, ay) / d;
        } else {
            ma = 1.0f;
            mi = 0.0f;
        }
    }
    float h = 0.5f * (ma + mi);
    float c = cdf(s->hw - d + h, ma, mi) - cdf(-s->hw - d + h, ma, mi);
    if (c <= 0.0f)
        return;
    uint32_t v = q17(c);
    uint8_t *o = &t->cov[(size_t)y * (size_t)t->w + (size_t)x];
    if (v > *o)
        *o = (uint8_t)v;
}

/* The pixels [*a, *b] (within [lo, hi]) whose centres lie within m of c on one axis. */
static inline void within(float c, float m, int lo, int hi, int *a, int *b)
{
    int i = ifloor(c - m + 0.5f), j = ifloor(c + m - 0.5f);
    *a = i < lo ? lo : i;
    *b = j > hi ? hi : j;
}

/* A segment's coverage into t->cov (by maximum): the band with extended ends of the
 * outlines (`round` 0) or the capsule of the lines (`round` 1, which also notes the
 * columns reached in each row). Always inlined: each caller gets its own loops. */
static inline __attribute__((always_inline)) void
segment(sty__thin *t, double ax_, double ay_, double bx_, double by_, int round)
{
    const double lim = 2.0 * STY_THIN_LIMIT_PX;
    if (!(fabs(ax_) < lim && fabs(ay_) < lim && fabs(bx_) < lim && fabs(by_) < lim))
        return; /* NaN or out of float's precision: sty__thin_geom keeps such away */
    float ax = (float)ax_, ay = (float)ay_, bx = (float)bx_, by = (float)by_;
    float dx = bx - ax, dy = by - ay, len = sqrtf(dx * dx + dy * dy);
    if (!(len > 1e-6f)) {
        if (!round)
            return; /* a point: the neighbouring segments' extensions cover it */
        dx = 1e-6f; /* a round dot, as Cairo draws a zero-length line with round caps */
        dy = 0.0f;
        len = 1e-6f;
    }
    seg_geom s;
    s.reach2 = s.ma = s.mi = 0.0f; /* round only */
    s.ux = dx / len;
    s.uy = dy / len;
    s.nx = -s.uy;
    s.ny = s.ux;
    s.len = len;
    s.hw = t->hw;
    s.hn = (fabsf(s.nx) + fabsf(s.ny)) * 0.5f;
    s.ht = (fabsf(s.ux) + fabsf(s.uy)) * 0.5f;
    s.scale = 16.0f / (4.0f * s.hn * s.ht);
    s.t0 = -s.hw - s.ht;
    s.t1 = len + s.hw + s.ht;
    /* a touched pixel's centre is within hw + hn of the line and hw + ht past an end
     * (hn == ht): at most (hw + hn) * 2 hn beyond the segment's extent on either axis;
     * round: within hw + sqrt(2) / 2 of the segment */
    float band = s.hw + s.hn; /* |distance| below which a pixel can be touched */
    float r = band * 2.0f * s.hn;
    if (round) {
        band = r = s.hw + 0.70711f;
        s.reach2 = band * band;
        s.ma = maxf(fabsf(s.nx), fabsf(s.ny));
        s.mi = minf(fabsf(s.nx), fabsf(s.ny));
    }
    int x0 = ifloor(minf(ax, bx) - r - 0.5f), x1 = ifloor(maxf(ax, bx) + r - 0.5f);
    int y0 = ifloor(minf(ay, by) - r - 0.5f), y1 = ifloor(maxf(ay, by) + r - 0.5f);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > t->w - 1 ? t->w - 1 : x1;
    y1 = y1 > t->h - 1 ? t->h - 1 : y1;
    if (x0 > x1 || y0 > y1)
        return;
    if (fabsf(dx) >= fabsf(dy)) {
        /* mostly horizontal: per column, the rows within reach of the line */
        float slope = dy / dx, dy_max = band / fabsf(s.ny);
        for (int x = x0; x <= x1; x++) {
            float rx = (float)x + 0.5f - ax, yl = ay + rx * slope;
            int ya, yb;
            within(yl, dy_max, y0, y1, &ya, &yb);
            if (round) {
                for (int y = ya; y <= yb; y++) {
                    put_round(t, &s, x, y, rx, (float)y + 0.5f - ay);
                    span_note(&t->line, y, x, x);
                }
            } else { /* across and along step by (ny, uy) from row to row */
#ifdef __SSE2__
                if (x + 3 < t->w) { /* 4 columns at once, over the rows any of them needs */
                    int n = x1 - x + 1 < 4 ? x1 - x + 1 : 4;
                    int ya2, yb2; /* the last column's rows */
                    within(yl + (float)(n - 1) * slope, dy_max, y0, y1, &ya2, &yb2);
                    ya = ya2 < ya ? ya2 : ya;
                    yb = yb2 > yb ? yb2 : yb;
                    float ry = (float)ya + 0.5f - ay;
                    float d = rx * s.nx + ry * s.ny, u = rx * s.ux + ry * s.uy;
                    for (int y = ya; y <= yb; y++, d += s.ny, u += s.uy)
                        put4(t, &s, x, y, d, u, n);
                    x += n - 1;
                    continue;
                }
#endif
                float ry = (float)ya + 0.5f - ay;
                float d = rx * s.nx + ry * s.ny, u = rx * s.ux + ry * s.uy;
                for (int y = ya; y <= yb; y++, d += s.ny, u += s.uy)
                    put(t, &s, x, y, d, u);
            }
        }
    } else {
        float slope = dx / dy, dx_max = band / fabsf(s.nx);
        for (int y = y0; y <= y1; y++) {
            float ry = (float)y + 0.5f - ay;
            int xa, xb;
            within(ax + ry * slope, dx_max, x0, x1, &xa, &xb);
            if (round) {
                if (xa <= xb)
                    span_note(&t->line, y, xa, xb);
                for (int x = xa; x <= xb; x++)
                    put_round(t, &s, x, y, (float)x + 0.5f - ax, ry);
            } else {
                float rx = (float)xa + 0.5f - ax;
                float d = rx * s.nx + ry * s.ny, u = rx * s.ux + ry * s.uy;
                int x = xa;
#ifdef __SSE2__
                for (; x <= xb && x + 3 < t->w; x += 4, d += 4.0f * s.nx, u += 4.0f * s.ux)
                    put4(t, &s, x, y, d, u, xb - x + 1 < 4 ? xb - x + 1 : 4);
#endif
                for (; x <= xb; x++, d += s.nx, u += s.ux)
                    put(t, &s, x, y, d, u);
            }
        }
    }
    t->x0 = x0 < t->x0 ? x0 : t->x0;
    t->y0 = y0 < t->y0 ? y0 : t->y0;
    t->x1 = x1 > t->x1 ? x1 : t->x1;
    t->y1 = y1 > t->y1 ? y1 : t->y1;
}

void sty__thin_segment(sty__thin *t, double ax, double ay, double bx, double by)
{
    segment(t, ax, ay, bx, by, 0);
}

static inline uint32_t mul255(uint32_t a, uint32_t b)
{
    uint32_t v = a * b + 128;
    return (v + (v >> 8)) >> 8; /* a * b / 255, rounded */
}

/* All four channels of an ARGB32 pixel times f / 255, rounded (two channels per multiply). */
static inline uint32_t scale_px(uint32_t p, uint32_t f)
{
    uint32_t rb = (p & 0xff00ffu) * f + 0x800080u;
    rb = ((rb + ((rb >> 8) & 0xff00ffu)) >> 8) & 0xff00ffu;
    uint32_t ag = ((p >> 8) & 0xff00ffu) * f + 0x800080u;
    ag = (ag + ((ag >> 8) & 0xff00ffu)) & 0xff00ff00u;
    return rb | ag;
}

/* `src` (premultiplied) at coverage k / 255 over `dst`. */
static inline uint32_t over(uint32_t dst, uint32_t src, uint32_t k)
{
    uint32_t sk = k == 255 ? src : scale_px(src, k); /* premultiplied: no channel exceeds alpha */
    return dst ? sk + scale_px(dst, 255 - (sk >> 24)) : sk; /* the first layer: over nothing */
}

#ifdef __SSE2__
/* src (s16: its channels as 16-bit lanes, twice) at coverages k4 (one byte a pixel) over
 * the four pixels at `px`. */
static inline void over4(uint32_t *px, uint32_t k4, __m128i s16)
{
    const __m128i zero = _mm_setzero_si128(), r128 = _mm_set1_epi16(128);
    const __m128i all = _mm_set1_epi16(255);
    /* each k replicated over its pixel's 4 channels, as 16-bit lanes */
    __m128i kk = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)k4), zero); /* k0..k3 */
    kk = _mm_unpacklo_epi16(kk, kk);                                   /* k0 k0 k1 k1.. */
    __m128i klo = _mm_unpacklo_epi32(kk, kk), khi = _mm_unpackhi_epi32(kk, kk);
    __m128i d = _mm_loadu_si128((const __m128i *)(const void *)px);
    __m128i dlo = _mm_unpacklo_epi8(d, zero), dhi = _mm_unpackhi_epi8(d, zero);
    __m128i out[2], dd[2] = {dlo, dhi}, kx[2] = {klo, khi};
    for (int h = 0; h < 2; h++) {
        __m128i v = _mm_add_epi16(_mm_mullo_epi16(s16, kx[h]), r128); /* src k */
        __m128i sk = _mm_srli_epi16(_mm_add_epi16(v, _mm_srli_epi16(v, 8)), 8);
        /* 255 - alpha of sk, over each pixel's channels (alpha is lane 3 of 4) */
        __m128i inv = _mm_sub_epi16(all, sk);
        inv = _mm_shufflelo_epi16(inv, 0xff);
        inv = _mm_shufflehi_epi16(inv, 0xff);
        __m128i w = _mm_add_epi16(_mm_mullo_epi16(dd[h], inv), r128);
        __m128i dk = _mm_srli_epi16(_mm_add_epi16(w, _mm_srli_epi16(w, 8)), 8);
        out[h] = _mm_add_epi16(sk, dk);
    }
    _mm_storeu_si128((__m128i *)(void *)px, _mm_packus_epi16(out[0], out[1]));
}

static inline __m128i src16(uint32_t src)
{
    return _mm_unpacklo_epi8(_mm_set1_epi32((int)src), _mm_setzero_si128()); /* 2 px of src */
}
#endif

/* row[i] = over(row[i], src, k[i]) for i < n: k 0 leaves a pixel as it is, k 255 of an
 * opaque src replaces it. Four pixels at a time with SSE2 where any of them is covered,
 * with the same rounding as scale_px (a * b + 128, plus that >> 8, >> 8), so the pixels are
 * those of the scalar over(). */
static void compose_row(uint32_t *row, const uint8_t *k, int n, uint32_t src)
{
    int i = 0;
#ifdef __SSE2__
    const __m128i s16 = src16(src);
    for (; i + 4 <= n; i += 4) {
        uint32_t k4;
        memcpy(&k4, k + i, 4);
        if (k4)
            over4(row + i, k4, s16);
    }
#endif
    for (; i < n; i++)
        if (k[i])
            row[i] = over(row[i], src, k[i]);
}

/* A colour at an opacity as a premultiplied ARGB32 pixel. */
static uint32_t premul(sty_color c, double opacity)
{
    uint32_t a = (uint32_t)lround((opacity < 0 ? 0 : opacity > 1 ? 1 : opacity) * 255.0);
    return a << 24 | mul255(c.r, a) << 16 | mul255(c.g, a) << 8 | mul255(c.b, a);
}

int sty__thin_paint(sty__thin *t, sty_color c, double opacity)
{
    if (t->x0 > t->x1 || t->y0 > t->y1)
        return 0;
    uint32_t src = premul(c, opacity);
    for (int y = t->y0; y <= t->y1; y++) {
        int xa = t->x0, xb = t->x1;
        if (t->spans && !span_take(&t->line, y, &xa, &xb))
            continue; /* a line: the columns its segments reached in this row */
        size_t n = (size_t)(xb - xa + 1);
        uint8_t *cv = &t->cov[(size_t)y * (size_t)t->w + (size_t)xa];
        uint32_t *row = (uint32_t *)(void *)(t->px + (size_t)y * (size_t)t->stride) + xa;
        compose_row(row, cv, (int)n, src); /* skips untouched groups of 4 */
        memset(cv, 0, n);                  /* the buffer is all zero between features */
    }
    t->spans = 0;
    return 1;
}

/* Where edges accumulate: rows [ylo, yhi), columns [lo, hi) of `acc`; with `cells`, the
 * cells touched in each row are noted there. */
typedef struct acc_box {
    float *acc;
    size_t stride;
    int ylo, yhi;
    float lo, hi;
    const sty__spans *cells; /* NULL: not noted */
} acc_box;

/* Signed-area accumulation (the scheme of font-rs and stb_truetype's second rasterizer):
 * each edge adds, to the cells of the rows it crosses, its vertical extent there split
 * between the cell it is in and the next by where it crosses; a running sum along a row
 * is then each pixel's exact covered area (winding-weighted). x is clamped to [lo, hi]:
 * what lies left of the box folds into its first cell, right of it does not matter. */
static void acc_edge(const acc_box *bx_, float ax, float ay, float bx, float by)
{
    float *acc = bx_->acc, lo = bx_->lo, hi = bx_->hi;
    size_t stride = bx_->stride;
    int ylo = bx_->ylo, yhi = bx_->yhi;
    const sty__spans *cells = bx_->cells;
    if (ay == by)
        return;
    float dir = 1.0f;
    if (ay > by) {
        float tx = ax, ty = ay;
        ax = bx;
        ay = by;
        bx = tx;
        by = ty;
        dir = -1.0f;
    }
    float dxdy = (bx - ax) / (by - ay);
    int y0 = ifloor(ay), y1 = -ifloor(-by); /* rows [y0, y1) */
    y0 = y0 < ylo ? ylo : y0;
    y1 = y1 > yhi ? yhi : y1;
    for (int y = y0; y < y1; y++) {
        float ya = (float)y > ay ? (float)y : ay, yb = (float)(y + 1) < by ? (float)(y + 1) : by;
        float d = (yb - ya) * dir;
        float xa = ax + (ya - ay) * dxdy, xb = ax + (yb - ay) * dxdy;
        if (xa > xb) {
            float tx = xa;
            xa = xb;
            xb = tx;
        }
        xa = xa < lo ? lo : xa > hi ? hi : xa;
        xb = xb < lo ? lo : xb > hi ? hi : xb;
        float *row = acc + (size_t)y * stride;
        int ia = ifloor(xa), ib = -ifloor(-xb); /* cells [ia, ib) hold the crossing */
        if (cells) /* the cells this edge touches in the row */
            span_note(cells, y, ia, ib > ia + 1 ? ib : ia + 1);
        if (ib <= ia + 1) {
            float xm = 0.5f * (xa + xb) - (float)ia; /* mean crossing within cell ia */
            row[ia] += d * (1.0f - xm);
            row[ia + 1] += d * xm;
        } else {
            /* the edge crosses cells ia..ib-1: area to the right of it, cell by cell */
            float inv = 1.0f / (xb - xa);
            float fa = xa - (float)ia, fb = xb - (float)(ib - 1);
            float a0 = 0.5f * inv * (1.0f - fa) * (1.0f - fa); /* left of the edge, cell ia */
            float am = 0.5f * inv * fb * fb;                    /* right of it, cell ib-1 */
            row[ia] += d * a0;
            if (ib == ia + 2) {
                row[ia + 1] += d * (1.0f - a0 - am);
            } else {
                float a1 = inv * (1.5f - fa);
                row[ia + 1] += d * (a1 - a0);
                for (int x = ia + 2; x < ib - 1; x++)
                    row[x] += d * inv;
                float a2 = a1 + (float)(ib - ia - 3) * inv;
                row[ib - 1] += d * (1.0f - a2 - am);
            }
            row[ib] += d * am;
        }
    }
}

/* An edge against the box's columns [lo, hi): the part left of lo becomes a vertical edge
 * at lo (it covers every cell of its rows from lo on), the part right of hi is dropped
 * (it covers none of the box), the rest is accumulated as it is. Clamping the ends
 * instead would bend the edge and shift coverage inside the box. Pieces keep the edge's
 * direction (its winding). */
static void acc_piece(const acc_box *b, int rev, float ax, float ay, float bx, float by)
{
    if (rev)
        acc_edge(b, bx, by, ax, ay);
    else
        acc_edge(b, ax, ay, bx, by);
}

static void acc_clipped(const acc_box *b, const sty__thin_edge *e)
{
    const float lo = b->lo, hi = b->hi;
    float ax = e->ax, ay = e->ay, bx = e->bx, by = e->by;
    int rev = 0;
    const float lim = (float)(2.0 * STY_THIN_LIMIT_PX);
    if (ay == by || !(fabsf(ax) < lim && fabsf(ay) < lim && fabsf(bx) < lim && fabsf(by) < lim))
        return; /* horizontal, or NaN / out of range (callers check bboxes; a store written
                 * by another program might not match them) */
    if (ax > bx) { /* work left to right, remember the direction */
        float tx = ax, ty = ay;
        ax = bx;
        ay = by;
        bx = tx;
        by = ty;
        rev = 1;
    }
    if (ax >= hi)
        return;
    if (bx > hi) {
        by = ay + (by - ay) * (hi - ax) / (bx - ax);
        bx = hi;
    }
    if (bx <= lo) {
        acc_piece(b, rev, lo, ay, lo, by);
        return;
    }
    if (ax < lo) {
        float ym = ay + (by - ay) * (lo - ax) / (bx - ax);
        acc_piece(b, rev, lo, ay, lo, ym);
        ax = lo;
        ay = ym;
    }
    acc_piece(b, rev, ax, ay, bx, by);
}

/* A row of fill coverage for compose_row, made on first use. */
static uint8_t *k_buffer(sty__thin *t)
{
    if (!t->kb)
        t->kb = tl_arena_alloc(t->a, (size_t)t->w + 16);
    return t->kb;
}

/* The accumulation buffer, (w + 2) * h cells, zero between uses; made on first use. */
static float *acc_buffer(sty__thin *t)
{
    if (!t->acc)
        t->acc = tl_arena_calloc(t->a, ((size_t)t->w + 2) * (size_t)t->h, sizeof *t->acc);
    (void)spans_make(t, &t->cells); /* fill_finish's rows; without, whole rows */
    return t->acc;
}

int sty__thin_paint_filled(sty__thin *t, sty_color fill, double fill_opacity, sty_color line,
                           double line_opacity)
{
    /* the box: the outline's, grown by the vertices' (a fill can cover the whole tile
     * with every edge outside it) */
    int x0 = t->x0, y0 = t->y0, x1 = t->x1, y1 = t->y1;
    if (t->n_ev) {
        int fx0 = ifloor(t->vx0), fy0 = ifloor(t->vy0), fx1 = ifloor(t->vx1), fy1 = ifloor(t->vy1);
        x0 = fx0 < x0 ? (fx0 < 0 ? 0 : fx0) : x0;
        y0 = fy0 < y0 ? (fy0 < 0 ? 0 : fy0) : y0;
        x1 = fx1 > x1 ? (fx1 > t->w - 1 ? t->w - 1 : fx1) : x1;
        y1 = fy1 > y1 ? (fy1 > t->h - 1 ? t->h - 1 : fy1) : y1;
    }
    if (x0 > x1 || y0 > y1)
        return 0;
    size_t stride = (size_t)t->w + 2;
    float *acc = acc_buffer(t);
    acc_box box = {acc, stride, y0, y1 + 1, (float)x0, (float)(x1 + 1), NULL};
    for (size_t i = 0; i < t->n_ev; i++)
        acc_clipped(&box, &t->ev[i]);
    uint32_t fsrc = premul(fill, fill_opacity), lsrc = premul(line, line_opacity);
    int have_line = t->x0 <= t->x1;
#ifdef __SSE2__
    const __m128i fs16 = src16(fsrc), ls16 = src16(lsrc);
    const __m128 one = _mm_set1_ps(1.0f), sixteen = _mm_set1_ps(16.0f), half = _mm_set1_ps(0.5f);
    const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
#endif
    for (int y = y0; y <= y1; y++) {
        uint32_t *row = (uint32_t *)(void *)(t->px + (size_t)y * (size_t)t->stride);
        float *ac = t->acc + (size_t)y * stride;
        uint8_t *cv = &t->cov[(size_t)y * (size_t)t->w];
        int line_row = have_line && y >= t->y0 && y <= t->y1;
        float sum = 0.0f;
        int x = x0;
#ifdef __SSE2__
        /* four pixels at a time (the last group masked to the box): the running sum in
         * order, as the scalar pass below adds it, then q17, the fill and the outline */
        for (; x <= x1 && x + 3 < t->w; x += 4) {
            int n = x1 - x + 1 < 4 ? x1 - x + 1 : 4;
            __m128 s4;
            if (n == 4) { /* the sums built in registers: a store and a wide load stall */
                float s0 = sum + ac[x], s1 = s0 + ac[x + 1], s2 = s1 + ac[x + 2];
                sum = s2 + ac[x + 3];
                s4 = _mm_set_ps(sum, s2, s1, s0);
                _mm_storeu_ps(ac + x, _mm_setzero_ps()); /* x + 3 < w: within the row */
            } else {
                float sv[3] = {0.0f, 0.0f, 0.0f};
                for (int i = 0; i < n; i++) {
                    sum += ac[x + i];
                    ac[x + i] = 0.0f;
                    sv[i] = sum;
                }
                s4 = _mm_set_ps(0.0f, sv[2], sv[1], sv[0]);
            }
            __m128 f = _mm_min_ps(_mm_and_ps(s4, abs_mask), one);
            __m128i q = _mm_cvttps_epi32(_mm_add_ps(_mm_mul_ps(f, sixteen), half));
            uint32_t k4 = (uint32_t)_mm_cvtsi128_si32(level255x4(q)), c4 = 0; /* q17 */
            if (line_row) { /* the cells past x1 in the group are zero: not the outline's */
                const uint32_t none = 0;
                memcpy(&c4, cv + x, 4);
                memcpy(cv + x, &none, 4);
                c4 &= n == 4 ? 0xffffffffu : (1u << (8 * n)) - 1u;
            }
            if (k4)
                over4(row + x, k4, fs16);
            if (c4)
                over4(row + x, c4, ls16);
        }
#endif
        for (; x <= x1; x++) { /* the rest (at the surface's right side), one by one */
            sum += ac[x];
            ac[x] = 0.0f;
            uint32_t k = q17(fabsf(sum));
            if (k)
                row[x] = over(row[x], fsrc, k);
            if (line_row && cv[x]) {
                row[x] = over(row[x], lsrc, cv[x]);
                cv[x] = 0;
            }
        }
        ac[x1 + 1] = 0.0f; /* the spill cell; the box holds every outline cell */
    }
    return 1;
}

/* Batched fills ------------------------------------------------------------------------------
 * One colour over many polygons that overlap no other (render.c's batches): every ring's
 * edges go straight into the accumulation buffer, shells one way round and holes the other,
 * and one pass composites the summed coverage. Where two polygons of the batch share an
 * edge their coverages add up to the whole cell: no seam, as with Cairo's single path. A
 * sub-pixel parcel costs a few edge-rows instead of a Cairo path of its vertices. */

void sty__thin_fill_begin(sty__thin *t)
{
    (void)acc_buffer(t);
    t->vx0 = t->vy0 = INFINITY;
    t->vx1 = t->vy1 = -INFINITY;
}

/* Rings -------------------------------------------------------------------------------- */

/* Is the device-pixel bbox of `b` within float's reach (STY_THIN_LIMIT_PX)? */
static int in_reach(const tl_bbox *b, const sty__xform *x, double *bx0, double *by0,
                    double *bx1, double *by1)
{
    *bx0 = (b->minx - x->ox) * x->k, *bx1 = (b->maxx - x->ox) * x->k;
    *by0 = (x->oy - b->maxy) * x->k, *by1 = (x->oy - b->miny) * x->k;
    return *bx0 > -STY_THIN_LIMIT_PX && *bx1 < STY_THIN_LIMIT_PX && *by0 > -STY_THIN_LIMIT_PX &&
           *by1 < STY_THIN_LIMIT_PX;
}

/* Twice the signed area of a ring in EPSG:3857 (y up). */
static double ring_area2(const double *p, size_t n)
{
    double a = 0.0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += (p[2 * j] - p[2 * i]) * (p[2 * j + 1] + p[2 * i + 1]);
    return a;
}

/* Where a ring's kept segments go; `rev`: the ring runs the wrong way round for a fill. */
typedef void (*ring_sink)(sty__thin *t, double ax, double ay, double bx, double by, int rev);

/* The rings of `g` with at least `min_n` vertices, in device pixels, closed, with the vertex
 * dropping of sty__path_geom (a vertex closer than sqrt(min_d2) to the last kept one is
 * skipped). For fills, shells run counter-clockwise in EPSG:3857 and holes clockwise, so
 * their windings cancel: `rev` tells the sink which rings to turn round. */
static void walk_rings(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, size_t min_n,
                       ring_sink sink)
{
    const double ox = x->ox, oy = x->oy, k = x->k, d2 = x->min_d2;
    for (uint32_t i = 0; i < g->n_parts; i++) {
        const double *p = g->xy + 2 * (size_t)g->part_start[i];
        size_t n = g->part_start[i + 1] - g->part_start[i];
        if (n > 1 && p[0] == p[2 * (n - 1)] && p[1] == p[2 * (n - 1) + 1])
            n--;
        if (n < min_n)
            continue;
        int outer = g->ring_outer ? g->ring_outer[i] : 1;
        int rev = (ring_area2(p, n) > 0.0) != (outer != 0);
        double fx = (p[0] - ox) * k, fy = (oy - p[1]) * k, lx = fx, ly = fy;
        for (size_t j = 1; j < n; j++) {
            double px = (p[2 * j] - ox) * k, py = (oy - p[2 * j + 1]) * k;
            double dx = px - lx, dy = py - ly;
            if (dx * dx + dy * dy < d2)
                continue;
            sink(t, lx, ly, px, py, rev);
            lx = px;
            ly = py;
        }
        sink(t, lx, ly, fx, fy, rev); /* close the ring */
    }
}

static void sink_outline(sty__thin *t, double ax, double ay, double bx, double by, int rev)
{
    (void)rev;
    sty__thin_segment(t, ax, ay, bx, by);
}

static void sink_outline_edge(sty__thin *t, double ax, double ay, double bx, double by, int rev)
{
    sty__thin_segment(t, ax, ay, bx, by);
    if (rev)
        keep_edge(t, bx, by, ax, ay);
    else
        keep_edge(t, ax, ay, bx, by);
}

static void sink_batch(sty__thin *t, double ax, double ay, double bx, double by, int rev)
{
    sty__thin_edge e = rev ? (sty__thin_edge){(float)bx, (float)by, (float)ax, (float)ay}
                           : (sty__thin_edge){(float)ax, (float)ay, (float)bx, (float)by};
    acc_box box = {t->acc, (size_t)t->w + 2, 0, t->h, 0.0f, (float)t->w,
                   t->cells.lo ? &t->cells : NULL};
    acc_clipped(&box, &e);
}

int sty__thin_geom(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, int keep_edges)
{
    double bx0, by0, bx1, by1;
    if (g->kind != LYR_GEOM_POLYGON ||
        (keep_edges && g->part_start[g->n_parts] - g->part_start[0] > STY_THIN_MAX_EDGES) ||
        !in_reach(&g->bbox, x, &bx0, &by0, &bx1, &by1))
        return 0;
    walk_rings(t, g, x, 2, keep_edges ? sink_outline_edge : sink_outline);
    return 1;
}

/* A polygon smaller than a pixel both ways: its exact area (shells less holes), spread over
 * the cells its bbox overlaps (at most 2 x 2) in proportion to the overlap, instead of its
 * edges. Vertex dropping folds most such rings away, and with them their area: a dense
 * parcel fabric at a low zoom (the large demo's at z10-z11: most parcels under 0.3 px)
 * came out as light speckles over the background where every other renderer, summing the
 * parcels' areas, shows the mosaic's colours. Costs less than walking the ring. */
static void splat(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, double bx0,
                  double by0, double bx1, double by1)
{
    double a2 = 0.0;
    for (uint32_t i = 0; i < g->n_parts; i++) {
        const double *p = g->xy + 2 * (size_t)g->part_start[i];
        size_t n = g->part_start[i + 1] - g->part_start[i];
        if (n < 3)
            continue;
        double r = fabs(ring_area2(p, n)); /* a closed ring's repeated vertex adds nothing */
        a2 += (g->ring_outer ? g->ring_outer[i] : 1) ? r : -r;
    }
    float c = (float)(0.5 * a2 * x->k * x->k);
    if (!(c > 0.0f))
        return;
    int i0 = ifloor((float)bx0), j0 = ifloor((float)by0);
    /* the share of the bbox in the first column and row (all of it when it stays in one) */
    float fx = bx1 > i0 + 1 ? (float)((i0 + 1 - bx0) / (bx1 - bx0)) : 1.0f;
    float fy = by1 > j0 + 1 ? (float)((j0 + 1 - by0) / (by1 - by0)) : 1.0f;
    size_t stride = (size_t)t->w + 2;
    for (int dj = 0; dj < 2; dj++) {
        int y = j0 + dj;
        float wy = dj ? 1.0f - fy : fy;
        if (y < 0 || y >= t->h || !(wy > 0.0f))
            continue;
        float *row = t->acc + (size_t)y * stride;
        for (int di = 0; di < 2; di++) {
            int xx = i0 + di;
            float w = (di ? 1.0f - fx : fx) * wy;
            if (xx < 0 || xx >= t->w || !(w > 0.0f))
                continue;
            row[xx] += c * w; /* the running sum: this cell only */
            row[xx + 1] -= c * w;
            if (t->cells.lo)
                span_note(&t->cells, y, xx, xx + 1);
        }
    }
}

int sty__thin_fill_add(sty__thin *t, const lyr_geom_view *g, const sty__xform *x)
{
    double bx0, by0, bx1, by1;
    if (g->kind != LYR_GEOM_POLYGON)
        return 1;
    if (!in_reach(&g->bbox, x, &bx0, &by0, &bx1, &by1))
        return 0;
    if (bx1 < 0.0 || by1 < 0.0 || bx0 >= t->w || by0 >= t->h)
        return 1; /* off the surface (left of it, its closed rings would fold to nothing) */
    t->vx0 = minf(t->vx0, (float)bx0);
    t->vx1 = maxf(t->vx1, (float)bx1);
    t->vy0 = minf(t->vy0, (float)by0);
    t->vy1 = maxf(t->vy1, (float)by1);
    if (bx1 - bx0 < 1.0 && by1 - by0 < 1.0)
        splat(t, g, x, bx0, by0, bx1, by1);
    else
        walk_rings(t, g, x, 3, sink_batch);
    return 1;
}

/* Composite the batch's summed coverage in `src` (when `paint`) and clear the buffer. */
static int fill_finish(sty__thin *t, uint32_t src, int paint)
{
    if (!(t->vx0 <= t->vx1))
        return 0;
    int y0 = ifloor(t->vy0), y1 = ifloor(t->vy1), x0 = ifloor(t->vx0), x1 = ifloor(t->vx1);
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > t->h - 1 ? t->h - 1 : y1;
    x0 = x0 < 0 ? 0 : x0; /* what lies left of the surface folded into column 0 */
    x1 = x1 > t->w - 1 ? t->w - 1 : x1;
    size_t stride = (size_t)t->w + 2;
    uint8_t *kb = k_buffer(t);
    for (int y = y0; y <= y1; y++) {
        uint32_t *row = (uint32_t *)(void *)(t->px + (size_t)y * (size_t)t->stride);
        float *ac = t->acc + (size_t)y * stride;
        int xa = x0, xb = x1 + 1; /* the cells touched in this row (with the spill cell) */
        if (t->cells.lo && !span_take(&t->cells, y, &xa, &xb))
            continue; /* no edge in the row, so no coverage */
        float sum = 0.0f;
        /* right of the last touched cell the sum no longer changes: done once it is ~0
         * (a polygon reaching past the surface's right side keeps it at 1 to the end) */
        int x = xa > x0 ? xa : x0, xs = x;
        for (; paint && x <= x1; x++) {
            sum += ac[x];
            if (x > xb && fabsf(sum) < 0.002f)
                break;
            kb[x] = (uint8_t)q17(fabsf(sum));
        }
        if (paint)
            compose_row(row + xs, kb + xs, x - xs, src);
        memset(ac + xa, 0, (size_t)(xb - xa + 1) * sizeof *ac);
    }
    return paint;
}

int sty__thin_fill_paint(sty__thin *t, sty_color c, double opacity)
{
    return fill_finish(t, premul(c, opacity), 1);
}

void sty__thin_fill_discard(sty__thin *t)
{
    (void)fill_finish(t, 0, 0);
}

/* Lines --------------------------------------------------------------------------------------
 * Solid lines with round caps (roads): each segment is a capsule (put_round: the exact
 * share of each pixel across the segment, a close one around its ends), the segments of a
 * feature combine by maximum -- their union, which is the line with round joins -- and the
 * feature is composited once, as one Cairo stroke is. A bevel or miter join differs from
 * a round one only at a turn: by hw (1 - cos(turn / 2)) and hw (1 / cos(turn / 2) - 1)
 * px. A feature with a turn where that exceeds LINE_JOIN_TOL is left to Cairo.
 *
 * Why: Cairo's stroker cost 41k instructions a road (18,792 strokes over the bench tiles,
 * most of them one 2-5 px segment). */
#define LINE_JOIN_TOL 0.2

/* Would `join` at a turn between unit directions u and v differ from a round join? */
static int join_differs(float hw, int join, double miter_limit, double ux, double uy, double vx,
                        double vy)
{
    if (join == STY_JOIN_ROUND)
        return 0;
    double c = (1.0 + ux * vx + uy * vy) * 0.5, half = sqrt(c > 0.0 ? c : 0.0); /* cos(t/2) */
    double excess = hw * (1.0 - half);
    if (join == STY_JOIN_MITER && half * miter_limit >= 1.0) /* within the miter limit */
        excess = half > 0.0 ? hw * (1.0 / half - 1.0) : INFINITY;
    return !(excess <= LINE_JOIN_TOL);
}

int sty__thin_line(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, int join,
                   double miter_limit)
{
    double bx0, by0, bx1, by1;
    /* per row, the columns reached: a line's box is mostly empty */
    if (g->kind != LYR_GEOM_LINE || !in_reach(&g->bbox, x, &bx0, &by0, &bx1, &by1) ||
        !spans_make(t, &t->line))
        return 0;
    double m = t->hw + 1.0;
    if (bx1 < -m || by1 < -m || bx0 > t->w + m || by0 > t->h + m)
        return 1; /* nowhere near the surface */
    const double ox = x->ox, oy = x->oy, k = x->k, d2 = x->min_d2;
    t->n_ev = 0;
    for (uint32_t i = 0; i < g->n_parts; i++) {
        const double *p = g->xy + 2 * (size_t)g->part_start[i];
        size_t n = g->part_start[i + 1] - g->part_start[i];
        double lx = (p[0] - ox) * k, ly = (oy - p[1]) * k, pux = 0.0, puy = 0.0;
        int turn = 0;
        for (size_t j = 1; j < n; j++) {
            double px = (p[2 * j] - ox) * k, py = (oy - p[2 * j + 1]) * k;
            double dx = px - lx, dy = py - ly, l2 = dx * dx + dy * dy;
            if (l2 < d2 && j != n - 1)
                continue; /* sty__path_geom's vertex dropping (the last vertex stays) */
            if (l2 > 0.0) {
                double l = sqrt(l2);
                dx /= l;
                dy /= l;
                if (turn && join_differs(t->hw, join, miter_limit, pux, puy, dx, dy)) {
                    t->n_ev = 0;
                    return 0;
                }
                pux = dx;
                puy = dy;
                turn = 1;
            }
            keep_edge(t, lx, ly, px, py);
            lx = px;
            ly = py;
        }
    }
    for (size_t i = 0; i < t->n_ev; i++)
        segment(t, t->ev[i].ax, t->ev[i].ay, t->ev[i].bx, t->ev[i].by, 1);
    t->n_ev = 0;
    t->spans = 1;
    return 1;
}
