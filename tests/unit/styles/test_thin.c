/* test_thin.c: thin outlines, fills and round-capped lines drawn without Cairo
 * (styles/thin.c): exact coverage of axis-aligned lines, as close to Cairo's exact stroke
 * as Cairo's 4x4-sampled one on random rings, lines close to Cairo's exact stroke, the
 * same pixels on both sides of a tile edge, joins that would show left to Cairo, the area
 * of polygons smaller than a pixel, and nothing drawn (or crashed) for geometry out of
 * reach. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>

#include "styles/styles_int.h"

static const sty_color black = {0, 0, 0};

typedef struct canvas {
    cairo_surface_t *s;
    sty__thin t;
    tl_arena a;
} canvas;

static void canvas_open(canvas *c, int w, int h)
{
    c->s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    assert_int_equal(cairo_surface_status(c->s), CAIRO_STATUS_SUCCESS);
    tl_arena_init(&c->a, 0);
    sty__thin_init(&c->t, cairo_image_surface_get_data(c->s), cairo_image_surface_get_stride(c->s),
                   w, h, NULL, NULL, &c->a);
}

static void canvas_close(canvas *c)
{
    cairo_surface_destroy(c->s);
    tl_arena_free(&c->a);
}

static int alpha(canvas *c, int x, int y)
{
    const uint8_t *p = cairo_image_surface_get_data(c->s) +
                       (size_t)y * (size_t)cairo_image_surface_get_stride(c->s) + 4 * (size_t)x;
    uint32_t v;
    memcpy(&v, p, 4);
    return (int)(v >> 24);
}

/* One 512 x 128 surface and the two 256 x 128 tiles that split it ([0] wide, [1] left,
 * [2] right); ox[i] is each one's left edge in the wide surface's pixels. */
static const double split_ox[3] = {0, 0, 256};

static void split_open(canvas cv[3])
{
    canvas_open(&cv[0], 512, 128);
    canvas_open(&cv[1], 256, 128);
    canvas_open(&cv[2], 256, 128);
}

/* Fails unless every pixel of the wide surface is within 1 of the same pixel in its tile;
 * closes the three; returns how many of the wide surface's pixels have alpha `a`. */
static int split_check_close(canvas cv[3], int a)
{
    int n = 0;
    for (int y = 0; y < 128; y++)
        for (int x = 0; x < 512; x++) {
            int w = alpha(&cv[0], x, y);
            int t = x < 256 ? alpha(&cv[1], x, y) : alpha(&cv[2], x - 256, y);
            if (abs(w - t) > 1)
                fail_msg("pixel %d,%d: %d in one surface, %d in its tile", x, y, w, t);
            n += w == a;
        }
    for (int i = 0; i < 3; i++)
        canvas_close(&cv[i]);
    return n;
}

/* A 0.5-px line along a row's centre covers half of that row, nothing of the next; a
 * 1-px line on a column boundary half of each column. */
static void test_axis_aligned(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    sty__thin_begin(&c.t, 0.5);
    sty__thin_segment(&c.t, 5.0, 10.5, 40.0, 10.5);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 1);
    for (int x = 6; x < 40; x++) {
        assert_in_range(alpha(&c, x, 10), 127, 128);
        assert_int_equal(alpha(&c, x, 9), 0);
        assert_int_equal(alpha(&c, x, 11), 0);
    }
    assert_int_equal(alpha(&c, 45, 10), 0);
    sty__thin_begin(&c.t, 1.0);
    sty__thin_segment(&c.t, 30.0, 20.0, 30.0, 50.0);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 1);
    for (int y = 21; y < 50; y++) {
        assert_in_range(alpha(&c, 29, y), 127, 128);
        assert_in_range(alpha(&c, 30, y), 127, 128);
        assert_int_equal(alpha(&c, 28, y), 0);
        assert_int_equal(alpha(&c, 31, y), 0);
    }
    /* half opacity halves it; the coverage buffer was cleared by the previous paint */
    sty__thin_begin(&c.t, 1.0);
    sty__thin_segment(&c.t, 50.0, 40.5, 60.0, 40.5);
    sty__thin_paint(&c.t, black, 0.5);
    assert_in_range(alpha(&c, 55, 40), 127, 128);
    assert_int_equal(alpha(&c, 55, 39), 0);
    assert_int_equal(alpha(&c, 45, 10), 0);
    canvas_close(&c);
}

/* Mean alpha difference to Cairo's exact (GRAY) stroke of the same random rings, against
 * Cairo's 4x4-sampled (FAST) one, which tiles used before. */
static void test_close_to_cairo(void **state)
{
    (void)state;
    const int n_rings = 300, nv = 10;
    double widths[] = {0.5, 0.8, 1.0};
    for (size_t wi = 0; wi < 3; wi++) {
        canvas th;
        canvas_open(&th, 256, 256);
        cairo_surface_t *ref[2];
        cairo_t *cr[2];
        for (int m = 0; m < 2; m++) {
            ref[m] = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 256);
            cr[m] = cairo_create(ref[m]);
            cairo_set_line_width(cr[m], widths[wi]);
            cairo_set_antialias(cr[m], m ? CAIRO_ANTIALIAS_FAST : CAIRO_ANTIALIAS_GRAY);
            cairo_set_source_rgb(cr[m], 0, 0, 0);
        }
        srand(7);
        for (int i = 0; i < n_rings; i++) {
            double cx = 8 + rand() % 240, cy = 8 + rand() % 240, r = 1.5 + rand() % 6;
            double p[10][2];
            for (int k = 0; k < nv; k++) {
                double a = 2 * M_PI * k / nv + 0.3 * (rand() % 10) / 10.0;
                p[k][0] = cx + r * cos(a);
                p[k][1] = cy + r * sin(a);
            }
            for (int m = 0; m < 2; m++) {
                cairo_move_to(cr[m], p[0][0], p[0][1]);
                for (int k = 1; k < nv; k++)
                    cairo_line_to(cr[m], p[k][0], p[k][1]);
                cairo_close_path(cr[m]);
                cairo_stroke(cr[m]);
            }
            sty__thin_begin(&th.t, widths[wi]);
            for (int k = 0; k < nv; k++)
                sty__thin_segment(&th.t, p[k][0], p[k][1], p[(k + 1) % nv][0],
                                  p[(k + 1) % nv][1]);
            sty__thin_paint(&th.t, black, 1.0);
        }
        double e_thin = 0, e_fast = 0;
        for (int m = 0; m < 2; m++)
            cairo_surface_flush(ref[m]);
        const uint8_t *g = cairo_image_surface_get_data(ref[0]);
        const uint8_t *f = cairo_image_surface_get_data(ref[1]);
        int stride = cairo_image_surface_get_stride(ref[0]), inked = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                int a = g[(size_t)y * (size_t)stride + 4 * (size_t)x + 3];
                e_fast += abs(a - f[(size_t)y * (size_t)stride + 4 * (size_t)x + 3]);
                e_thin += abs(a - alpha(&th, x, y));
                inked += a > 0;
            }
        }
        e_thin /= inked;
        e_fast /= inked;
        print_message("width %.1f: mean |alpha - exact| over %d inked px: thin %.2f, "
                      "cairo fast %.2f\n", widths[wi], inked, e_thin, e_fast);
        assert_true(inked > 5000);
        assert_true(e_thin <= e_fast * 1.05);
        assert_true(e_thin < 32.0); /* a broken one is off by ~100 */
        for (int m = 0; m < 2; m++) {
            cairo_destroy(cr[m]);
            cairo_surface_destroy(ref[m]);
        }
        canvas_close(&th);
    }
}

/* A ring across the edge between two tiles: each tile computes the same pixels as one
 * surface spanning both (world pixel centres, not tile-relative ones). */
static void test_tile_edge(void **state)
{
    (void)state;
    const double ring[][2] = {{240.3, 20.2}, {275.7, 31.9}, {268.1, 90.4}, {251.6, 70.05}};
    canvas cv[3];
    split_open(cv);
    for (int i = 0; i < 3; i++) {
        double dx = -split_ox[i];
        sty__thin_begin(&cv[i].t, 0.8);
        for (int k = 0; k < 4; k++)
            sty__thin_segment(&cv[i].t, ring[k][0] + dx, ring[k][1], ring[(k + 1) % 4][0] + dx,
                              ring[(k + 1) % 4][1]);
        sty__thin_paint(&cv[i].t, black, 1.0);
    }
    assert_true(alpha(&cv[1], 255, 25) > 0 && alpha(&cv[2], 0, 25) > 0); /* it crosses */
    assert_true(128 * 512 - split_check_close(cv, 0) > 100);              /* inked */
}

/* Geometry out of float's reach is left to Cairo; NaN and huge segments draw nothing. */
static void test_out_of_reach(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    double xy[] = {0, 0, 1e9, 0, 1e9, 1e9, 0, 0};
    uint32_t parts[] = {0, 4};
    uint8_t outer[] = {1};
    lyr_geom_view g;
    memset(&g, 0, sizeof g);
    g.kind = LYR_GEOM_POLYGON;
    g.n_parts = 1;
    g.part_start = parts;
    g.ring_outer = outer;
    g.xy = xy;
    g.bbox = (tl_bbox){0, 0, 1e9, 1e9};
    sty__xform xf = {0.0, 1e9, 1.0, 256.0, 0.0625};
    sty__thin_begin(&c.t, 0.5);
    assert_int_equal(sty__thin_geom(&c.t, &g, &xf, 0), 0);
    assert_int_equal(sty__thin_geom(&c.t, &g, &xf, 1), 0);
    sty__thin_segment(&c.t, NAN, 3, 10, 10);
    sty__thin_segment(&c.t, -1e30, 3, 1e30, 10);
    sty__thin_segment(&c.t, 5, 5, 5, 5);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 0);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            assert_int_equal(alpha(&c, x, y), 0);
    canvas_close(&c);
}

/* A polygon view of rings given in device pixels (an identity transform: k = 1, y down). */
typedef struct poly {
    double xy[64];
    uint32_t parts[5];
    uint8_t outer[4];
    lyr_geom_view g;
} poly;

static void poly_make(poly *p, const double *const rings[], const int *n, int n_rings)
{
    size_t k = 0;
    double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
    memset(p, 0, sizeof *p);
    for (int r = 0; r < n_rings; r++) {
        p->parts[r] = (uint32_t)(k / 2);
        p->outer[r] = r == 0;
        for (int i = 0; i < n[r]; i++) {
            double x = rings[r][2 * i], y = rings[r][2 * i + 1];
            p->xy[k++] = x;
            p->xy[k++] = -y; /* EPSG:3857 y grows north; the view's oy = 0 flips it back */
            minx = fmin(minx, x), maxx = fmax(maxx, x), miny = fmin(miny, -y), maxy = fmax(maxy, -y);
        }
    }
    p->parts[n_rings] = (uint32_t)(k / 2);
    p->g.kind = LYR_GEOM_POLYGON;
    p->g.n_parts = (uint32_t)n_rings;
    p->g.part_start = p->parts;
    p->g.ring_outer = p->outer;
    p->g.xy = p->xy;
    p->g.bbox = (tl_bbox){minx, miny, maxx, maxy};
}

static const sty__xform identity = {0.0, 0.0, 1.0, 256.0, 0.0625};

/* Exact area coverage: a square's inside is opaque, its edge cells hold their covered
 * fraction; a hole drawn the same way round as its shell is still a hole. */
static void test_fill_coverage(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    static const double sq[] = {10.25, 10.25, 20.75, 10.25, 20.75, 20.75, 10.25, 20.75};
    static const double hole[] = {14, 14, 17, 14, 17, 17, 14, 17}; /* same turn as sq */
    const double *rings[] = {sq, hole};
    int n[] = {4, 4};
    poly p;
    poly_make(&p, rings, n, 2);
    sty__thin_begin(&c.t, 0.5);
    assert_int_equal(sty__thin_geom(&c.t, &p.g, &identity, 1), 1);
    /* a transparent outline: the fill alone */
    assert_int_equal(sty__thin_paint_filled(&c.t, black, 1.0, black, 0.0), 1);
    assert_int_equal(alpha(&c, 12, 12), 255);
    assert_int_equal(alpha(&c, 19, 19), 255);
    assert_in_range(alpha(&c, 10, 12), 190, 192); /* 0.75 of the cell */
    assert_in_range(alpha(&c, 20, 12), 190, 192);
    assert_in_range(alpha(&c, 12, 20), 190, 192);
    assert_in_range(alpha(&c, 10, 10), 142, 144); /* 0.5625 */
    assert_int_equal(alpha(&c, 9, 12), 0);
    assert_int_equal(alpha(&c, 21, 12), 0);
    assert_int_equal(alpha(&c, 15, 15), 0); /* the hole */
    assert_int_equal(alpha(&c, 14, 14), 0);
    assert_int_equal(alpha(&c, 13, 15), 255);
    /* the buffers are clean for the next feature: a far square draws alone */
    static const double sq2[] = {40, 40, 50, 40, 50, 50, 40, 50};
    const double *r2[] = {sq2};
    int n2[] = {4};
    poly_make(&p, r2, n2, 1);
    sty__thin_begin(&c.t, 0.5);
    assert_int_equal(sty__thin_geom(&c.t, &p.g, &identity, 1), 1);
    sty__thin_paint_filled(&c.t, black, 0.5, black, 1.0);
    assert_in_range(alpha(&c, 45, 45), 127, 128);
    /* the cell is all fill (0.5 alpha); the 0.5-px line covers a quarter of it */
    assert_in_range(alpha(&c, 40, 45), 158, 161);
    assert_int_equal(alpha(&c, 15, 15), 0);
    assert_int_equal(alpha(&c, 12, 12), 255);
    canvas_close(&c);
}

/* Random star polygons: the fill's coverage against Cairo's anti-aliased (GRAY) fill. */
static void test_fill_close_to_cairo(void **state)
{
    (void)state;
    canvas th;
    canvas_open(&th, 256, 256);
    cairo_surface_t *ref = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 256);
    srand(11);
    double worst = 0.0;
    for (int i = 0; i < 40; i++) {
        double cx = 20 + rand() % 216, cy = 20 + rand() % 216, xy[24];
        for (int k = 0; k < 12; k++) {
            double a = 2 * M_PI * k / 12, r = (k & 1 ? 4.0 : 15.0) + rand() % 5;
            xy[2 * k] = cx + r * cos(a) + 0.37;
            xy[2 * k + 1] = cy + r * sin(a) + 0.61;
        }
        const double *rings[] = {xy};
        int n[] = {12};
        poly p;
        poly_make(&p, rings, n, 1);
        /* each star on a clean surface */
        memset(cairo_image_surface_get_data(th.s), 0, 256 * 256 * 4);
        sty__thin_begin(&th.t, 0.5);
        assert_int_equal(sty__thin_geom(&th.t, &p.g, &identity, 1), 1);
        sty__thin_paint_filled(&th.t, black, 1.0, black, 0.0);
        cairo_t *cr = cairo_create(ref);
        cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
        cairo_paint(cr);
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
        cairo_move_to(cr, xy[0], xy[1]);
        for (int k = 1; k < 12; k++)
            cairo_line_to(cr, xy[2 * k], xy[2 * k + 1]);
        cairo_close_path(cr);
        cairo_fill(cr);
        cairo_destroy(cr);
        cairo_surface_flush(ref);
        const uint8_t *g = cairo_image_surface_get_data(ref);
        int stride = cairo_image_surface_get_stride(ref);
        double err = 0;
        int inked = 0;
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++) {
                int a = g[(size_t)y * (size_t)stride + 4 * (size_t)x + 3];
                if (a || alpha(&th, x, y)) {
                    err += abs(a - alpha(&th, x, y));
                    inked++;
                }
            }
        err /= inked;
        worst = err > worst ? err : worst;
    }
    print_message("fill: worst mean |alpha - cairo GRAY| over a star's pixels: %.3f\n", worst);
    assert_true(worst < 3.0); /* shades in 17 levels, as Cairo's 4x4 sampling has */
    cairo_surface_destroy(ref);
    canvas_close(&th);
}

/* Random background pixels (premultiplied: no channel above alpha). */
static void random_pixels(canvas *c)
{
    uint32_t *px = (uint32_t *)(void *)cairo_image_surface_get_data(c->s);
    int stride = cairo_image_surface_get_stride(c->s) / 4;
    for (int y = 0; y < c->t.h; y++)
        for (int x = 0; x < c->t.w; x++) {
            uint32_t a = (uint32_t)(rand() % 4 == 0 ? 0 : rand() % 256);
            uint32_t r = a ? (uint32_t)rand() % (a + 1) : 0, g = a ? (uint32_t)rand() % (a + 1) : 0;
            uint32_t b = a ? (uint32_t)rand() % (a + 1) : 0;
            px[y * stride + x] = a << 24 | r << 16 | g << 8 | b;
        }
}

/* sty__thin_paint_filled (one pass over the feature's box, four pixels at a time where it
 * can) gives exactly the pixels of its parts done apart: the fill through a batch of one,
 * then the outline through sty__thin_paint -- on random stars from 1.5 to 40 px, at the
 * surface's sides too, over random pixels, at random colours, opacities and widths. */
static void test_filled_is_its_parts(void **state)
{
    (void)state;
    canvas a, b;
    canvas_open(&a, 61, 40); /* a width that leaves 1 to 3 pixels past each group of 4 */
    canvas_open(&b, 61, 40);
    srand(5);
    unsigned differ = 0;
    for (int i = 0; i < 400; i++) {
        double r = 0.75 + (rand() % 1000) / 1000.0 * (i % 3 ? 4.0 : 19.0), xy[24];
        double cx = -5 + rand() % 71 + (rand() % 100) / 100.0, cy = -5 + rand() % 50 + 0.3;
        int nv = 4 + rand() % 9;
        for (int k = 0; k < nv; k++) {
            double ang = 2 * M_PI * k / nv, rk = k & 1 ? r * 0.45 : r;
            xy[2 * k] = cx + rk * cos(ang);
            xy[2 * k + 1] = cy + rk * sin(ang);
        }
        const double *rings[] = {xy};
        int n[] = {nv};
        poly p;
        poly_make(&p, rings, n, 1);
        unsigned seed = (unsigned)rand();
        srand(seed);
        random_pixels(&a);
        srand(seed);
        random_pixels(&b);
        sty_color fc = {(uint8_t)(rand() % 256), (uint8_t)(rand() % 256), (uint8_t)(rand() % 256)};
        sty_color lc = {(uint8_t)(rand() % 256), (uint8_t)(rand() % 256), (uint8_t)(rand() % 256)};
        double fo = rand() % 2 ? 1.0 : (rand() % 256) / 255.0, lo = (rand() % 256) / 255.0;
        double width = 0.3 + (rand() % 100) / 100.0 * 1.3;
        sty__thin_begin(&a.t, width);
        if (!sty__thin_geom(&a.t, &p.g, &identity, 1))
            fail_msg("star %d not drawn", i);
        sty__thin_paint_filled(&a.t, fc, fo, lc, lo);
        sty__thin_fill_begin(&b.t);
        assert_int_equal(sty__thin_fill_add(&b.t, &p.g, &identity), 1);
        sty__thin_fill_paint(&b.t, fc, fo);
        sty__thin_begin(&b.t, width);
        assert_int_equal(sty__thin_geom(&b.t, &p.g, &identity, 0), 1);
        sty__thin_paint(&b.t, lc, lo);
        const uint8_t *pa = cairo_image_surface_get_data(a.s);
        const uint8_t *pb = cairo_image_surface_get_data(b.s);
        size_t stride = (size_t)cairo_image_surface_get_stride(a.s);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 61; x++) {
                size_t o = (size_t)y * stride + 4 * (size_t)x;
                differ += memcmp(pa + o, pb + o, 4) != 0;
                assert_int_equal(a.t.cov[y * 61 + x], 0); /* both left clean */
                assert_int_equal(b.t.cov[y * 61 + x], 0);
            }
        for (size_t k = 0; k < (61 + 2) * 40; k++) {
            assert_true(a.t.acc[k] == 0.0f);
            assert_true(b.t.acc[k] == 0.0f);
        }
    }
    print_message("filled: %u pixels differ from the parts' over 400 stars\n", differ);
    assert_int_equal(differ, 0);
    canvas_close(&a);
    canvas_close(&b);
}

/* A filled and outlined polygon across a tile edge: each tile has the pixels of one
 * surface spanning both. */
static void test_fill_tile_edge(void **state)
{
    (void)state;
    static const double ring[] = {200.3, 20.2, 300.7, 31.9, 280.1, 120.4, 231.6, 70.05};
    const double *rings[] = {ring};
    int n[] = {4};
    poly p;
    poly_make(&p, rings, n, 1);
    canvas cv[3];
    split_open(cv);
    const sty_color red = {200, 30, 40};
    for (int i = 0; i < 3; i++) {
        sty__xform xf = identity;
        xf.ox = split_ox[i];
        sty__thin_begin(&cv[i].t, 0.8);
        assert_int_equal(sty__thin_geom(&cv[i].t, &p.g, &xf, 1), 1);
        sty__thin_paint_filled(&cv[i].t, red, 0.8, black, 1.0);
    }
    assert_int_equal(alpha(&cv[1], 255, 60), 204);
    assert_int_equal(alpha(&cv[2], 0, 60), 204);
    assert_true(split_check_close(cv, 204) > 2000); /* the inside: 0.8 opacity */
}

/* A batch: two squares sharing an edge that halves a column leave no seam (their
 * coverages add up to the whole cell) though one is drawn clockwise and the other not; a
 * hole drawn the same way round as its shell stays a hole; the same batch across a tile
 * edge gives the pixels of one surface. */
static void test_batch_fill(void **state)
{
    (void)state;
    static const double a[] = {10, 10, 20.5, 10, 20.5, 30, 10, 30};
    static const double b[] = {20.5, 10, 20.5, 30, 31, 30, 31, 10}; /* the other way round */
    static const double cw[] = {40, 40, 40, 60, 60, 60, 60, 40};
    static const double hole[] = {45, 45, 45, 55, 55, 55, 55, 45}; /* the same way as cw */
    static const double big[] = {230.25, 5.5, 300.75, 9.25, 290.5, 50.5, 240.1, 60.9};
    canvas cv[3];
    split_open(cv);
    for (int i = 0; i < 3; i++) {
        sty__xform xf = identity;
        xf.ox = split_ox[i];
        poly pa, pb, pc, pd;
        const double *ra[] = {a}, *rb[] = {b}, *rc[] = {cw, hole}, *rd[] = {big};
        int n1[] = {4}, n2[] = {4, 4};
        poly_make(&pa, ra, n1, 1);
        poly_make(&pb, rb, n1, 1);
        poly_make(&pc, rc, n2, 2);
        poly_make(&pd, rd, n1, 1);
        sty__thin_fill_begin(&cv[i].t);
        assert_int_equal(sty__thin_fill_add(&cv[i].t, &pa.g, &xf), 1);
        assert_int_equal(sty__thin_fill_add(&cv[i].t, &pb.g, &xf), 1);
        assert_int_equal(sty__thin_fill_add(&cv[i].t, &pc.g, &xf), 1);
        assert_int_equal(sty__thin_fill_add(&cv[i].t, &pd.g, &xf), 1);
        sty__thin_fill_paint(&cv[i].t, black, 1.0);
    }
    canvas *wide = &cv[0];
    for (int y = 10; y < 30; y++) {
        assert_int_equal(alpha(wide, 20, y), 255); /* the shared column: no seam */
        assert_int_equal(alpha(wide, 10, y), 255);
        assert_int_equal(alpha(wide, 31, y), 0);
        assert_int_equal(alpha(wide, 9, y), 0);
    }
    assert_int_equal(alpha(wide, 42, 42), 255);
    assert_int_equal(alpha(wide, 50, 50), 0); /* the hole */
    assert_int_equal(alpha(wide, 256, 30), 255);
    /* a second batch on the same buffers starts clean */
    sty__thin_fill_begin(&wide->t);
    sty__thin_fill_paint(&wide->t, black, 1.0);
    assert_int_equal(alpha(wide, 50, 50), 0);
    (void)split_check_close(cv, 255);
}


/* Adds to `t`'s batch a block of squares `side` px wide from (x0, y0), `nx` x `ny` of them,
 * every other one drawn the other way round. */
static void add_squares(sty__thin *t, const sty__xform *xf, double x0, double y0, double side,
                        int nx, int ny)
{
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            double a = x0 + side * i, b = y0 + side * j, c = a + side, d = b + side;
            double cw[] = {a, b, a, d, c, d, c, b}, ccw[] = {a, b, c, b, c, d, a, d};
            const double *r[] = {(i + j) % 2 ? cw : ccw};
            int n[] = {4};
            poly p;
            poly_make(&p, r, n, 1);
            assert_int_equal(sty__thin_fill_add(t, &p.g, xf), 1);
        }
}

/* Polygons smaller than a pixel keep their area: a block of 0.2-px squares (which vertex
 * dropping at 0.25 px would fold away) is opaque inside, its edge cells hold the covered
 * fraction, and it ends where it ends; a lone square and one with a hole give their
 * area; the same block across a tile edge gives the pixels of one surface. */
static void test_subpixel_fill(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    sty__thin_fill_begin(&c.t);
    add_squares(&c.t, &identity, 20.1, 10.0, 0.2, 100, 50); /* x 20.1 .. 40.1, y 10 .. 20 */
    sty__thin_fill_paint(&c.t, black, 1.0);
    for (int y = 10; y < 20; y++) {
        for (int x = 21; x < 40; x++)
            assert_int_equal(alpha(&c, x, y), 255);
        assert_in_range(alpha(&c, 20, y), 222, 224); /* 0.9 of the cell: 14/16 */
        assert_in_range(alpha(&c, 40, y), 31, 32);   /* 0.1: 2/16 */
        assert_int_equal(alpha(&c, 19, y), 0);
        assert_int_equal(alpha(&c, 41, y), 0);
    }
    for (int x = 19; x < 42; x++) {
        assert_int_equal(alpha(&c, x, 9), 0);
        assert_int_equal(alpha(&c, x, 20), 0);
    }
    /* a lone 0.5-px square (a quarter of its cell), one across four cells (a sixteenth in
     * each), one of 0.8 px with a 0.4-px hole drawn the same way round (0.48) */
    static const double sq[] = {30.25, 40.25, 30.75, 40.25, 30.75, 40.75, 30.25, 40.75};
    static const double mid[] = {40.75, 40.75, 41.25, 40.75, 41.25, 41.25, 40.75, 41.25};
    static const double sh[] = {50.1, 40.1, 50.9, 40.1, 50.9, 40.9, 50.1, 40.9};
    static const double ho[] = {50.3, 40.3, 50.7, 40.3, 50.7, 40.7, 50.3, 40.7};
    const double *r1[] = {sq}, *r2[] = {mid}, *r3[] = {sh, ho};
    int n1[] = {4}, n2[] = {4, 4};
    poly p1, p2, p3;
    poly_make(&p1, r1, n1, 1);
    poly_make(&p2, r2, n1, 1);
    poly_make(&p3, r3, n2, 2);
    sty__thin_fill_begin(&c.t);
    assert_int_equal(sty__thin_fill_add(&c.t, &p1.g, &identity), 1);
    assert_int_equal(sty__thin_fill_add(&c.t, &p2.g, &identity), 1);
    assert_int_equal(sty__thin_fill_add(&c.t, &p3.g, &identity), 1);
    sty__thin_fill_paint(&c.t, black, 1.0);
    assert_int_equal(alpha(&c, 30, 40), 64); /* 4/16 */
    assert_int_equal(
        alpha(&c, 29, 40) + alpha(&c, 31, 40) + alpha(&c, 30, 39) + alpha(&c, 30, 41), 0);
    for (int y = 40; y < 42; y++)
        for (int x = 40; x < 42; x++)
            assert_int_equal(alpha(&c, x, y), 16); /* 1/16 */
    assert_int_equal(alpha(&c, 50, 40), 128); /* 0.48: 8/16 */
    assert_int_equal(alpha(&c, 51, 40) + alpha(&c, 50, 41), 0);
    canvas_close(&c);

    canvas cv[3];
    split_open(cv);
    for (int i = 0; i < 3; i++) {
        sty__xform xf = identity;
        xf.ox = split_ox[i];
        sty__thin_fill_begin(&cv[i].t);
        add_squares(&cv[i].t, &xf, 250.0, 20.0, 0.2, 60, 40); /* x 250 .. 262, y 20 .. 28 */
        sty__thin_fill_paint(&cv[i].t, black, 1.0);
    }
    assert_int_equal(split_check_close(cv, 255), 12 * 8);
}

/* A line view of one polyline given in device pixels. */
static void line_make(poly *p, const double *xy, int n)
{
    const double *rings[] = {xy};
    poly_make(p, rings, &n, 1);
    p->g.kind = LYR_GEOM_LINE;
    p->g.ring_outer = NULL;
}

/* Alpha of a Cairo surface. */
static int ref_alpha(cairo_surface_t *s, int x, int y)
{
    return cairo_image_surface_get_data(s)[(size_t)y * (size_t)cairo_image_surface_get_stride(s) +
                                           4 * (size_t)x + 3];
}

/* Random polylines with round caps and gentle turns against Cairo's exact (GRAY) stroke
 * with round caps and joins: the same ink (within 1 %) and a small mean difference. */
static void test_line_close_to_cairo(void **state)
{
    (void)state;
    double widths[] = {0.8, 1.2, 2.0, 3.0, 5.0};
    for (size_t wi = 0; wi < 5; wi++) {
        canvas th;
        canvas_open(&th, 256, 256);
        cairo_surface_t *ref = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 256);
        cairo_t *cr = cairo_create(ref);
        cairo_set_line_width(cr, widths[wi]);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
        cairo_set_source_rgb(cr, 0, 0, 0);
        srand(5);
        for (int i = 0; i < 60; i++) {
            double xy[8], a = 2 * M_PI * (rand() % 360) / 360.0;
            xy[0] = 20 + rand() % 216 + 0.1 * (rand() % 10);
            xy[1] = 20 + rand() % 216 + 0.1 * (rand() % 10);
            for (int k = 1; k < 4; k++) {
                double l = 3 + rand() % 25;
                a += (rand() % 61 - 30) * M_PI / 180.0;
                xy[2 * k] = xy[2 * k - 2] + l * cos(a);
                xy[2 * k + 1] = xy[2 * k - 1] + l * sin(a);
            }
            cairo_move_to(cr, xy[0], xy[1]);
            for (int k = 1; k < 4; k++)
                cairo_line_to(cr, xy[2 * k], xy[2 * k + 1]);
            cairo_stroke(cr);
            poly p;
            line_make(&p, xy, 4);
            sty__thin_begin(&th.t, widths[wi]);
            assert_int_equal(sty__thin_line(&th.t, &p.g, &identity, STY_JOIN_ROUND, 0.0), 1);
            sty__thin_paint(&th.t, black, 1.0);
        }
        cairo_destroy(cr);
        cairo_surface_flush(ref);
        double err = 0, ink_ref = 0, ink = 0;
        int inked = 0;
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++) {
                int r = ref_alpha(ref, x, y), t = alpha(&th, x, y);
                if (r || t) {
                    err += abs(r - t);
                    inked++;
                }
                ink_ref += r;
                ink += t;
            }
        err /= inked;
        print_message("line %.1f px: mean |alpha - cairo GRAY| %.2f, ink %.4f of cairo's\n",
                      widths[wi], err, ink / ink_ref);
        assert_true(err < 7.0); /* 4x4 sampling (FAST) would be 20-30 */
        assert_true(fabs(ink / ink_ref - 1.0) < 0.01);
        cairo_surface_destroy(ref);
        canvas_close(&th);
    }
}

/* Joins: a sharp turn with bevel (or miter) joins is left to Cairo, a gentle one and any
 * round join are drawn; a line across a tile edge gives the pixels of one surface; a
 * zero-length line is a round dot; polygons and geometry out of reach are refused. */
static void test_line_joins_and_edges(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    static const double sharp[] = {10, 10, 30, 10, 12, 20};  /* turns ~150 degrees */
    static const double gentle[] = {10, 40, 30, 40, 50, 44}; /* ~11 degrees */
    poly p;
    line_make(&p, sharp, 3);
    sty__thin_begin(&c.t, 4.0);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_BEVEL, 0.0), 0);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_MITER, 10.0), 0);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 0); /* nothing was added */
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_ROUND, 0.0), 1);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 1);
    assert_int_equal(alpha(&c, 20, 10), 255);
    assert_int_equal(alpha(&c, 30, 10), 255); /* the round join reaches 2 px past the turn */
    assert_in_range(alpha(&c, 31, 10), 200, 250);
    assert_int_equal(alpha(&c, 33, 10), 0);
    line_make(&p, gentle, 3);
    sty__thin_begin(&c.t, 4.0);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_BEVEL, 0.0), 1);
    sty__thin_paint(&c.t, black, 0.5);
    assert_in_range(alpha(&c, 20, 40), 127, 128);
    assert_in_range(alpha(&c, 20, 41), 127, 128);
    assert_int_equal(alpha(&c, 20, 43), 0);
    /* round caps: a zero-length 4-px line is a disc of radius 2 */
    static const double dot[] = {50, 20, 50, 20};
    line_make(&p, dot, 2);
    sty__thin_begin(&c.t, 4.0);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_BEVEL, 0.0), 1);
    sty__thin_paint(&c.t, black, 1.0);
    assert_int_equal(alpha(&c, 49, 19), 255);
    assert_int_equal(alpha(&c, 50, 20), 255);
    assert_in_range(alpha(&c, 51, 20), 200, 250); /* exact: about 0.88 */
    assert_int_equal(alpha(&c, 53, 20), 0);
    /* polygons and lines beyond float's reach are not for sty__thin_line */
    static const double sq[] = {1, 1, 5, 1, 5, 5};
    const double *rings[] = {sq};
    int n3[] = {3};
    poly_make(&p, rings, n3, 1);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_ROUND, 0.0), 0);
    static const double far[] = {0, 0, 1e9, 5};
    line_make(&p, far, 2);
    assert_int_equal(sty__thin_line(&c.t, &p.g, &identity, STY_JOIN_ROUND, 0.0), 0);
    canvas_close(&c);

    /* across a tile edge */
    static const double road[] = {180.3, 20.7, 300.2, 60.1, 340.8, 70.4};
    canvas cv[3];
    split_open(cv);
    line_make(&p, road, 3);
    for (int i = 0; i < 3; i++) {
        sty__xform xf = identity;
        xf.ox = split_ox[i];
        sty__thin_begin(&cv[i].t, 3.0);
        assert_int_equal(sty__thin_line(&cv[i].t, &p.g, &xf, STY_JOIN_BEVEL, 0.0), 1);
        sty__thin_paint(&cv[i].t, black, 1.0);
    }
    assert_true(split_check_close(cv, 255) > 150);
}


/* a * b / 255 rounded as thin.c rounds it: (v + (v >> 8)) >> 8 with v = a * b + 128 */
static uint32_t ref_mul255(uint32_t a, uint32_t b)
{
    uint32_t v = a * b + 128;
    return (v + (v >> 8)) >> 8;
}

/* Compositing (compose_row, 4 pixels at a time with SSE2 and a scalar tail) is source over
 * with exact rounding: random premultiplied backgrounds and coverages, rows of every length
 * from 1 to 37 (tails of every size), against the formula pixel by pixel. */
static void test_compositing_exact(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 64, 64);
    uint32_t *px = (uint32_t *)(void *)cairo_image_surface_get_data(c.s);
    int stride = cairo_image_surface_get_stride(c.s) / 4;
    srand(3);
    unsigned bad = 0, checked = 0;
    for (int round = 0; round < 40; round++) {
        uint32_t want[64 * 64];
        random_pixels(&c);
        sty_color col = {(uint8_t)(rand() % 256), (uint8_t)(rand() % 256), (uint8_t)(rand() % 256)};
        double op = (rand() % 2) ? 1.0 : (rand() % 256) / 255.0;
        uint32_t sa = (uint32_t)lround(op * 255.0);
        uint32_t src = sa << 24 | ref_mul255(col.r, sa) << 16 | ref_mul255(col.g, sa) << 8 |
                       ref_mul255(col.b, sa);
        int len = 1 + round % 37, x0 = rand() % (64 - len), y0 = 5, y1 = 60;
        sty__thin_begin(&c.t, 1.0);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) {
                uint32_t d = px[y * stride + x], k = 0;
                if (y >= y0 && y <= y1 && x >= x0 && x < x0 + len)
                    k = rand() % 3 == 0 ? 0 : rand() % 2 ? 255 : (uint32_t)rand() % 256;
                c.t.cov[y * 64 + x] = (uint8_t)k;
                uint32_t w = d;
                if (k) {
                    uint32_t sk = 0;
                    for (int ch = 0; ch < 32; ch += 8)
                        sk |= ref_mul255((src >> ch) & 0xff, k) << ch;
                    uint32_t inv = 255 - (sk >> 24);
                    w = 0;
                    for (int ch = 0; ch < 32; ch += 8)
                        w |= (((sk >> ch) & 0xff) + ref_mul255((d >> ch) & 0xff, inv)) << ch;
                }
                want[y * 64 + x] = w;
            }
        c.t.x0 = x0;
        c.t.x1 = x0 + len - 1;
        c.t.y0 = y0;
        c.t.y1 = y1;
        sty__thin_paint(&c.t, col, op);
        for (int i = 0; i < 64 * 64; i++) {
            bad += px[(i / 64) * stride + i % 64] != want[i];
            checked++;
            assert_int_equal(c.t.cov[i], 0); /* left clean for the next feature */
        }
    }
    print_message("compositing: %u of %u pixels differ from the formula\n", bad, checked);
    assert_int_equal(bad, 0);
    canvas_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis_aligned),
        cmocka_unit_test(test_close_to_cairo),
        cmocka_unit_test(test_tile_edge),
        cmocka_unit_test(test_out_of_reach),
        cmocka_unit_test(test_fill_coverage),
        cmocka_unit_test(test_fill_close_to_cairo),
        cmocka_unit_test(test_filled_is_its_parts),
        cmocka_unit_test(test_fill_tile_edge),
        cmocka_unit_test(test_batch_fill),
        cmocka_unit_test(test_subpixel_fill),
        cmocka_unit_test(test_line_close_to_cairo),
        cmocka_unit_test(test_line_joins_and_edges),
        cmocka_unit_test(test_compositing_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
