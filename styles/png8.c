/* png8.c: 8-bit palette PNG ("?format=png8"). The palette keeps the style's colours exact:
 * an image of at most 256 distinct colours gets exactly those; otherwise the colours the
 * style names (fills, strokes, hatches, text, halos) that occur in the image are kept as
 * they are, and the rest of the palette comes from a median cut of the other pixels
 * (anti-aliased edges, translucent fills), each mapped to its nearest entry.
 *
 * Measured over 120 demo tiles (small store, z11-z16 around Thu Dau Mot, all five layers,
 * labels on), mean per 256 px tile, quantizing included:
 *   png8 level 1: 13.7 KB 5.5 ms; level 3: 13.1 KB 5.6 ms; level 6: 12.3 KB 6.3 ms;
 *   level 9: 11.9 KB 13.6 ms (RGBA at level 2, no filter: 36.3 KB 1.1 ms).
 * Level 6 (render.c PNG8_LEVEL) and no filter: filters only hurt indexed pixels. Most of
 * the time is the nearest-entry search for the anti-aliased colours. */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "styles/styles_int.h"
#include "tiled/base/tl_util.h"

#define PAL 256
#define MAX_SEEDS 128  /* style colours kept exact; the rest is left to the median cut */

typedef struct centry {
    uint32_t rgba; /* key: r << 24 | g << 16 | b << 8 | a (0: transparent) */
    uint32_t count;
    int used;
    int index;     /* palette index, -1 until mapped */
} centry;

typedef struct ctable {
    centry *v;
    size_t cap, n; /* cap: a power of two */
} ctable;

static size_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static centry *ct_find(ctable *t, uint32_t key, int add)
{
    size_t m = t->cap - 1;
    for (size_t i = hash32(key) & m;; i = (i + 1) & m) {
        centry *e = &t->v[i];
        if (e->used && e->rgba == key)
            return e;
        if (!e->used) {
            if (!add)
                return NULL;
            e->used = 1;
            e->rgba = key;
            e->index = -1;
            t->n++;
            return e;
        }
    }
}

static uint32_t key_at(const uint8_t *p)
{
    if (p[3] == 0)
        return 0; /* every transparent pixel is the same */
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Style colours ---------------------------------------------------------------------------- */

typedef struct seeds {
    uint32_t v[MAX_SEEDS];
    size_t n;
} seeds;

static void seed_add(seeds *s, sty_color c, double opacity)
{
    if (opacity < 0.999 || s->n == MAX_SEEDS)
        return; /* a translucent colour never shows as itself */
    uint32_t k = (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | 255u;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == k)
            return;
    s->v[s->n++] = k;
}

static void seeds_of(const sty_style *st, seeds *s)
{
    for (size_t i = 0; i < st->n_fts; i++) {
        for (size_t j = 0; j < st->fts[i]->n_rules; j++) {
            const sty_rule *r = st->fts[i]->rules[j];
            for (size_t k = 0; k < r->n_syms; k++) {
                const sty_symbolizer *y = r->syms[k];
                if (y->fill.enabled)
                    seed_add(s, y->fill.color, y->fill.opacity);
                if (y->stroke.enabled)
                    seed_add(s, y->stroke.color, y->stroke.opacity);
                if (y->hatch.kind != STY_HATCH_NONE)
                    seed_add(s, y->hatch.color, y->hatch.opacity);
                if (y->text) {
                    seed_add(s, y->text->color, y->text->opacity);
                    seed_add(s, y->text->halo_color, y->text->halo_opacity);
                }
            }
        }
    }
}

/* Median cut ---------------------------------------------------------------------------------- */

typedef struct box {
    size_t lo, hi; /* range of the colour list */
    uint64_t weight;
    int axis, range;
} box;

static int chan(uint32_t c, int axis)
{
    return (int)((c >> (24 - 8 * axis)) & 0xff);
}

static void box_measure(box *b, const centry *const *cs)
{
    int mn[4] = {255, 255, 255, 255}, mx[4] = {0, 0, 0, 0};
    b->weight = 0;
    for (size_t i = b->lo; i < b->hi; i++) {
        for (int a = 0; a < 4; a++) {
            int v = chan(cs[i]->rgba, a);
            mn[a] = v < mn[a] ? v : mn[a];
            mx[a] = v > mx[a] ? v : mx[a];
        }
        b->weight += cs[i]->count;
    }
    b->axis = 0;
    b->range = -1;
    for (int a = 0; a < 4; a++) {
        if (mx[a] - mn[a] > b->range) {
            b->range = mx[a] - mn[a];
            b->axis = a;
        }
    }
}

/* Sort a range by one channel: a counting sort (256 buckets), stable. */
static void sort_by(const centry **cs, size_t lo, size_t hi, int axis, const centry **tmp)
{
    size_t cnt[257] = {0};
    for (size_t i = lo; i < hi; i++)
        cnt[chan(cs[i]->rgba, axis) + 1]++;
    for (int v = 0; v < 256; v++)
        cnt[v + 1] += cnt[v];
    for (size_t i = lo; i < hi; i++)
        tmp[cnt[chan(cs[i]->rgba, axis)]++] = cs[i];
    memcpy(cs + lo, tmp, (hi - lo) * sizeof *cs);
}

/* Split the colours into at most `want` boxes; returns the number of boxes. */
static size_t median_cut(const centry **cs, size_t n, box *boxes, size_t want, const centry **tmp)
{
    if (n == 0 || want == 0)
        return 0;
    size_t nb = 1;
    boxes[0] = (box){0, n, 0, 0, 0};
    box_measure(&boxes[0], cs);
    while (nb < want) {
        size_t best = nb;
        uint64_t score = 0;
        for (size_t i = 0; i < nb; i++) {
            uint64_t s = boxes[i].weight * (uint64_t)boxes[i].range;
            if (boxes[i].hi - boxes[i].lo > 1 && s > score) {
                score = s;
                best = i;
            }
        }
        if (best == nb)
            break;
        box *b = &boxes[best];
        sort_by(cs, b->lo, b->hi, b->axis, tmp);
        uint64_t half = b->weight / 2, acc = 0;
        size_t mid = b->lo;
        while (mid < b->hi - 1 && acc + cs[mid]->count <= half)
            acc += cs[mid++]->count;
        if (mid == b->lo)
            mid++;
        boxes[nb] = (box){mid, b->hi, 0, 0, 0};
        b->hi = mid;
        box_measure(b, cs);
        box_measure(&boxes[nb], cs);
        nb++;
    }
    return nb;
}

/* Encoding ------------------------------------------------------------------------------------ */

typedef struct palette {
    png_color rgb[PAL];
    png_byte alpha[PAL];
    uint32_t key[PAL];
    int n;
} palette;

static int pal_add(palette *p, uint32_t k)
{
    p->rgb[p->n].red = (png_byte)(k >> 24);
    p->rgb[p->n].green = (png_byte)(k >> 16);
    p->rgb[p->n].blue = (png_byte)(k >> 8);
    p->alpha[p->n] = (png_byte)k;
    p->key[p->n] = k;
    return p->n++;
}

static int nearest(const palette *p, uint32_t k)
{
    int best = 0;
    long bd = -1;
    for (int i = 0; i < p->n; i++) {
        long d = 0;
        for (int a = 0; a < 4; a++) {
            long c = (long)chan(k, a) - (long)chan(p->key[i], a);
            d += c * c;
        }
        if (bd < 0 || d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

/* Build the palette and give every table entry its index. */
static void build_palette(ctable *t, const seeds *sd, palette *p)
{
    p->n = 0;
    centry *e = ct_find(t, 0, 0);
    if (e)
        e->index = pal_add(p, 0);
    if (t->n <= PAL) { /* exact */
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].used && t->v[i].index < 0)
                t->v[i].index = pal_add(p, t->v[i].rgba);
        return;
    }
    for (size_t i = 0; i < sd->n && p->n < PAL; i++) {
        e = ct_find(t, sd->v[i], 0);
        if (e && e->index < 0)
            e->index = pal_add(p, e->rgba);
    }
    const centry **cs = tl_xmalloc(t->n * sizeof *cs), **tmp = tl_xmalloc(t->n * sizeof *tmp);
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].used && t->v[i].index < 0)
            cs[n++] = &t->v[i];
    box boxes[PAL];
    size_t nb = median_cut(cs, n, boxes, (size_t)(PAL - p->n), tmp);
    for (size_t b = 0; b < nb; b++) {
        uint64_t sum[4] = {0}, w = 0;
        for (size_t i = boxes[b].lo; i < boxes[b].hi; i++) {
            for (int a = 0; a < 4; a++)
                sum[a] += (uint64_t)chan(cs[i]->rgba, a) * cs[i]->count;
            w += cs[i]->count;
        }
        uint32_t k = 0;
        for (int a = 0; a < 4; a++)
            k = k << 8 | (uint32_t)((sum[a] + w / 2) / (w ? w : 1));
        pal_add(p, k);
    }
    for (size_t i = 0; i < n; i++)
        ((centry *)cs[i])->index = nearest(p, cs[i]->rgba);
    free(cs);
    free(tmp);
}

/* The one function that calls setjmp: writes the indexed rows. */
static int write_indexed(png_structp png, png_infop info, const palette *p, uint8_t *const *rows,
                         int w, int h, int level)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_PLTE(png, info, p->rgb, p->n);
    int last_opaque = p->n;
    while (last_opaque > 0 && p->alpha[last_opaque - 1] == 255)
        last_opaque--;
    if (last_opaque > 0)
        png_set_tRNS(png, info, p->alpha, last_opaque, NULL);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(png, level);
    png_write_info(png, info);
    png_write_rows(png, (png_bytepp)rows, (png_uint_32)h);
    png_write_end(png, NULL);
    return 0;
}

static void sink(png_structp png, png_bytep data, size_t len)
{
    tl_buf *out = png_get_io_ptr(png);
    if (tl_buf_add(out, data, len, NULL) < 0)
        png_error(png, "the image is larger than the output limit");
}

static void flush_none(png_structp png)
{
    (void)png;
}

static void quiet(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

int sty__png8_encode(const uint8_t *rgba, int w, int h, size_t stride,
                     const sty_style *const *styles, size_t n_styles, int level, tl_buf *out,
                     tl_err *err)
{
    if (w < 1 || h < 1 || w > 8192 || h > 8192) {
        TL_FAIL(err, TL_EINVAL, "cannot encode a %d x %d palette image", w, h);
        return -1;
    }
    ctable t = {NULL, 1, 0};
    while (t.cap < (size_t)w * (size_t)h * 2)
        t.cap <<= 1;
    t.v = tl_xcalloc(t.cap, sizeof *t.v);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            ct_find(&t, key_at(rgba + (size_t)y * stride + 4 * (size_t)x), 1)->count++;
    seeds sd = {{0}, 0};
    for (size_t i = 0; i < n_styles; i++)
        if (styles[i])
            seeds_of(styles[i], &sd);
    palette p;
    build_palette(&t, &sd, &p);
    uint8_t *idx = tl_xmalloc((size_t)w * (size_t)h);
    uint8_t **rows = tl_xmalloc((size_t)h * sizeof *rows);
    for (int y = 0; y < h; y++) {
        rows[y] = idx + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++)
            rows[y][x] = (uint8_t)ct_find(&t, key_at(rgba + (size_t)y * stride + 4 * (size_t)x),
                                          0)->index;
    }
    free(t.v);
    size_t start = out->len;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, quiet, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int rc = -1;
    if (info) {
        png_set_write_fn(png, out, sink, flush_none);
        rc = write_indexed(png, info, &p, rows, w, h, level);
    }
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(idx);
    if (rc < 0) {
        out->len = start;
        TL_FAIL(err, TL_ETOOBIG, "palette PNG: encoding failed (output limit?)");
    }
    return rc;
}
