/* test_thin.c: thin outlines drawn without Cairo's stroker (styles/thin.c): exact coverage
 * of axis-aligned lines, as close to Cairo's exact stroke as Cairo's 4x4-sampled one on
 * random rings, the same pixels on both sides of a tile edge, and nothing drawn (or
 * crashed) for geometry out of reach. */
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
                   w, h, &c->a);
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
    canvas wide, left, right;
    canvas_open(&wide, 512, 128);
    canvas_open(&left, 256, 128);
    canvas_open(&right, 256, 128);
    canvas *cv[3] = {&wide, &left, &right};
    double dx[3] = {0, 0, -256};
    for (int i = 0; i < 3; i++) {
        sty__thin_begin(&cv[i]->t, 0.8);
        for (int k = 0; k < 4; k++)
            sty__thin_segment(&cv[i]->t, ring[k][0] + dx[i], ring[k][1],
                              ring[(k + 1) % 4][0] + dx[i], ring[(k + 1) % 4][1]);
        sty__thin_paint(&cv[i]->t, black, 1.0);
    }
    int inked = 0;
    for (int y = 0; y < 128; y++) {
        for (int x = 0; x < 512; x++) {
            int w = alpha(&wide, x, y);
            int t = x < 256 ? alpha(&left, x, y) : alpha(&right, x - 256, y);
            assert_in_range(abs(w - t), 0, 1);
            inked += w > 0;
        }
    }
    assert_true(inked > 100);
    assert_true(alpha(&left, 255, 25) > 0 && alpha(&right, 0, 25) > 0); /* it crosses */
    for (int i = 0; i < 3; i++)
        canvas_close(cv[i]);
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
    assert_int_equal(sty__thin_geom(&c.t, &g, &xf), 0);
    sty__thin_segment(&c.t, NAN, 3, 10, 10);
    sty__thin_segment(&c.t, -1e30, 3, 1e30, 10);
    sty__thin_segment(&c.t, 5, 5, 5, 5);
    assert_int_equal(sty__thin_paint(&c.t, black, 1.0), 0);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            assert_int_equal(alpha(&c, x, y), 0);
    canvas_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis_aligned),
        cmocka_unit_test(test_close_to_cairo),
        cmocka_unit_test(test_tile_edge),
        cmocka_unit_test(test_out_of_reach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
