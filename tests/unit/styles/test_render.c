/* test_render.c: tiles drawn by styles/render.c from a small store written here, checked
 * pixel by pixel after decoding the PNG. */
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

#include "layers/layers.h"
#include "styles/styles.h"
#include "styles/styles_int.h"

/* The layout: squares in four neighbouring z16 tiles around Thu Dau Mot. */
#define Z 16
#define LON0 106.65
#define LAT0 11.0

/* A 1 degree square far from the rest: 11 million pixels wide at z24, beyond the range
 * of Cairo's 24.8 fixed-point coordinates, so it needs the clipping in path.c. */
#define BIG_LON0 100.0
#define BIG_LAT0 20.0
#define BIG_SIDE 1.0

typedef struct fixture {
    lyr_store *st;
    lyr_snapshot *zoning, *parks, *roads, *wells;
    sty_style *s_zoning, *s_parks, *s_roads, *s_wells;
    sty_renderer *r;
    tl_arena arena;
    uint32_t tx, ty; /* the z16 tile of (LON0, LAT0) */
} fixture;

typedef struct image {
    uint8_t *px;
    int w, h;
    size_t png_len;
    unsigned char *png;
} image;

/* Hand-written little-endian ISO WKB ---------------------------------------------------- */

typedef struct wkb {
    unsigned char b[4096];
    size_t n;
} wkb;

static void put_u8(wkb *w, unsigned v)
{
    w->b[w->n++] = (unsigned char)v;
}

static void put_u32(wkb *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put_u8(w, (v >> (8 * i)) & 0xff);
}

static void put_f64(wkb *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        put_u8(w, (unsigned)((v >> (8 * i)) & 0xff));
}

/* Pixel (px, py) of 256 px tile z/x/y -> lon/lat. */
static void pixel_lonlat(int z, uint32_t x, uint32_t y, double px, double py, double *lon,
                         double *lat)
{
    tl_bbox b = tl_tile_bbox(z, x, y);
    double res = (b.maxx - b.minx) / 256.0;
    tl_merc_to_lonlat(b.minx + px * res, b.maxy - py * res, lon, lat);
}

/* MultiPolygon of one square [p0, p1]^2 in pixels of z16 tile (x, y). */
static void square_wkb(wkb *w, uint32_t x, uint32_t y, double p0, double p1)
{
    static const int corners[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
    w->n = 0;
    put_u8(w, 1);
    put_u32(w, 6); /* MultiPolygon */
    put_u32(w, 1);
    put_u8(w, 1);
    put_u32(w, 3); /* Polygon */
    put_u32(w, 1);
    put_u32(w, 5);
    for (int i = 0; i < 5; i++) {
        double lon, lat;
        pixel_lonlat(Z, x, y, corners[i][0] ? p1 : p0, corners[i][1] ? p1 : p0, &lon, &lat);
        put_f64(w, lon);
        put_f64(w, lat);
    }
}

/* MultiPolygon of the lon/lat box [lon0, lon1] x [lat0, lat1]. */
static void box_wkb(wkb *w, double lon0, double lat0, double lon1, double lat1)
{
    double xs[5] = {lon0, lon1, lon1, lon0, lon0}, ys[5] = {lat0, lat0, lat1, lat1, lat0};
    w->n = 0;
    put_u8(w, 1);
    put_u32(w, 6);
    put_u32(w, 1);
    put_u8(w, 1);
    put_u32(w, 3);
    put_u32(w, 1);
    put_u32(w, 5);
    for (int i = 0; i < 5; i++) {
        put_f64(w, xs[i]);
        put_f64(w, ys[i]);
    }
}

/* LineString (or Point when n == 1) through n lon/lat points. */
static void lonlat_wkb(wkb *w, const double *ll, uint32_t n)
{
    w->n = 0;
    put_u8(w, 1);
    if (n == 1) {
        put_u32(w, 1); /* Point */
    } else {
        put_u32(w, 2);
        put_u32(w, n);
    }
    for (uint32_t i = 0; i < 2 * n; i++)
        put_f64(w, ll[i]);
}

/* LineString along pixel row py of z16 tile row y, from tile column x0 to x1 (pixels). */
static void hline_wkb(wkb *w, uint32_t x, uint32_t y, double px0, double px1, double py)
{
    w->n = 0;
    put_u8(w, 1);
    put_u32(w, 2); /* LineString */
    put_u32(w, 3);
    double xs[3] = {px0, (px0 + px1) / 2.0, px1};
    for (int i = 0; i < 3; i++) {
        double lon, lat;
        pixel_lonlat(Z, x, y, xs[i], py, &lon, &lat);
        put_f64(w, lon);
        put_f64(w, lat);
    }
}

/* Store ------------------------------------------------------------------------------------- */

static void add_feature(lyr_writer *w, const wkb *g, const char *v0, const char *v1)
{
    lyr_value vals[2];
    memset(vals, 0, sizeof vals);
    vals[0].s = v0;
    vals[1].s = v1;
    tl_err err = TL_ERR_INIT;
    int rc = lyr_writer_add(w, g->b, g->n, vals, &err);
    if (rc != 0)
        fail_msg("lyr_writer_add: %s", err.msg);
}

static lyr_writer *begin(lyr_store *st, const char *name, lyr_geom_kind kind,
                         const lyr_field_def *f, size_t n)
{
    tl_err err = TL_ERR_INIT;
    lyr_writer *w = lyr_writer_begin(st, name, NULL, kind, f, n, NULL, NULL, &err);
    if (!w)
        fail_msg("lyr_writer_begin(%s): %s", name, err.msg);
    return w;
}

static void publish(lyr_writer *w)
{
    tl_err err = TL_ERR_INIT;
    if (lyr_writer_publish(w, NULL, &err) != 0)
        fail_msg("lyr_writer_publish: %s", err.msg);
}

static void write_store(fixture *fx)
{
    uint32_t x = fx->tx, y = fx->ty;
    wkb g;
    static const lyr_field_def zf[] = {{"zone_code", LYR_FIELD_STRING}};
    lyr_writer *w = begin(fx->st, "zoning", LYR_GEOM_POLYGON, zf, 1);
    square_wkb(&g, x, y, 64.5, 191.5);
    add_feature(w, &g, "R1", NULL);
    square_wkb(&g, x + 1, y, 64.5, 191.5);
    add_feature(w, &g, "IND", NULL);
    square_wkb(&g, x, y + 1, 64.5, 191.5);
    add_feature(w, &g, "GR", NULL);
    box_wkb(&g, BIG_LON0, BIG_LAT0, BIG_LON0 + BIG_SIDE, BIG_LAT0 + BIG_SIDE);
    add_feature(w, &g, "AG", NULL);
    publish(w);

    static const lyr_field_def pf[] = {{"status", LYR_FIELD_STRING},
                                       {"short_name", LYR_FIELD_STRING}};
    w = begin(fx->st, "industrial_parks", LYR_GEOM_POLYGON, pf, 2);
    square_wkb(&g, x + 1, y + 1, 32.5, 223.5);
    add_feature(w, &g, "planned", "KCN Test");
    publish(w);

    static const lyr_field_def rf[] = {{"class", LYR_FIELD_STRING}};
    w = begin(fx->st, "roads", LYR_GEOM_LINE, rf, 1);
    hline_wkb(&g, x - 1, y, 0.0, 4 * 256.0, 240.5); /* across tiles x-1 .. x+2 */
    add_feature(w, &g, "motorway", NULL);
    hline_wkb(&g, x, y, 8.0, 248.0, 16.5);
    add_feature(w, &g, "residential", NULL);
    double across[4] = {BIG_LON0 - 0.1, BIG_LAT0 + BIG_SIDE / 2, BIG_LON0 + BIG_SIDE + 0.1,
                        BIG_LAT0 + BIG_SIDE / 2};
    lonlat_wkb(&g, across, 2);
    add_feature(w, &g, "motorway", NULL);
    publish(w);

    static const lyr_field_def wf[] = {{"depth_m", LYR_FIELD_REAL}};
    w = begin(fx->st, "wells", LYR_GEOM_POINT, wf, 1);
    double lon, lat;
    pixel_lonlat(Z, x + 2, y, 100.5, 100.5, &lon, &lat);
    double pt[2] = {lon, lat};
    lonlat_wkb(&g, pt, 1);
    lyr_value depth;
    memset(&depth, 0, sizeof depth);
    depth.d = 42.0;
    tl_err err = TL_ERR_INIT;
    if (lyr_writer_add(w, g.b, g.n, &depth, &err) != 0)
        fail_msg("lyr_writer_add: %s", err.msg);
    publish(w);
}

static lyr_snapshot *load(lyr_store *st, const char *name)
{
    tl_err err = TL_ERR_INIT;
    lyr_snapshot *s = lyr_snapshot_load(st, name, &err);
    if (!s)
        fail_msg("lyr_snapshot_load(%s): %s", name, err.msg);
    return s;
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
    snprintf(path, sizeof path, "%s/styles_render.gpkg", tmp);
    unlink(path);
    GDALAllRegister();
    tl_err err = TL_ERR_INIT;
    fx->st = lyr_store_open(path, 1, &err);
    if (!fx->st) {
        fprintf(stderr, "lyr_store_open: %s\n", err.msg);
        return -1;
    }
    double mx, my;
    tl_lonlat_to_merc(LON0, LAT0, &mx, &my);
    double size = 2.0 * TL_MERC_HALF / (double)(1u << Z);
    fx->tx = (uint32_t)floor((mx + TL_MERC_HALF) / size);
    fx->ty = (uint32_t)floor((TL_MERC_HALF - my) / size);
    write_store(fx);
    fx->zoning = load(fx->st, "zoning");
    fx->parks = load(fx->st, "industrial_parks");
    fx->roads = load(fx->st, "roads");
    fx->wells = load(fx->st, "wells");
    fx->s_zoning = sty_style_builtin("zoning", LYR_GEOM_POLYGON);
    fx->s_parks = sty_style_builtin("industrial_parks", LYR_GEOM_POLYGON);
    fx->s_roads = sty_style_builtin("roads", LYR_GEOM_LINE);
    fx->s_wells = sty_style_builtin("wells", LYR_GEOM_POINT);
    fx->r = sty_renderer_new(&err);
    if (!fx->r)
        return -1;
    tl_arena_init(&fx->arena, 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sty_renderer_free(fx->r);
    sty_style_release(fx->s_zoning);
    sty_style_release(fx->s_parks);
    sty_style_release(fx->s_roads);
    sty_style_release(fx->s_wells);
    lyr_snapshot_release(fx->zoning);
    lyr_snapshot_release(fx->parks);
    lyr_snapshot_release(fx->roads);
    lyr_snapshot_release(fx->wells);
    lyr_store_close(fx->st);
    tl_arena_free(&fx->arena);
    free(fx);
    return 0;
}

/* Rendering helpers --------------------------------------------------------------------- */

enum { L_ZONING = 1, L_PARKS = 2, L_ROADS = 4, L_ALL = 7, L_WELLS = 8 };

static int render(fixture *fx, int which, int z, uint32_t x, uint32_t y, int scale, tl_buf *png,
                  tl_err *err)
{
    sty_layer ly[4];
    size_t n = 0;
    if (which & L_ZONING)
        ly[n++] = (sty_layer){fx->zoning, fx->s_zoning};
    if (which & L_PARKS)
        ly[n++] = (sty_layer){fx->parks, fx->s_parks};
    if (which & L_ROADS)
        ly[n++] = (sty_layer){fx->roads, fx->s_roads};
    if (which & L_WELLS)
        ly[n++] = (sty_layer){fx->wells, fx->s_wells};
    sty_tile t = {z, x, y, scale, STY_FORMAT_PNG};
    tl_arena_reset(&fx->arena);
    return sty_render_tile(fx->r, ly, n, &t, &fx->arena, png, err);
}

static image draw(fixture *fx, int which, int z, uint32_t x, uint32_t y, int scale)
{
    tl_buf png;
    tl_buf_init(&png, 8 << 20);
    tl_err err = TL_ERR_INIT;
    if (render(fx, which, z, x, y, scale, &png, &err) != 0)
        fail_msg("sty_render_tile %d/%u/%u: %s", z, x, y, err.msg);
    image im = {0};
    if (sty_png_decode_rgba(png.data, png.len, &im.px, &im.w, &im.h, &err) != 0)
        fail_msg("decode: %s", err.msg);
    im.png_len = png.len;
    im.png = tl_buf_take(&png, &im.png_len);
    /* keep a copy to look at: $TILED_TEST_TMP/render_<z>_<x>_<y>@<scale>.png */
    const char *tmp = getenv("TILED_TEST_TMP");
    if (tmp) {
        char path[1024];
        snprintf(path, sizeof path, "%s/render_%d_%u_%u@%dx_%d.png", tmp, z, x, y, scale, which);
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(im.png, 1, im.png_len, f);
            fclose(f);
        }
    }
    return im;
}

static void image_free(image *im)
{
    free(im->px);
    free(im->png);
}

static const uint8_t *pixel(const image *im, int x, int y)
{
    return im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 4;
}

/* The pixel is exactly #rrggbb with alpha a. */
static void assert_pixel(const image *im, int x, int y, uint32_t rgb, int a)
{
    const uint8_t *p = pixel(im, x, y);
    if (p[0] != ((rgb >> 16) & 0xff) || p[1] != ((rgb >> 8) & 0xff) || p[2] != (rgb & 0xff) ||
        p[3] != a)
        fail_msg("pixel (%d, %d) is #%02x%02x%02x/%d, expected #%06x/%d", x, y, p[0], p[1], p[2],
                 p[3], (unsigned)rgb, a);
}

static int near_rgb(const uint8_t *p, uint32_t rgb, int tol)
{
    return abs(p[0] - (int)((rgb >> 16) & 0xff)) <= tol &&
           abs(p[1] - (int)((rgb >> 8) & 0xff)) <= tol && abs(p[2] - (int)(rgb & 0xff)) <= tol;
}

/* Tests ------------------------------------------------------------------------------------ */

static void test_fill_colours(void **state)
{
    fixture *fx = *state;
    image a = draw(fx, L_ALL, Z, fx->tx, fx->ty, 1);
    assert_int_equal(a.w, 256);
    assert_int_equal(a.h, 256);
    assert_pixel(&a, 128, 128, 0xf7e08b, 255); /* R1 */
    assert_pixel(&a, 128, 240, 0xb03a2e, 255); /* motorway, 10 px at z16 */
    assert_pixel(&a, 128, 16, 0xffffff, 255);  /* residential, 3 px at z16 */
    assert_int_equal(pixel(&a, 5, 5)[3], 0);   /* background stays transparent */
    image b = draw(fx, L_ALL, Z, fx->tx + 1, fx->ty, 1);
    assert_pixel(&b, 128, 128, 0xb49bd6, 255); /* IND */
    image c = draw(fx, L_ALL, Z, fx->tx, fx->ty + 1, 1);
    assert_pixel(&c, 128, 128, 0x8ccc79, 255); /* GR */
    image_free(&a);
    image_free(&b);
    image_free(&c);
}

/* Categorized rules on one text property (render.c remembers the matching rules per
 * distinct value) with an ElseFilter, and the same rules behind a filter that also reads a
 * second property (evaluated per feature): the same colours. */
static void test_rules_per_value(void **state)
{
    fixture *fx = *state;
    static const char *const docs[2] = {
        "<StyledLayerDescriptor version=\"1.0.0\" xmlns=\"http://www.opengis.net/sld\" "
        "xmlns:ogc=\"http://www.opengis.net/ogc\"><NamedLayer><Name>zoning</Name><UserStyle>"
        "<FeatureTypeStyle><Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone_code"
        "</ogc:PropertyName><ogc:Literal>IND</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
        "<PolygonSymbolizer><Fill><CssParameter name=\"fill\">#0000ff</CssParameter></Fill>"
        "</PolygonSymbolizer></Rule><Rule><ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo>"
        "<ogc:PropertyName>zone_code</ogc:PropertyName><ogc:Literal>GR</ogc:Literal>"
        "</ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>zone_code"
        "</ogc:PropertyName><ogc:Literal>IND</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or>"
        "</ogc:Filter><PolygonSymbolizer><Stroke><CssParameter name=\"stroke\">#00ff00"
        "</CssParameter><CssParameter name=\"stroke-width\">4</CssParameter></Stroke>"
        "</PolygonSymbolizer></Rule><Rule><ElseFilter/><PolygonSymbolizer><Fill>"
        "<CssParameter name=\"fill\">#ff0000</CssParameter></Fill></PolygonSymbolizer></Rule>"
        "</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>",
        NULL};
    char *two = NULL; /* the same with a second property in the first rule's filter */
    {
        const char *d = docs[0];
        const char *at = strstr(d, "<ogc:PropertyIsEqualTo>");
        const char *end = strstr(at, "</ogc:PropertyIsEqualTo>") + strlen("</ogc:PropertyIsEqualTo>");
        const char *extra = "<ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>no_such_field"
                            "</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not>";
        size_t n = strlen(d) + (size_t)(end - at) + strlen(extra) + 64;
        two = malloc(n);
        assert_non_null(two);
        snprintf(two, n, "%.*s<ogc:Or>%.*s<ogc:And>%.*s%s</ogc:And></ogc:Or>%s", (int)(at - d),
                 d, (int)(end - at), at, (int)(end - at), at, extra, end);
    }
    for (int i = 0; i < 2; i++) {
        const char *doc = i ? two : docs[0];
        tl_err err = TL_ERR_INIT;
        sty_style *st = sty_style_from_sld(doc, strlen(doc), "zoning", NULL, &err);
        if (!st)
            fail_msg("style %d: %s", i, err.msg);
        sty_style *keep = fx->s_zoning;
        fx->s_zoning = st;
        image a = draw(fx, L_ZONING, Z, fx->tx, fx->ty, 1);     /* R1: else */
        image b = draw(fx, L_ZONING, Z, fx->tx + 1, fx->ty, 1); /* IND: blue, green edge */
        image c = draw(fx, L_ZONING, Z, fx->tx, fx->ty + 1, 1); /* GR: green edge only */
        fx->s_zoning = keep;
        assert_pixel(&a, 128, 128, 0xff0000, 255);
        assert_pixel(&b, 128, 128, 0x0000ff, 255);
        assert_int_equal(pixel(&c, 128, 128)[3], 0);
        assert_pixel(&c, 64, 128, 0x00ff00, 255);
        assert_pixel(&b, 64, 128, 0x00ff00, 255);
        image_free(&a);
        image_free(&b);
        image_free(&c);
        sty_style_release(st);
    }
    free(two);
}

/* Batched fills (render.c with the snapshot's overlap flags): two same-colour neighbours
 * sharing an edge inside a pixel show no seam, and where two polygons overlap the later
 * one stays on top even though its rule comes first. */
static void test_batched_fills(void **state)
{
    fixture *fx = *state;
    uint32_t x = fx->tx + 5, y = fx->ty + 5;
    static const double r[4][4] = {
        {40.5, 40.5, 128.3, 120}, {128.3, 40.5, 216.5, 120}, /* neighbours, zone A */
        {40.5, 140, 140, 220},                               /* zone A */
        {100, 160, 200, 240}};                               /* zone B, over the one above */
    static const lyr_field_def zf[] = {{"zone_code", LYR_FIELD_STRING}};
    lyr_writer *w = begin(fx->st, "cover", LYR_GEOM_POLYGON, zf, 1);
    for (int i = 0; i < 4; i++) {
        wkb g;
        double lon0, lat0, lon1, lat1;
        pixel_lonlat(Z, x, y, r[i][0], r[i][3], &lon0, &lat0);
        pixel_lonlat(Z, x, y, r[i][2], r[i][1], &lon1, &lat1);
        box_wkb(&g, lon0, lat0, lon1, lat1);
        add_feature(w, &g, i < 3 ? "A" : "B", NULL);
    }
    publish(w);
    lyr_snapshot *snap = load(fx->st, "cover");
    static const char *doc =
        "<StyledLayerDescriptor version=\"1.0.0\" xmlns=\"http://www.opengis.net/sld\" "
        "xmlns:ogc=\"http://www.opengis.net/ogc\"><NamedLayer><Name>cover</Name><UserStyle>"
        "<FeatureTypeStyle><Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>zone_code"
        "</ogc:PropertyName><ogc:Literal>B</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
        "<PolygonSymbolizer><Fill><CssParameter name=\"fill\">#0000ff</CssParameter></Fill>"
        "</PolygonSymbolizer></Rule><Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>"
        "zone_code</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>"
        "</ogc:Filter><PolygonSymbolizer><Fill><CssParameter name=\"fill\">#ff0000"
        "</CssParameter></Fill></PolygonSymbolizer></Rule></FeatureTypeStyle></UserStyle>"
        "</NamedLayer></StyledLayerDescriptor>";
    tl_err err = TL_ERR_INIT;
    sty_style *st = sty_style_from_sld(doc, strlen(doc), "cover", NULL, &err);
    if (!st)
        fail_msg("style: %s", err.msg);
    sty_layer ly = {snap, st};
    sty_tile t = {Z, x, y, 1, STY_FORMAT_PNG};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            assert_int_equal(lyr_snapshot_check_overlaps(snap, NULL), 0);
        tl_buf png;
        tl_buf_init(&png, 8 << 20);
        tl_arena_reset(&fx->arena);
        if (sty_render_tile(fx->r, &ly, 1, &t, &fx->arena, &png, &err) != 0)
            fail_msg("render: %s", err.msg);
        image im = {0};
        if (sty_png_decode_rgba(png.data, png.len, &im.px, &im.w, &im.h, &err) != 0)
            fail_msg("decode: %s", err.msg);
        tl_buf_free(&png);
        assert_pixel(&im, 80, 80, 0xff0000, 255);
        assert_pixel(&im, 60, 190, 0xff0000, 255);
        assert_pixel(&im, 120, 190, 0x0000ff, 255); /* the later polygon on top */
        assert_pixel(&im, 180, 230, 0x0000ff, 255);
        /* the shared edge at x = 128.3: a seam drawn one by one, none in one batch */
        if (pass == 0)
            assert_true(pixel(&im, 128, 80)[3] < 250);
        else
            assert_pixel(&im, 128, 80, 0xff0000, 255);
        free(im.px);
    }
    sty_style_release(st);
    lyr_snapshot_release(snap);
}

static void test_translucent_fill_and_dashes(void **state)
{
    fixture *fx = *state;
    image im = draw(fx, L_ALL, Z, fx->tx + 1, fx->ty + 1, 1);
    const uint8_t *p = pixel(&im, 128, 128);
    assert_in_range(p[3], 30, 31); /* #ab47bc at 12 %: 0.12 * 255 = 30.6 */
    assert_true(near_rgb(p, 0xab47bc, 6));
    /* the planned park's outline (2.5 px, dash 8 5) runs down x = 32.5: on and off */
    int on = 0, off = 0;
    for (int y = 40; y < 216; y++) {
        const uint8_t *q = pixel(&im, 32, y);
        if (q[3] >= 250 && near_rgb(q, 0x8e24aa, 2))
            on++;
        else if (q[3] < 100)
            off++;
    }
    assert_true(on > 60);
    assert_true(off > 30);
    image_free(&im);
}

static void test_empty_tile_is_transparent_and_small(void **state)
{
    fixture *fx = *state;
    image im = draw(fx, L_ALL, Z, 0, 0, 1);
    for (int i = 0; i < im.w * im.h; i++)
        if (im.px[4 * i + 3] != 0)
            fail_msg("pixel %d is not transparent", i);
    assert_true(im.png_len < 400);
    image_free(&im);
}

static void test_retina_tile(void **state)
{
    fixture *fx = *state;
    image im = draw(fx, L_ALL, Z, fx->tx, fx->ty, 2);
    assert_int_equal(im.w, 512);
    assert_int_equal(im.h, 512);
    assert_pixel(&im, 256, 256, 0xf7e08b, 255);
    /* widths double: the motorway (10 px -> 20 px) covers rows 471..490 */
    assert_pixel(&im, 256, 472, 0xb03a2e, 255);
    assert_pixel(&im, 256, 489, 0xb03a2e, 255);
    assert_int_equal(pixel(&im, 256, 494)[3], 0);
    image_free(&im);
}

static void test_deterministic(void **state)
{
    fixture *fx = *state;
    image a = draw(fx, L_ALL, Z, fx->tx + 1, fx->ty + 1, 1);
    image other = draw(fx, L_ALL, Z, fx->tx, fx->ty, 2); /* state left behind in between */
    image b = draw(fx, L_ALL, Z, fx->tx + 1, fx->ty + 1, 1);
    assert_int_equal(a.png_len, b.png_len);
    assert_memory_equal(a.png, b.png, a.png_len);
    image_free(&a);
    image_free(&b);
    image_free(&other);
}

/* Label anchors are remembered from tile to tile by the renderer: a new version of a layer
 * (a new snapshot, possibly at the old one's address) gets its own. After the park moves,
 * the renderer that labelled the old park draws what a fresh renderer draws. */
static void test_label_anchors_follow_versions(void **state)
{
    fixture *fx = *state;
    image before = draw(fx, L_PARKS, Z, fx->tx + 1, fx->ty + 1, 1);
    image again = draw(fx, L_PARKS, Z, fx->tx + 1, fx->ty + 1, 1); /* from the memo */
    assert_memory_equal(before.png, again.png, before.png_len);
    static const lyr_field_def pf[] = {{"status", LYR_FIELD_STRING},
                                       {"short_name", LYR_FIELD_STRING}};
    lyr_writer *w = begin(fx->st, "industrial_parks", LYR_GEOM_POLYGON, pf, 2);
    wkb g;
    square_wkb(&g, fx->tx + 1, fx->ty + 1, 8.5, 140.5);
    add_feature(w, &g, "planned", "KCN Test");
    publish(w);
    lyr_snapshot_release(fx->parks); /* first: the new one may take its address */
    fx->parks = load(fx->st, "industrial_parks");
    image after = draw(fx, L_PARKS, Z, fx->tx + 1, fx->ty + 1, 1);
    sty_renderer *mine = fx->r;
    tl_err err = TL_ERR_INIT;
    fx->r = sty_renderer_new(&err);
    assert_non_null(fx->r);
    image fresh = draw(fx, L_PARKS, Z, fx->tx + 1, fx->ty + 1, 1);
    sty_renderer_free(fx->r);
    fx->r = mine;
    assert_int_equal(after.png_len, fresh.png_len);
    assert_memory_equal(after.png, fresh.png, after.png_len);
    /* the label moved with the park, from the old square's middle (128, 128) to the new
     * one's (74.5, 74.5): count text pixels (dark) around each */
    int at_old[2] = {0, 0}, at_new[2] = {0, 0};
    const image *im[2] = {&before, &after};
    for (int i = 0; i < 2; i++)
        for (int dy = -8; dy < 8; dy++)
            for (int dx = -28; dx < 8; dx++) { /* left of the new square's edge (x 140) */
                const uint8_t *a = pixel(im[i], 128 + dx, 126 + dy);
                const uint8_t *b = pixel(im[i], 75 + dx, 73 + dy);
                at_old[i] += a[3] > 128 && a[0] + a[1] + a[2] < 360;
                at_new[i] += b[3] > 128 && b[0] + b[1] + b[2] < 360;
            }
    print_message("text pixels: old place %d -> %d, new place %d -> %d\n", at_old[0], at_old[1],
                  at_new[0], at_new[1]);
    assert_true(at_old[0] > 20 && at_old[1] == 0);
    assert_true(at_new[0] == 0 && at_new[1] > 20);
    image_free(&before);
    image_free(&again);
    image_free(&after);
    image_free(&fresh);
}

/* Zoning outlines exist below 48250 only: at z16 the R1 square's edge is darker than its
 * fill; at z12 every well-covered pixel is one of the fill colours. */
static void test_outline_by_scale(void **state)
{
    fixture *fx = *state;
    image hi = draw(fx, L_ZONING, Z, fx->tx, fx->ty, 1);
    /* the edge runs down x = 64.5: pixel 64 is half fill, 0.8 of it outline */
    const uint8_t *edge = pixel(&hi, 64, 128);
    assert_in_range(edge[3], 200, 255);
    assert_false(near_rgb(edge, 0xf7e08b, 10));
    assert_true(edge[0] < 0xf7 && edge[1] < 0xe0); /* towards #c9ac4f */
    image_free(&hi);

    image lo = draw(fx, L_ZONING, 12, fx->tx >> 4, fx->ty >> 4, 1);
    int covered = 0;
    for (int i = 0; i < lo.w * lo.h; i++) {
        const uint8_t *p = lo.px + 4 * i;
        if (p[3] < 128)
            continue;
        covered++;
        if (!near_rgb(p, 0xf7e08b, 3) && !near_rgb(p, 0xb49bd6, 3) && !near_rgb(p, 0x8ccc79, 3))
            fail_msg("z12 pixel %d is #%02x%02x%02x: an outline?", i, p[0], p[1], p[2]);
    }
    assert_true(covered > 3 * 40); /* three squares of ~8 x 8 px */
    image_free(&lo);
}

/* Minor roads only below 193000 (z12+), residential ones below 48250 (z14+): at z11 only
 * the motorway shows. */
static void test_minor_roads_by_scale(void **state)
{
    fixture *fx = *state;
    for (int z = 11; z <= 14; z += 3) {
        image im = draw(fx, L_ROADS, z, fx->tx >> (Z - z), fx->ty >> (Z - z), 1);
        int white = 0, red = 0;
        for (int i = 0; i < im.w * im.h; i++) {
            const uint8_t *p = im.px + 4 * i;
            if (p[3] >= 128 && near_rgb(p, 0xffffff, 8))
                white++;
            if (p[3] >= 128 && near_rgb(p, 0xb03a2e, 8))
                red++;
        }
        assert_true(red > 0);
        if (z == 11)
            assert_int_equal(white, 0);
        else
            assert_true(white > 0);
        image_free(&im);
    }
}

/* A line crossing a tile seam is drawn up to the edge on both sides, without caps. */
static void test_seams(void **state)
{
    fixture *fx = *state;
    image a = draw(fx, L_ROADS, Z, fx->tx, fx->ty, 1);
    image b = draw(fx, L_ROADS, Z, fx->tx + 1, fx->ty, 1);
    for (int y = 236; y <= 244; y++) {
        assert_pixel(&a, 255, y, 0xb03a2e, 255);
        assert_pixel(&b, 0, y, 0xb03a2e, 255);
    }
    image_free(&a);
    image_free(&b);
}

/* The default point style: a 6 px circle, #3d6a9e with a white 1 px ring. */
static void test_default_points(void **state)
{
    fixture *fx = *state;
    image im = draw(fx, L_WELLS, Z, fx->tx + 2, fx->ty, 1);
    assert_pixel(&im, 100, 100, 0x3d6a9e, 255);
    const uint8_t *ring = pixel(&im, 103, 100); /* 3 px out: on the white ring */
    assert_true(ring[3] > 100 && ring[0] > 150);
    assert_int_equal(pixel(&im, 110, 100)[3], 0);
    assert_int_equal(pixel(&im, 100, 90)[3], 0);
    image_free(&im);
}

/* The tile z/x/y at lon/lat, and the pixel of lon/lat in it. */
static void locate(int z, double lon, double lat, uint32_t *x, uint32_t *y, double *px,
                   double *py)
{
    double mx, my;
    tl_lonlat_to_merc(lon, lat, &mx, &my);
    double size = 2.0 * TL_MERC_HALF / (double)(1u << z);
    *x = (uint32_t)floor((mx + TL_MERC_HALF) / size);
    *y = (uint32_t)floor((TL_MERC_HALF - my) / size);
    tl_bbox b = tl_tile_bbox(z, *x, *y);
    *px = (mx - b.minx) / size * 256.0;
    *py = (b.maxy - my) / size * 256.0;
}

/* At z24 the big square and the road across it are millions of pixels long. */
static void test_huge_geometry_at_z24(void **state)
{
    fixture *fx = *state;
    uint32_t x, y;
    double px, py;
    /* inside, next to the road: fill; on the road: motorway */
    locate(24, BIG_LON0 + 0.3, BIG_LAT0 + BIG_SIDE / 2, &x, &y, &px, &py);
    image im = draw(fx, L_ZONING | L_ROADS, 24, x, y, 1);
    int row = (int)py;
    assert_pixel(&im, 128, row, 0xb03a2e, 255);
    int off = row > 128 ? row - 40 : row + 40;
    assert_pixel(&im, 128, off, 0xdfe9b4, 255);
    image_free(&im);
    /* the west edge: outside transparent, inside filled (its outline is 0.8 px) */
    locate(24, BIG_LON0, BIG_LAT0 + 0.1, &x, &y, &px, &py);
    im = draw(fx, L_ZONING, 24, x, y, 1);
    int col = (int)px;
    assert_in_range(col, 4, 251); /* the edge is inside this tile (at x = 199) */
    assert_int_equal(pixel(&im, col - 4, 128)[3], 0);
    assert_pixel(&im, col + 4, 128, 0xdfe9b4, 255);
    image_free(&im);
}

/* Un-premultiplying by the table equals the division it replaces, for every pair. */
static void test_unpremultiply(void **state)
{
    (void)state;
    unsigned off = 0;
    for (uint32_t a = 1; a < 256; a++)
        for (uint32_t c = 0; c <= a; c++)
            off += sty__unpremul(c, a) != (c * 255 + a / 2) / a;
    assert_int_equal(off, 0);
    /* and a row through sty__argb_to_rgba: opaque, translucent, transparent */
    uint32_t px[3] = {0xff102030u, 0x80402010u, 0};
    assert_int_equal(sty__argb_to_rgba((uint8_t *)px, 3, 1, sizeof px), 0);
    const uint8_t *b = (const uint8_t *)px;
    assert_int_equal(b[0], 0x10);
    assert_int_equal(b[1], 0x20);
    assert_int_equal(b[2], 0x30);
    assert_int_equal(b[3], 0xff);
    assert_int_equal(b[4], (0x40 * 255 + 64) / 128);
    assert_int_equal(b[5], (0x20 * 255 + 64) / 128);
    assert_int_equal(b[6], (0x10 * 255 + 64) / 128);
    assert_int_equal(b[7], 0x80);
    assert_int_equal(px[2], 0);
    /* every (c, a) pair in every channel, in sty__argb_to_rgba's groups of 4 (its vector
     * path) and in the row tails */
    enum { W = 61 }; /* 15 groups of 4 and a tail of 1 */
    uint32_t *img = calloc((size_t)W * 600, sizeof *img);
    assert_non_null(img);
    size_t n = 0;
    for (uint32_t a = 1; a < 256; a++)
        for (uint32_t c = 0; c <= a; c++, n++)
            img[n] = a << 24 | c << 16 | (a - c) << 8 | (c * 7 % (a + 1));
    img[n++] = 0x00000000u;
    img[n++] = 0x40ff8000u; /* channels above alpha: saturate */
    uint32_t *copy = malloc(n * sizeof *copy);
    memcpy(copy, img, n * sizeof *copy);
    assert_int_equal(sty__argb_to_rgba((uint8_t *)img, W, (int)((n + W - 1) / W), W * 4), 0);
    unsigned bad = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        uint32_t p = copy[i], a = p >> 24, q = img[i];
        uint32_t r = a ? sty__unpremul((p >> 16) & 0xff, a) : 0;
        uint32_t g = a ? sty__unpremul((p >> 8) & 0xff, a) : 0;
        uint32_t bl = a ? sty__unpremul(p & 0xff, a) : 0;
        bad += q != (a << 24 | bl << 16 | g << 8 | r);
    }
    assert_int_equal(bad, 0);
    assert_int_equal(img[n - 1], 0x4000ffffu); /* R 255, G 255 (510), B 0: bytes ff ff 00 40 */
    free(img);
    free(copy);
}

static void test_errors(void **state)
{
    fixture *fx = *state;
    tl_buf png;
    tl_buf_init(&png, 100); /* too small for the R1 tile */
    tl_err err = TL_ERR_INIT;
    assert_int_equal(render(fx, L_ALL, Z, fx->tx, fx->ty, 1, &png, &err), -1);
    assert_int_equal(err.code, TL_ETOOBIG);
    assert_int_equal(png.len, 0);
    tl_err_clear(&err);
    assert_int_equal(render(fx, L_ALL, Z, 1u << Z, 0, 1, &png, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    tl_err_clear(&err);
    assert_int_equal(render(fx, L_ALL, Z, 0, 0, 3, &png, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    tl_err_clear(&err);
    assert_int_equal(render(fx, L_ALL, 25, 0, 0, 1, &png, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    tl_buf_free(&png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_colours),
        cmocka_unit_test(test_rules_per_value),
        cmocka_unit_test(test_batched_fills),
        cmocka_unit_test(test_translucent_fill_and_dashes),
        cmocka_unit_test(test_empty_tile_is_transparent_and_small),
        cmocka_unit_test(test_retina_tile),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_outline_by_scale),
        cmocka_unit_test(test_minor_roads_by_scale),
        cmocka_unit_test(test_seams),
        cmocka_unit_test(test_default_points),
        cmocka_unit_test(test_huge_geometry_at_z24),
        cmocka_unit_test(test_label_anchors_follow_versions),
        cmocka_unit_test(test_unpremultiply),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
