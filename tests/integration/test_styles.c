/* test_styles.c: styles end to end on the `tiled demo --scale small` store: golden tiles of
 * the demo look over Thu Dau Mot and VSIP I, a QGIS 3 and a GeoServer SLD of the same
 * categorized zoning style (same pixels, each category in its colour), `tiled style check`.
 * usage: integration-styles PATH/TO/tiled SCRATCH_DIR
 * TILED_UPDATE_GOLDEN=1 rewrites tests/golden/ from what is rendered now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <png.h>
#include <sys/stat.h>

#include "layers/layers.h"
#include "styles/styles.h"
#include "styles/styles_int.h" /* sty__render_window: a test of the styles module */
#include "tests/integration/harness.h"

#define N_DEMO 5
#define GOLDEN_DELTA 24     /* a channel differing by more than this is a differing pixel */
#define GOLDEN_MAX_DIFF 0.005 /* share of differing pixels allowed */

static const char *bin;
static char store[600], scratch[512];
static const char *demo_layers[N_DEMO] = {"zoning", "green_spaces", "industrial_parks", "roads",
                                          "districts"};
static lyr_snapshot *snaps[N_DEMO];
static sty_style *styles[N_DEMO];
static sty_renderer *rend;
static tl_arena arena;

/* Images ------------------------------------------------------------------------------------ */

typedef struct image {
    uint8_t *px; /* RGBA */
    int w, h;
} image;

static image render(const sty_layer *ly, size_t n, int z, uint32_t x, uint32_t y, int scale,
                    tl_buf *png_out)
{
    tl_buf png;
    tl_buf_init(&png, 64u << 20);
    tl_err err = TL_ERR_INIT;
    sty_tile t = {z, x, y, scale, STY_FORMAT_PNG};
    tl_arena_reset(&arena);
    if (sty_render_tile(rend, ly, n, &t, &arena, &png, &err) != 0)
        fprintf(stderr, "render %d/%u/%u: %s\n", z, x, y, err.msg);
    assert_int_equal(err.code, TL_OK);
    image im = {0};
    assert_int_equal(sty_png_decode_rgba(png.data, png.len, &im.px, &im.w, &im.h, &err), 0);
    if (png_out)
        *png_out = png;
    else
        tl_buf_free(&png);
    return im;
}

static void tile_of(double lon, double lat, int z, uint32_t *x, uint32_t *y)
{
    double mx, my, size = 2 * TL_MERC_HALF / (double)(1u << z);
    tl_lonlat_to_merc(lon, lat, &mx, &my);
    *x = (uint32_t)((mx + TL_MERC_HALF) / size);
    *y = (uint32_t)((TL_MERC_HALF - my) / size);
}

static int write_png(const char *path, const image *im);

/* Pixels of a and b (same size) differing by more than GOLDEN_DELTA in some channel. */
static size_t n_differ(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        int d = 0;
        for (int c = 0; c < 4; c++) {
            int dc = abs((int)a[4 * i + c] - (int)b[4 * i + c]);
            d = dc > d ? dc : d;
        }
        bad += d > GOLDEN_DELTA;
    }
    return bad;
}

/* Goldens are stored as palette PNGs (sty__png8_encode at level 9), a few tens of KB, when
 * the quantization keeps them within half of the comparison's tolerance; else as RGBA. */
static int write_golden(const char *path, const image *im)
{
    tl_buf b;
    tl_buf_init(&b, 1u << 24);
    tl_err err = TL_ERR_INIT;
    const sty_style *st[N_DEMO];
    for (size_t i = 0; i < N_DEMO; i++)
        st[i] = styles[i];
    size_t n = (size_t)im->w * (size_t)im->h;
    image q = {0};
    if (sty__png8_encode(im->px, im->w, im->h, (size_t)im->w * 4, st, N_DEMO, 9, &b, &err) != 0 ||
        sty_png_decode_rgba(b.data, b.len, &q.px, &q.w, &q.h, &err) != 0 ||
        (double)n_differ(q.px, im->px, n) > GOLDEN_MAX_DIFF * (double)n / 2) {
        free(q.px);
        tl_buf_free(&b);
        return write_png(path, im);
    }
    free(q.px);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
    if (f)
        rc |= fclose(f);
    tl_buf_free(&b);
    return rc;
}

/* Smallest RGBA PNG libpng makes: level 9, adaptive filters. */
static int write_png(const char *path, const image *im)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_write_struct(&p, &info);
        fclose(f);
        return -1;
    }
    png_init_io(p, f);
    png_set_IHDR(p, info, (png_uint_32)im->w, (png_uint_32)im->h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(p, 9);
    png_set_filter(p, PNG_FILTER_TYPE_BASE, PNG_ALL_FILTERS);
    png_write_info(p, info);
    for (int r = 0; r < im->h; r++)
        png_write_row(p, im->px + (size_t)r * (size_t)im->w * 4);
    png_write_end(p, NULL);
    png_destroy_write_struct(&p, &info);
    return fclose(f);
}

static int read_png(const char *path, image *im)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    tl_err err = TL_ERR_INIT;
    int rc = got == (size_t)n ? sty_png_decode_rgba(b, (size_t)n, &im->px, &im->w, &im->h, &err)
                              : -1;
    free(b);
    return rc;
}

/* Compare with the golden; on failure write NAME.actual.png and NAME.diff.png into the
 * scratch dir and print their paths. */
static void check_golden(const char *name, const image *im)
{
    char gpath[1024], apath[1024], dpath[1024];
    snprintf(gpath, sizeof gpath, "%s/tests/golden/%s.png", TILED_SOURCE_DIR, name);
    if (getenv("TILED_UPDATE_GOLDEN")) {
        assert_int_equal(write_golden(gpath, im), 0);
        fprintf(stderr, "updated %s\n", gpath);
        return;
    }
    image g = {0};
    if (read_png(gpath, &g) != 0)
        fprintf(stderr, "missing golden %s (TILED_UPDATE_GOLDEN=1 writes it)\n", gpath);
    assert_non_null(g.px);
    size_t n = (size_t)im->w * (size_t)im->h, bad = 0;
    int maxd = 0;
    image diff = {malloc(n * 4), im->w, im->h};
    for (size_t i = 0; g.w == im->w && g.h == im->h && i < n; i++) {
        int d = 0;
        for (int c = 0; c < 4; c++) {
            int dc = abs((int)im->px[4 * i + c] - (int)g.px[4 * i + c]);
            d = dc > d ? dc : d;
        }
        maxd = d > maxd ? d : maxd;
        bad += d > GOLDEN_DELTA;
        uint8_t grey = (uint8_t)(128 + im->px[4 * i + 1] / 4);
        uint8_t px[4] = {d > GOLDEN_DELTA ? 255 : grey, d > GOLDEN_DELTA ? 0 : grey,
                         d > GOLDEN_DELTA ? 0 : grey, 255};
        memcpy(diff.px + 4 * i, px, 4);
    }
    int ok = g.w == im->w && g.h == im->h && (double)bad <= GOLDEN_MAX_DIFF * (double)n;
    if (!ok) {
        snprintf(apath, sizeof apath, "%s/%s.actual.png", scratch, name);
        snprintf(dpath, sizeof dpath, "%s/%s.diff.png", scratch, name);
        write_png(apath, im);
        write_png(dpath, &diff);
        fprintf(stderr, "golden %s: %zu of %zu pixels differ (max delta %d)\n  actual: %s\n"
                        "  diff:   %s\n", name, bad, n, maxd, apath, dpath);
    }
    free(diff.px);
    free(g.px);
    assert_true(ok);
}

/* Goldens -------------------------------------------------------------------------------------- */

static void test_golden_tiles(void **state)
{
    (void)state;
    static const struct {
        const char *place;
        double lon, lat;
    } places[] = {{"thudaumot", 106.65, 10.98}, {"vsip1", 106.70, 10.93}};
    static const int zooms[] = {10, 13, 15, 17};
    sty_layer ly[N_DEMO];
    for (size_t i = 0; i < N_DEMO; i++)
        ly[i] = (sty_layer){snaps[i], styles[i]};
    for (size_t p = 0; p < 2; p++) {
        for (size_t k = 0; k < 4; k++) {
            uint32_t x, y, x0, y0;
            tile_of(places[p].lon, places[p].lat, zooms[k], &x, &y);
            tile_of(places[0].lon, places[0].lat, zooms[k], &x0, &y0);
            if (p > 0 && x == x0 && y == y0)
                continue; /* z10: both places are in one tile */
            image im = render(ly, N_DEMO, zooms[k], x, y, 1, NULL);
            char name[128];
            snprintf(name, sizeof name, "%s_%d_%u_%u", places[p].place, zooms[k], x, y);
            check_golden(name, &im);
            free(im.px);
        }
    }
}

/* QGIS 3 and GeoServer ------------------------------------------------------------------------ */

static sty_style *load_sld(const char *rel, size_t *n_issues)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TILED_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = sty_style_from_sld(buf, n, "zoning", &is, &err);
    if (!s)
        fprintf(stderr, "%s: %s\n", rel, err.msg);
    assert_non_null(s);
    *n_issues = is.n;
    sty_issues_free(&is);
    return s;
}

/* Centre and radius (pixels at zoom z) of the largest inscribed circle of feature id. */
static double clear_centre(GEOSContextHandle_t g, uint32_t id, double *cx, double *cy)
{
    lyr_geom_view v;
    lyr_snapshot_geom(snaps[0], id, &v);
    uint32_t a = v.part_start[0], b = v.part_start[1]; /* the first outer ring */
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(g, v.xy + 2 * a, b - a, 0, 0);
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(g, GEOSGeom_createLinearRing_r(g, cs), NULL, 0);
    GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(g, poly, 0.2);
    double r = 0.0, x1, y1;
    if (mic) {
        const GEOSCoordSequence *m = GEOSGeom_getCoordSeq_r(g, mic);
        GEOSCoordSeq_getXY_r(g, m, 0, cx, cy);
        GEOSCoordSeq_getXY_r(g, m, 1, &x1, &y1);
        r = hypot(x1 - *cx, y1 - *cy);
        GEOSGeom_destroy_r(g, mic);
    }
    GEOSGeom_destroy_r(g, poly);
    return v.n_parts == 1 || !v.ring_outer[1] ? r : 0.0; /* holes: skip */
}

static int near(const uint8_t *p, uint32_t rgb, int tol)
{
    return abs(p[0] - (int)(rgb >> 16)) <= tol && abs(p[1] - (int)((rgb >> 8) & 0xff)) <= tol &&
           abs(p[2] - (int)(rgb & 0xff)) <= tol;
}

static void test_qgis_geoserver_same_map(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        uint32_t fill, line;
        int hatched;
    } cat[] = {{"R1", 0xf7e08b, 0xc9ac4f, 0}, {"R2", 0xf0a850, 0xb9772a, 0},
               {"C", 0xe8696b, 0xa83a3d, 0},  {"IND", 0xb49bd6, 0x7d62a6, 0},
               {"MX", 0xe38fc3, 0xa85a8d, 0}, {"PUB", 0xd59a6a, 0x9c6538, 1},
               {"GR", 0x8ccc79, 0x5c9a4b, 0}, {"AG", 0xdfe9b4, 0xaab77f, 1},
               {"W", 0x9cc7ec, 0x6a98bf, 1}};
    size_t nq, ng;
    sty_style *q = load_sld("tests/data/styles/zoning_qgis.sld", &nq);
    sty_style *gs = load_sld("tests/data/styles/zoning_geoserver.sld", &ng);
    assert_int_equal(nq, 0);
    assert_int_equal(ng, 0);
    GEOSContextHandle_t g = GEOS_init_r();
    int zc = lyr_snapshot_field_index(snaps[0], "zone_code");
    const int z = 16;
    const double res = tl_tile_resolution(z);
    int checked[9] = {0}, n_checked = 0;
    for (uint32_t id = 0; id < lyr_snapshot_count(snaps[0]) && n_checked < 9; id += 3) {
        const char *code = lyr_snapshot_str(snaps[0], id, zc);
        size_t c = 0;
        while (c < 9 && strcmp(cat[c].code, code) != 0)
            c++;
        assert_true(c < 9);
        double cx, cy;
        if (checked[c] || clear_centre(g, id, &cx, &cy) < 8 * res)
            continue;
        uint32_t tx = (uint32_t)((cx + TL_MERC_HALF) / (256 * res));
        uint32_t ty = (uint32_t)((TL_MERC_HALF - cy) / (256 * res));
        tl_bbox tb = tl_tile_bbox(z, tx, ty);
        int px = (int)((cx - tb.minx) / res), py = (int)((tb.maxy - cy) / res);
        if (px < 8 || py < 8 || px > 247 || py > 247)
            continue;
        sty_layer lq = {snaps[0], q}, lg = {snaps[0], gs};
        tl_buf bq, bg;
        image iq = render(&lq, 1, z, tx, ty, 1, &bq);
        image ig = render(&lg, 1, z, tx, ty, 1, &bg);
        assert_int_equal(bq.len, bg.len); /* the same bytes */
        assert_memory_equal(bq.data, bg.data, bq.len);
        /* the category colour at the centre; hatched ones show fill and hatch near it */
        int fill_px = 0, hatch_px = 0;
        for (int dy = -4; dy < 4; dy++) {
            for (int dx = -4; dx < 4; dx++) {
                const uint8_t *p = iq.px + 4 * ((size_t)(py + dy) * 256 + (size_t)(px + dx));
                assert_int_equal(p[3], 255);
                fill_px += near(p, cat[c].fill, 0);
                hatch_px += near(p, cat[c].line, 40) && !near(p, cat[c].fill, 8);
            }
        }
        if (cat[c].hatched) {
            assert_true(fill_px > 16 && hatch_px > 4);
        } else {
            const uint8_t *p = iq.px + 4 * ((size_t)py * 256 + (size_t)px);
            assert_int_equal((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2], cat[c].fill);
            assert_int_equal(fill_px, 64);
        }
        free(iq.px);
        free(ig.px);
        tl_buf_free(&bq);
        tl_buf_free(&bg);
        checked[c] = 1;
        n_checked++;
    }
    assert_true(n_checked >= 6);
    /* how the hatches look, at @2x too (twice the spacing and width) */
    sty_layer lq = {snaps[0], q};
    uint32_t x, y;
    tile_of(106.70, 10.93, 15, &x, &y);
    image im = render(&lq, 1, 15, x, y, 1, NULL);
    check_golden("zoning_qgis_15", &im);
    free(im.px);
    im = render(&lq, 1, 15, x, y, 2, NULL);
    check_golden("zoning_qgis_15@2x", &im);
    free(im.px);
    GEOS_finish_r(g);
    sty_style_release(q);
    sty_style_release(gs);
}

/* Labels across tile edges ------------------------------------------------------------------- */

static const char labels_only[] =
    "<StyledLayerDescriptor version=\"1.0.0\" xmlns=\"http://www.opengis.net/sld\" "
    "xmlns:ogc=\"http://www.opengis.net/ogc\"><NamedLayer><Name>districts</Name><UserStyle>"
    "<FeatureTypeStyle><Rule><TextSymbolizer><Label><ogc:PropertyName>name</ogc:PropertyName>"
    "</Label><Font><CssParameter name=\"font-size\">14</CssParameter>"
    "<CssParameter name=\"font-weight\">bold</CssParameter></Font><LabelPlacement>"
    "<PointPlacement><AnchorPoint><AnchorPointX>0.5</AnchorPointX><AnchorPointY>0.5"
    "</AnchorPointY></AnchorPoint></PointPlacement></LabelPlacement><Halo><Radius>2</Radius>"
    "</Halo></TextSymbolizer></Rule></FeatureTypeStyle></UserStyle></NamedLayer>"
    "</StyledLayerDescriptor>";

/* Rows where both column ca of a and column cb of b have ink (alpha > 0). */
static int shared_ink_rows(const image *a, int ca, const image *b, int cb)
{
    int n = 0;
    for (int y = 0; y < a->h; y++)
        n += a->px[4 * ((size_t)y * (size_t)a->w + (size_t)ca) + 3] > 0 &&
             b->px[4 * ((size_t)y * (size_t)b->w + (size_t)cb) + 3] > 0;
    return n;
}

/* Column ca of a equals column cb of b, within `tol` per channel (Cairo's stroker and
 * rasterizer are not bit-exact under a whole-pixel translation: 2/255 seen on halos). */
static void same_column(const image *a, int ca, const uint8_t *b, int bw, int cb, int tol)
{
    for (int y = 0; y < a->h; y++) {
        const uint8_t *p = a->px + 4 * ((size_t)y * (size_t)a->w + (size_t)ca);
        const uint8_t *q = b + 4 * ((size_t)y * (size_t)bw + (size_t)cb);
        for (int c = 0; c < 4; c++) {
            if (abs(p[c] - q[c]) > tol)
                fprintf(stderr, "col %d vs %d row %d channel %d: %d vs %d (tol %d)\n", ca, cb, y, c, p[c], q[c], tol);
            assert_true(abs(p[c] - q[c]) <= tol);
        }
    }
}

/* For district names whose boxes cross the edge between tiles x and x+1: the two tiles'
 * edge columns are those of one picture (a window straddling the edge, drawn in one go).
 * Labels only: the geometry under them has its own, older, edge behaviour (Cairo clips
 * fills at the surface edge and thin strokes use 4x4 anti-aliasing), within 1/16 of
 * coverage, which test_render checks for roads. */
static void test_labels_across_tile_edges(void **state)
{
    (void)state;
    tl_err err = TL_ERR_INIT;
    sty_style *lab = sty_style_from_sld(labels_only, sizeof labels_only - 1, "districts", NULL,
                                        &err);
    assert_non_null(lab);
    sty_layer only = {snaps[4], lab};
    int found = 0;
    for (int z = 11; z <= 13; z++) {
        uint32_t x0, y0;
        tile_of(106.55, 11.10, z, &x0, &y0);
        for (uint32_t y = y0; y < y0 + (1u << (z - 10)) * 2; y++) {
            for (uint32_t x = x0; x < x0 + (1u << (z - 10)) * 2; x++) {
                image a = render(&only, 1, z, x, y, 1, NULL);
                image b = render(&only, 1, z, x + 1, y, 1, NULL);
                if (shared_ink_rows(&a, 255, &b, 0) >= 3) {
                    uint8_t *w = NULL;
                    tl_arena_reset(&arena);
                    assert_int_equal(sty__render_window(&only, 1, z, 1, (x * 256.0) + 128,
                                                        y * 256.0, 256, 256, &arena, &w, &err),
                                     0);
                    same_column(&a, 255, w, 256, 127, 4);
                    same_column(&b, 0, w, 256, 128, 4);
                    free(w);
                    found++;
                }
                free(a.px);
                free(b.px);
            }
        }
    }
    fprintf(stderr, "%d district labels cross a tile edge\n", found);
    assert_true(found >= 2);
    sty_style_release(lab);
}

/* Palette PNG ----------------------------------------------------------------------------------- */

/* ?format=png8: every pixel the RGBA tile shows in one of the style's colours has exactly
 * that colour in the palette tile too, and the palette tile is smaller. */
static void test_png8_keeps_style_colours(void **state)
{
    (void)state;
    sty_layer ly[N_DEMO];
    for (size_t i = 0; i < N_DEMO; i++)
        ly[i] = (sty_layer){snaps[i], styles[i]};
    static const uint32_t fills[9] = {0xf7e08b, 0xf0a850, 0xe8696b, 0xb49bd6, 0xe38fc3,
                                      0xd59a6a, 0x8ccc79, 0xdfe9b4, 0x9cc7ec};
    static const int zooms[] = {11, 13, 15};
    for (size_t k = 0; k < 3; k++) {
        uint32_t x, y;
        tile_of(106.66, 10.99, zooms[k], &x, &y);
        tl_buf b32, b8;
        image full = render(ly, N_DEMO, zooms[k], x, y, 1, &b32);
        tl_buf_init(&b8, 1u << 24);
        tl_err err = TL_ERR_INIT;
        sty_tile t = {zooms[k], x, y, 1, STY_FORMAT_PNG8};
        tl_arena_reset(&arena);
        assert_int_equal(sty_render_tile(rend, ly, N_DEMO, &t, &arena, &b8, &err), 0);
        assert_int_equal(b8.data[25], 3); /* IHDR colour type: palette */
        image pal = {0};
        assert_int_equal(sty_png_decode_rgba(b8.data, b8.len, &pal.px, &pal.w, &pal.h, &err), 0);
        size_t exact = 0;
        for (size_t i = 0; i < 256 * 256; i++) {
            const uint8_t *p = full.px + 4 * i;
            uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            for (int f = 0; f < 9; f++) {
                if (p[3] == 255 && rgb == fills[f]) {
                    assert_memory_equal(pal.px + 4 * i, p, 4);
                    exact++;
                }
            }
        }
        fprintf(stderr, "z%d: png %zu bytes, png8 %zu bytes, %zu style-colour pixels exact\n",
                zooms[k], b32.len, b8.len, exact);
        assert_true(exact > 2000); /* pure zone fills: a tenth of a z11 tile, most of z15 */
        assert_true(b8.len < b32.len);
        free(full.px);
        free(pal.px);
        tl_buf_free(&b32);
        tl_buf_free(&b8);
    }
}

/* Legends ------------------------------------------------------------------------------------ */

/* The zoning legend: nine rows (one per category, whatever the scale bands), each swatch in
 * its category's colour; served at /legend/{layer}.png by the daemon (which also serves
 * ?format=png8 tiles). */
static void test_legend(void **state)
{
    (void)state;
    tl_buf png;
    tl_buf_init(&png, 1u << 24);
    tl_err err = TL_ERR_INIT;
    tl_arena_reset(&arena);
    assert_int_equal(sty_legend_png(styles[0], 1, &arena, &png, &err), 0);
    image im = {0};
    assert_int_equal(sty_png_decode_rgba(png.data, png.len, &im.px, &im.w, &im.h, &err), 0);
    assert_int_equal(im.h, 9 * 24 + 12);
    static const uint32_t fills[9] = {0xf7e08b, 0xf0a850, 0xe8696b, 0xb49bd6, 0xe38fc3,
                                      0xd59a6a, 0x8ccc79, 0xdfe9b4, 0x9cc7ec};
    for (int r = 0; r < 9; r++) {
        const uint8_t *p = im.px + 4 * ((size_t)(6 + 24 * r + 12) * (size_t)im.w + 16);
        assert_true(near(p, fills[r], 0));
    }
    free(im.px);
    tl_buf_free(&png);

    th_server srv = {0};
    assert_int_equal(th_start(&srv, bin, store, "2"), 0);
    th_resp res;
    assert_int_equal(th_request(srv.port, "GET", "/legend/zoning@2x.png", "", &res), 0);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.headers, "image/png"));
    assert_int_equal(sty_png_decode_rgba(res.body, res.len, &im.px, &im.w, &im.h, &err), 0);
    assert_int_equal(im.h, 2 * 9 * 24 + 12);
    free(im.px);
    free(res.body);
    assert_int_equal(th_request(srv.port, "GET", "/legend/parcels_2030.png", "", &res), 0);
    assert_int_equal(res.status, 404);
    assert_non_null(strstr((char *)res.body, "parcels_2030"));
    free(res.body);
    assert_int_equal(th_request(srv.port, "GET", "/tiles/zoning/13/6522/3844.png?format=png8", "",
                                &res), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.body[25], 3); /* palette */
    free(res.body);
    assert_int_equal(th_request(srv.port, "GET", "/tiles/zoning/13/6522/3844.png?format=gif", "",
                                &res), 0);
    assert_int_equal(res.status, 400);
    assert_non_null(strstr((char *)res.body, "png8"));
    free(res.body);
    assert_int_equal(th_request(srv.port, "GET", "/legend/zoning.jpg", "", &res), 0);
    assert_int_equal(res.status, 404);
    free(res.body);
    assert_int_equal(th_stop(&srv), 0);
}

/* tiled style check -------------------------------------------------------------------------- */

static void test_style_check_command(void **state)
{
    (void)state;
    char cmd[2048], out[4096] = {0};
    snprintf(cmd, sizeof cmd, "'%s' style check '%s/tests/data/styles/three_unsupported.sld' "
             "2>/dev/null", bin, TILED_SOURCE_DIR);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    assert_int_equal(WEXITSTATUS(st), 1);
    int lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 3);
    assert_non_null(strstr(out, "three_unsupported.sld:18: <GraphicStroke> in <Stroke>"));
    assert_non_null(strstr(out, "three_unsupported.sld:22: <PerpendicularOffset> in"));
    assert_non_null(strstr(out, "three_unsupported.sld:26: <VendorOption> in <TextSymbolizer>"));
    snprintf(cmd, sizeof cmd, "'%s' style check --json "
             "'%s/tests/data/styles/three_unsupported.sld' 2>/dev/null", bin, TILED_SOURCE_DIR);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(WEXITSTATUS(pclose(p)), 1);
    assert_non_null(strstr(out, "\"valid\": true"));
    assert_non_null(strstr(out, "\"line\": 26"));
    snprintf(cmd, sizeof cmd, "'%s' style check '%s/styles/binhduong_demo.sld'", bin,
             TILED_SOURCE_DIR);
    assert_int_equal(WEXITSTATUS(system(cmd)), 0);
    snprintf(cmd, sizeof cmd, "'%s' style check '%s/CMakeLists.txt' 2>/dev/null", bin,
             TILED_SOURCE_DIR);
    assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

/* tiled style set: attaches a valid document (even with unsupported items, listed), refuses
 * an invalid one and leaves the stored style as it was. */
static int run_out(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    return WEXITSTATUS(pclose(p));
}

static void test_style_set_command(void **state)
{
    (void)state;
    char copy[700], cmd[4096], out[4096];
    snprintf(copy, sizeof copy, "%s/style-set.gpkg", scratch);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", store, copy);
    assert_int_equal(system(cmd), 0);
    const char *d = TILED_SOURCE_DIR "/tests/data/styles";
    snprintf(cmd, sizeof cmd, "'%s' style set --store '%s' --layer zoning '%s/zoning_qgis.sld'",
             bin, copy, d);
    assert_int_equal(run_out(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "layer zoning: style"));
    snprintf(cmd, sizeof cmd, "'%s' style set --store '%s' --layer roads "
             "'%s/three_unsupported.sld'", bin, copy, d);
    assert_int_equal(run_out(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "three_unsupported.sld:18:"));
    assert_non_null(strstr(out, "(3 unsupported items)"));
    snprintf(cmd, sizeof cmd, "'%s' style set --store '%s' --layer zoning '%s/CMakeLists.txt' "
             "2>&1", bin, copy, TILED_SOURCE_DIR);
    assert_int_equal(run_out(cmd, out, sizeof out), 2);
    assert_non_null(strstr(out, "line 1: malformed XML"));
    snprintf(cmd, sizeof cmd, "'%s' style set --store '%s' --layer nope '%s/zoning_qgis.sld' "
             "2>&1", bin, copy, d);
    assert_int_not_equal(run_out(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "nope"));
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(copy, 0, &err);
    assert_non_null(st);
    char *sld = NULL;
    assert_int_equal(lyr_store_get_style(st, "zoning", &sld, &err), 0);
    assert_non_null(sld);
    assert_non_null(strstr(sld, "<se:SvgParameter name=\"fill\">#f7e08b</se:SvgParameter>"));
    free(sld);
    lyr_store_close(st);
}

/* Set-up ------------------------------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    if (th_demo_store(bin, scratch, store, sizeof store) != 0)
        return -1;
    GDALAllRegister();
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(store, 0, &err);
    if (!st)
        return -1;
    for (size_t i = 0; i < N_DEMO; i++) {
        snaps[i] = lyr_snapshot_load(st, demo_layers[i], &err);
        if (!snaps[i]) {
            fprintf(stderr, "%s: %s\n", demo_layers[i], err.msg);
            return -1;
        }
        /* as tiled serve does once a snapshot is loaded: fills of polygons that overlap
         * no other one are batched */
        (void)lyr_snapshot_check_overlaps(snaps[i], NULL);
        styles[i] = sty_style_builtin(demo_layers[i], lyr_snapshot_kind(snaps[i]));
    }
    lyr_store_close(st);
    rend = sty_renderer_new(&err);
    tl_arena_init(&arena, 1 << 20);
    return rend ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_DEMO; i++) {
        sty_style_release(styles[i]);
        lyr_snapshot_release(snaps[i]);
    }
    sty_renderer_free(rend);
    tl_arena_free(&arena);
    GDALDestroyDriverManager();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TILED_BINARY SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    bin = argv[1];
    snprintf(scratch, sizeof scratch, "%s", argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_tiles),
        cmocka_unit_test(test_qgis_geoserver_same_map),
        cmocka_unit_test(test_style_check_command),
        cmocka_unit_test(test_labels_across_tile_edges),
        cmocka_unit_test(test_png8_keeps_style_colours),
        cmocka_unit_test(test_legend),
        cmocka_unit_test(test_style_set_command),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
