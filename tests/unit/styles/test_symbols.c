/* test_symbols.c: what SLD symbolizers draw (styles/graphics.c, render.c, polylabel.c):
 * hatches anchored to the world grid (continuous across tile edges, doubled at @2x), the
 * well-known marks, metre units, and interior points of concave polygons. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>

#include "styles/styles_int.h"
#include "tests/support/wkb.h"

#define Z 16
#define LON0 106.65
#define LAT0 11.0

typedef struct fixture {
    lyr_store *st;
    lyr_snapshot *areas, *pts, *lines;
    sty_renderer *r;
    tl_arena arena;
    uint32_t tx, ty; /* the z16 tile of (LON0, LAT0) */
} fixture;

#define SLD_HEAD                                                                               \
    "<StyledLayerDescriptor version=\"1.1.0\" xmlns=\"http://www.opengis.net/sld\" "          \
    "xmlns:se=\"http://www.opengis.net/se\" xmlns:ogc=\"http://www.opengis.net/ogc\">"        \
    "<NamedLayer><se:Name>x</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>"
#define SLD_TAIL "</se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"

static sty_style *style(const char *body)
{
    char doc[4096];
    snprintf(doc, sizeof doc, SLD_HEAD "%s" SLD_TAIL, body);
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = sty_style_from_sld(doc, strlen(doc), "x", &is, &err);
    if (!s)
        fail_msg("%s", err.msg);
    assert_int_equal(is.n, 0);
    return s;
}

typedef struct image {
    uint8_t *px;
    int w, h;
} image;

static image draw(fixture *fx, const lyr_snapshot *snap, const sty_style *s, int z, uint32_t x,
                  uint32_t y, int scale)
{
    sty_layer ly = {snap, s};
    sty_tile t = {z, x, y, scale, STY_FORMAT_PNG};
    tl_buf png;
    tl_buf_init(&png, 1u << 24);
    tl_err err = TL_ERR_INIT;
    tl_arena_reset(&fx->arena);
    if (sty_render_tile(fx->r, &ly, 1, &t, &fx->arena, &png, &err) != 0)
        fail_msg("%s", err.msg);
    image im;
    assert_int_equal(sty_png_decode_rgba(png.data, png.len, &im.px, &im.w, &im.h, &err), 0);
    tl_buf_free(&png);
    return im;
}

static const uint8_t *px(const image *im, int x, int y)
{
    return im->px + 4 * ((size_t)y * (size_t)im->w + (size_t)x);
}

static int is_rgb(const uint8_t *p, uint32_t rgb)
{
    return p[0] == (rgb >> 16) && p[1] == ((rgb >> 8) & 0xff) && p[2] == (rgb & 0xff) &&
           p[3] == 255;
}

/* Hatches ------------------------------------------------------------------------------------ */

static const char hatch_slash[] =
    "<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\">#ffffff</se:SvgParameter>"
    "</se:Fill></se:PolygonSymbolizer>"
    "<se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>"
    "slash</se:WellKnownName><se:Stroke><se:SvgParameter name=\"stroke\">#000000"
    "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">1</se:SvgParameter></se:Stroke>"
    "</se:Mark><se:Size>8</se:Size></se:Graphic></se:GraphicFill></se:Fill>"
    "</se:PolygonSymbolizer>";

/* Inside the big area: the hatch repeats every 8 px (16 at @2x) along rows and columns,
 * and the edge columns of two neighbouring tiles are those of a window across the edge. */
static void test_hatch_world_aligned(void **state)
{
    fixture *fx = *state;
    sty_style *s = style(hatch_slash);
    image a = draw(fx, fx->areas, s, Z, fx->tx, fx->ty, 1);
    image b = draw(fx, fx->areas, s, Z, fx->tx + 1, fx->ty, 1);
    int dark = 0;
    for (int y = 0; y < 248; y++) {
        for (int x = 0; x < 248; x++) {
            assert_memory_equal(px(&a, x, y), px(&a, x + 8, y), 4);
            assert_memory_equal(px(&a, x, y), px(&a, x, y + 8), 4);
            dark += px(&a, x, y)[0] < 128;
        }
    }
    assert_true(dark > 248 * 248 / 16 && dark < 248 * 248 / 3); /* lines, not a fill */
    uint8_t *w = NULL;
    tl_err err = TL_ERR_INIT;
    sty_layer ly = {fx->areas, s};
    tl_arena_reset(&fx->arena);
    assert_int_equal(sty__render_window(&ly, 1, Z, 1, fx->tx * 256.0 + 128, fx->ty * 256.0, 256,
                                        256, &fx->arena, &w, &err), 0);
    for (int y = 0; y < 256; y++) {
        assert_memory_equal(px(&a, 255, y), w + 4 * ((size_t)y * 256 + 127), 4);
        assert_memory_equal(px(&b, 0, y), w + 4 * ((size_t)y * 256 + 128), 4);
        /* and the slash runs on: one pixel up per pixel right (the cell's overlapping
         * line ends shade a pixel or two slightly differently) */
        if (y > 0)
            for (int c = 0; c < 4; c++)
                assert_true(abs(px(&a, 255, y)[c] - px(&b, 0, y - 1)[c]) <= 8);
    }
    free(w);
    image r = draw(fx, fx->areas, s, Z, fx->tx, fx->ty, 2);
    for (int y = 0; y < 400; y += 7)
        for (int x = 0; x < 400; x += 5)
            assert_memory_equal(px(&r, x, y), px(&r, x + 16, y), 4);
    free(a.px);
    free(b.px);
    free(r.px);
    sty_style_release(s);
}

/* Marks and units ------------------------------------------------------------------------------ */

static void test_marks(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *name;
        int corner_filled; /* (cx - 6, cy - 6) of a 20 px mark */
        int top_filled;    /* (cx, cy - 8) */
        int side_filled;   /* (cx - 8, cy + 1) */
    } marks[] = {{"square", 1, 1, 1}, {"circle", 1, 1, 1}, {"triangle", 0, 1, 0},
                 {"star", 0, 1, 0},   {"cross", 0, 1, 1},  {"x", 1, 0, 0}};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body,
                 "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>%s"
                 "</se:WellKnownName><se:Fill><se:SvgParameter name=\"fill\">#d00000"
                 "</se:SvgParameter></se:Fill></se:Mark><se:Size>20</se:Size></se:Graphic>"
                 "</se:PointSymbolizer>", marks[i].name);
        sty_style *s = style(body);
        image im = draw(fx, fx->pts, s, Z, fx->tx, fx->ty, 1);
        int cx = 100, cy = 100; /* the point is at pixel (100.5, 100.5) */
        assert_true(is_rgb(px(&im, cx, cy), 0xd00000));
        if (marks[i].corner_filled != is_rgb(px(&im, cx - 6, cy - 6), 0xd00000) ||
            marks[i].top_filled != is_rgb(px(&im, cx, cy - 8), 0xd00000) ||
            marks[i].side_filled != is_rgb(px(&im, cx - 8, cy + 1), 0xd00000))
            fail_msg("mark %s has the wrong shape", marks[i].name);
        assert_int_equal(px(&im, cx + 12, cy)[3], 0);
        free(im.px);
        sty_style_release(s);
    }
}

/* A 10 m wide line at z16 near 11 N: 10 / (2.387 * cos 11 deg) = 4.3 px. At @2x, 8.5 px. */
static void test_metre_units(void **state)
{
    fixture *fx = *state;
    sty_style *s = style("<se:LineSymbolizer uom=\"http://www.opengeospatial.org/se/units/metre\">"
                         "<se:Stroke><se:SvgParameter name=\"stroke\">#0000ff</se:SvgParameter>"
                         "<se:SvgParameter name=\"stroke-width\">10</se:SvgParameter>"
                         "</se:Stroke></se:LineSymbolizer>");
    for (int scale = 1; scale <= 2; scale++) {
        image im = draw(fx, fx->lines, s, Z, fx->tx, fx->ty, scale);
        double ink = 0.0;
        for (int y = 0; y < im.h; y++)
            ink += px(&im, im.w / 2, y)[3] / 255.0;
        assert_true(fabs(ink - 4.27 * scale) < 0.3);
        free(im.px);
    }
    sty_style_release(s);
}

/* Interior points ------------------------------------------------------------------------------ */

/* An L whose bbox centre and centroid are outside it: the label point is inside, in the
 * thicker arm, as far from the edges as the arm allows. */
static void test_polylabel_concave(void **state)
{
    fixture *fx = *state;
    /* L: the 0..100 x 0..20 bottom bar and the 0..40 x 0..100 left bar (y up) */
    static const double xy[] = {0, 0, 100, 0, 100, 20, 40, 20, 40, 100, 0, 100, 0, 0};
    static const uint32_t start[] = {0, 7};
    static const uint8_t outer[] = {1};
    lyr_geom_view g = {LYR_GEOM_POLYGON, 1, start, outer, xy, {0, 0, 100, 100}};
    double x, y;
    tl_arena_reset(&fx->arena);
    double d = sty__polylabel(&g, 0, 1, 0.0, 100.0, 1.0, 0.1, &fx->arena, &x, &y);
    assert_true(fabs(d - 20.0) < 0.2); /* the left bar is 40 wide */
    assert_true(fabs(x - 20.0) < 0.2);
    assert_true(y > 10.0 && y < 80.0); /* pixels, y down: inside the left bar */
    /* a hole in the middle of a square pushes the point into a corner of the ring: at
     * (t, t) with t = 30 sqrt 2 / (1 + sqrt 2) = 17.57 from both the edges and the hole */
    static const double sq[] = {0, 0, 90, 0, 90, 90, 0, 90, 0, 0,
                                30, 30, 60, 30, 60, 60, 30, 60, 30, 30};
    static const uint32_t st2[] = {0, 5, 10};
    static const uint8_t out2[] = {1, 0};
    lyr_geom_view h = {LYR_GEOM_POLYGON, 2, st2, out2, sq, {0, 0, 90, 90}};
    d = sty__polylabel(&h, 0, 2, 0.0, 90.0, 1.0, 0.1, &fx->arena, &x, &y);
    assert_true(fabs(d - 17.57) < 0.2);
    assert_false(x > 30 && x < 60 && y > 30 && y < 60);
}

/* Set-up --------------------------------------------------------------------------------------- */

static void lonlat_of(fixture *fx, double pxx, double pxy, double *lon, double *lat)
{
    tl_bbox b = tl_tile_bbox(Z, fx->tx, fx->ty);
    double res = (b.maxx - b.minx) / 256.0;
    tl_merc_to_lonlat(b.minx + pxx * res, b.maxy - pxy * res, lon, lat);
}

static void publish_one(fixture *fx, const char *name, lyr_geom_kind kind, const twkb *g)
{
    tl_err err = TL_ERR_INIT;
    lyr_writer *w = lyr_writer_begin(fx->st, name, NULL, kind, NULL, 0, NULL, NULL, &err);
    if (!w || lyr_writer_add(w, g->b, g->n, NULL, &err) != 0 ||
        lyr_writer_publish(w, NULL, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("TILED_TEST_TMP");
    char path[1024];
    if (!tmp)
        tmp = "/tmp";
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof path, "%s/styles_symbols.gpkg", tmp);
    unlink(path);
    GDALAllRegister();
    tl_err err = TL_ERR_INIT;
    fx->st = lyr_store_open(path, 1, &err);
    if (!fx->st)
        return -1;
    double mx, my, size = 2.0 * TL_MERC_HALF / (double)(1u << Z);
    tl_lonlat_to_merc(LON0, LAT0, &mx, &my);
    fx->tx = (uint32_t)floor((mx + TL_MERC_HALF) / size);
    fx->ty = (uint32_t)floor((TL_MERC_HALF - my) / size);
    twkb g;
    double a0, b0, a1, b1;
    lonlat_of(fx, -600, -600, &a0, &b1); /* from 600 px west/north of the tile ... */
    lonlat_of(fx, 900, 900, &a1, &b0);   /* ... to 900 px east/south */
    twkb_rect(&g, a0, b0, a1, b1, NULL);
    publish_one(fx, "areas", LYR_GEOM_POLYGON, &g);
    double pt[2];
    lonlat_of(fx, 100.5, 100.5, &pt[0], &pt[1]);
    g.n = 0;
    twkb_u8(&g, 1);
    twkb_u32(&g, 1);
    twkb_f64(&g, pt[0]);
    twkb_f64(&g, pt[1]);
    publish_one(fx, "pts", LYR_GEOM_POINT, &g);
    double line[4];
    lonlat_of(fx, -100, 128, &line[0], &line[1]);
    lonlat_of(fx, 400, 128, &line[2], &line[3]);
    twkb_line(&g, line, 2);
    publish_one(fx, "lines", LYR_GEOM_LINE, &g);
    fx->areas = lyr_snapshot_load(fx->st, "areas", &err);
    fx->pts = lyr_snapshot_load(fx->st, "pts", &err);
    fx->lines = lyr_snapshot_load(fx->st, "lines", &err);
    fx->r = sty_renderer_new(&err);
    tl_arena_init(&fx->arena, 0);
    *state = fx;
    return fx->areas && fx->pts && fx->lines && fx->r ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sty_renderer_free(fx->r);
    lyr_snapshot_release(fx->areas);
    lyr_snapshot_release(fx->pts);
    lyr_snapshot_release(fx->lines);
    lyr_store_close(fx->st);
    tl_arena_free(&fx->arena);
    free(fx);
    GDALDestroyDriverManager();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hatch_world_aligned),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_metre_units),
        cmocka_unit_test(test_polylabel_concave),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
