/* test_tiles.c: end to end: `tiled demo` writes a small store, `tiled serve` serves it on
 * 127.0.0.1:0, and the tiles it answers are checked pixel by pixel against the data.
 * usage: integration-tiles PATH/TO/tiled SCRATCH_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "layers/layers.h"
#include "styles/styles.h"
#include "tests/integration/harness.h"

static const char *bin;
static char store[600], scratch[512];
static th_server srv;

/* The zoning fill colours of the built-in cartography (shared/bench binhduong.map.in). */
static const struct {
    const char *code;
    uint32_t rgb;
} zone_fill[] = {{"R1", 0xf7e08b}, {"R2", 0xf0a850}, {"C", 0xe8696b},
                 {"IND", 0xb49bd6}, {"MX", 0xe38fc3}, {"PUB", 0xd59a6a},
                 {"GR", 0x8ccc79}, {"AG", 0xdfe9b4}, {"W", 0x9cc7ec}};

static uint32_t fill_of(const char *code)
{
    for (size_t i = 0; i < sizeof zone_fill / sizeof zone_fill[0]; i++)
        if (strcmp(zone_fill[i].code, code) == 0)
            return zone_fill[i].rgb;
    return 0xFFFFFFFF;
}

static uint8_t *fetch_png(const char *path, int *w, int *h)
{
    th_resp r;
    assert_int_equal(th_request(srv.port, "GET", path, "", &r), 0);
    if (r.status != 200)
        fprintf(stderr, "GET %s -> %d %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: image/png"));
    uint8_t *rgba = NULL;
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_decode_rgba(r.body, r.len, &rgba, w, h, &err), 0);
    free(r.body);
    return rgba;
}

/* The largest inscribed circle of a snapshot polygon (EPSG:3857), via GEOS. */
/* Feature `id` of a polygon snapshot as a GEOS multipolygon (caller destroys). */
static GEOSGeometry *geos_of(GEOSContextHandle_t g, const lyr_snapshot *s, uint32_t id)
{
    lyr_geom_view v;
    lyr_snapshot_geom(s, id, &v);
    GEOSGeometry *polys[64];
    unsigned np = 0;
    for (uint32_t i = 0; i < v.n_parts && np < 64;) {
        uint32_t j = i + 1;
        while (j < v.n_parts && !v.ring_outer[j])
            j++;
        GEOSGeometry *rings[64];
        unsigned nr = 0;
        for (uint32_t k = i; k < j && nr < 64; k++) {
            uint32_t a = v.part_start[k], b = v.part_start[k + 1];
            GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(g, v.xy + 2 * a, b - a, 0, 0);
            rings[nr++] = GEOSGeom_createLinearRing_r(g, cs);
        }
        polys[np++] = GEOSGeom_createPolygon_r(g, rings[0], rings + 1, nr - 1);
        i = j;
    }
    return GEOSGeom_createCollection_r(g, GEOS_MULTIPOLYGON, polys, np);
}

static double inscribed(GEOSContextHandle_t g, const lyr_snapshot *s, uint32_t id, double *cx,
                        double *cy)
{
    GEOSGeometry *mp = geos_of(g, s, id);
    double r = 0;
    GEOSGeometry *line = GEOSMaximumInscribedCircle_r(g, mp, 0.5);
    if (line) {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g, line);
        double x1, y1;
        GEOSCoordSeq_getXY_r(g, cs, 0, cx, cy);
        GEOSCoordSeq_getXY_r(g, cs, 1, &x1, &y1);
        r = hypot(x1 - *cx, y1 - *cy);
        GEOSGeom_destroy_r(g, line);
    }
    GEOSGeom_destroy_r(g, mp);
    return r;
}

/* The demo store's zoning layer, straight from the store (not through the server). */
static lyr_snapshot *load_zoning(void)
{
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(store, 0, &err);
    assert_non_null(st);
    lyr_snapshot *s = lyr_snapshot_load(st, "zoning", &err);
    assert_non_null(s);
    lyr_store_close(st);
    return s;
}

/* For each zone class: a parcel with room for a clean pixel; its tile at z16 has the zone's
 * fill colour exactly at the parcel's inscribed-circle centre. */
static void test_parcel_colours(void **state)
{
    (void)state;
    lyr_snapshot *s = load_zoning();
    int zc = lyr_snapshot_field_index(s, "zone_code");
    assert_true(zc >= 0);
    GEOSContextHandle_t g = GEOS_init_r();
    const int z = 16;
    const double res = tl_tile_resolution(z);
    int checked = 0;
    char done[16] = {0};
    for (uint32_t id = 0; id < lyr_snapshot_count(s) && checked < 6; id += 7) {
        const char *code = lyr_snapshot_str(s, id, zc);
        assert_non_null(code);
        uint32_t want = fill_of(code);
        assert_true(want != 0xFFFFFFFF); /* every zone_code is one of the nine */
        size_t ci = 0;
        while (strcmp(zone_fill[ci].code, code) != 0)
            ci++;
        if (done[ci])
            continue;
        double cx, cy;
        if (inscribed(g, s, id, &cx, &cy) < 6 * res) /* 6 px clear of any outline */
            continue;
        uint32_t tx = (uint32_t)((cx + TL_MERC_HALF) / (256 * res));
        uint32_t ty = (uint32_t)((TL_MERC_HALF - cy) / (256 * res));
        tl_bbox tb = tl_tile_bbox(z, tx, ty);
        int px = (int)((cx - tb.minx) / res), py = (int)((tb.maxy - cy) / res);
        char path[128];
        snprintf(path, sizeof path, "/tiles/zoning/%d/%u/%u.png", z, tx, ty);
        int w, h;
        uint8_t *rgba = fetch_png(path, &w, &h);
        assert_int_equal(w, 256);
        const uint8_t *p = rgba + 4 * ((size_t)py * 256 + (size_t)px);
        uint32_t got = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        if (got != want || p[3] != 255)
            fprintf(stderr, "parcel %u (%s) at %s px %d,%d: got #%06x a=%d want #%06x\n", id,
                    code, path, px, py, got, p[3], want);
        assert_int_equal(got, want);
        assert_int_equal(p[3], 255);
        free(rgba);
        done[ci] = 1;
        checked++;
    }
    assert_true(checked >= 4); /* at least four zone classes checked */
    GEOS_finish_r(g);
    lyr_snapshot_release(s);
}

static void test_outside_is_transparent(void **state)
{
    (void)state;
    /* z12 over the Pacific; z8 tile of Hanoi, far north of Binh Duong */
    const char *paths[] = {"/tiles/zoning,green_spaces,industrial_parks,roads,districts/12/100/2000.png",
                           "/tiles/zoning,roads,districts/8/203/113.png"};
    for (size_t i = 0; i < 2; i++) {
        int w, h;
        uint8_t *rgba = fetch_png(paths[i], &w, &h);
        for (size_t k = 0; k < (size_t)w * (size_t)h; k++)
            assert_int_equal(rgba[4 * k + 3], 0);
        free(rgba);
    }
    /* and a tile over Thu Dau Mot is mostly opaque */
    int w, h;
    uint8_t *rgba = fetch_png("/tiles/zoning,roads/12/3262/1920.png", &w, &h);
    size_t opaque = 0;
    for (size_t k = 0; k < (size_t)w * (size_t)h; k++)
        opaque += rgba[4 * k + 3] == 255;
    assert_true(opaque > (size_t)w * (size_t)h * 8 / 10);
    free(rgba);
    rgba = fetch_png("/tiles/zoning/14/13047/7691@2x.png", &w, &h);
    assert_int_equal(w, 512);
    assert_int_equal(h, 512);
    free(rgba);
}

static void expect_status(const char *method, const char *path, int status, const char *needle)
{
    th_resp r;
    assert_int_equal(th_request(srv.port, method, path, "", &r), 0);
    if (r.status != status || (needle && !strstr((char *)r.body, needle)))
        fprintf(stderr, "%s %s -> %d %s\n", method, path, r.status, r.body);
    assert_int_equal(r.status, status);
    if (needle)
        assert_non_null(strstr((char *)r.body, needle));
    free(r.body);
}

static void test_bad_requests(void **state)
{
    (void)state;
    expect_status("GET", "/tiles/zoning/25/0/0.png", 404, "out of range");
    expect_status("GET", "/tiles/zoning/3/8/0.png", 404, "out of range");
    expect_status("GET", "/tiles/zoning/3/0/8.png", 404, "out of range");
    expect_status("GET", "/tiles/zoning/-1/0/0.png", 404, NULL);
    expect_status("GET", "/tiles/zoning/a/b/c.png", 404, "not an integer");
    expect_status("GET", "/tiles/zoning/1/0/0x1.png", 404, NULL);
    expect_status("GET", "/tiles/zoning/99999999999999999999/0/0.png", 404, NULL);
    expect_status("GET", "/tiles/zoning/1/0/0.jpg", 404, "png");
    expect_status("GET", "/tiles/zoning/1/0.png", 404, NULL);
    expect_status("GET", "/tiles/parks_2030/1/0/0.png", 404, "parks_2030");
    expect_status("GET", "/tiles/zoning,nope/1/0/0.png", 404, "nope");
    expect_status("GET", "/tiles//1/0/0.png", 404, NULL);
    expect_status("GET", "/nothing/here", 404, "no such resource");
    expect_status("POST", "/tiles/zoning/1/0/0.png", 405, NULL);
    expect_status("GET", "/health", 200, "\"zoning\"");
}

static void test_etag(void **state)
{
    (void)state;
    th_resp r;
    assert_int_equal(th_request(srv.port, "GET", "/tiles/zoning/13/6523/3842.png", "", &r), 0);
    assert_int_equal(r.status, 200);
    char *e = strstr(r.headers, "ETag: ");
    assert_non_null(e);
    char etag[80], hdr[128];
    size_t n = strcspn(e + 6, "\r\n");
    memcpy(etag, e + 6, n);
    etag[n] = '\0';
    free(r.body);
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
    assert_int_equal(th_request(srv.port, "GET", "/tiles/zoning/13/6523/3842.png", hdr, &r), 0);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.len, 0);
    free(r.body);
}

/* 200 tiles over the province: fetched by 8 concurrent clients, the bytes equal a
 * sequential fetch. */
#define N_TILES 200
static char tile_paths[N_TILES][96];
static th_resp seq[N_TILES];
static atomic_int next_tile;
static atomic_int mismatches;

static void *client(void *ud)
{
    (void)ud;
    for (;;) {
        int i = atomic_fetch_add(&next_tile, 1);
        if (i >= N_TILES)
            return NULL;
        th_resp r;
        if (th_request(srv.port, "GET", tile_paths[i], "", &r) != 0 || r.status != 200 ||
            r.len != seq[i].len || memcmp(r.body, seq[i].body, r.len) != 0)
            atomic_fetch_add(&mismatches, 1);
        free(r.body);
    }
}

static void test_concurrent_identical(void **state)
{
    (void)state;
    const char *layers = "zoning,green_spaces,industrial_parks,roads,districts";
    for (int i = 0; i < N_TILES; i++) {
        int z = 11 + i % 5;
        /* walk a grid over Thu Dau Mot / Thuan An (106.60-106.80E, 10.88-11.10N) */
        double lon = 106.60 + 0.2 * ((i * 37) % 100) / 100.0;
        double lat = 10.88 + 0.22 * ((i * 61) % 100) / 100.0;
        double mx, my;
        tl_lonlat_to_merc(lon, lat, &mx, &my);
        double size = 2 * TL_MERC_HALF / (double)(1u << z);
        snprintf(tile_paths[i], sizeof tile_paths[i], "/tiles/%s/%d/%u/%u.png", layers, z,
                 (unsigned)((mx + TL_MERC_HALF) / size), (unsigned)((TL_MERC_HALF - my) / size));
    }
    for (int i = 0; i < N_TILES; i++) {
        assert_int_equal(th_request(srv.port, "GET", tile_paths[i], "", &seq[i]), 0);
        assert_int_equal(seq[i].status, 200);
    }
    pthread_t t[8];
    for (int k = 0; k < 8; k++)
        pthread_create(&t[k], NULL, client, NULL);
    for (int k = 0; k < 8; k++)
        pthread_join(t[k], NULL);
    assert_int_equal(atomic_load(&mismatches), 0);
    for (int i = 0; i < N_TILES; i++)
        free(seq[i].body);
}

static void test_serve_bad_store(void **state)
{
    (void)state;
    char missing[600], garbage[600], err[4096];
    snprintf(missing, sizeof missing, "%s/does-not-exist.gpkg", scratch);
    char *argv1[] = {(char *)bin, "serve", "--store", missing, "--listen", "127.0.0.1:0", NULL};
    int rc = th_run(argv1, err, sizeof err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "does not exist"));
    assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1); /* one line */

    snprintf(garbage, sizeof garbage, "%s/garbage.gpkg", scratch);
    FILE *f = fopen(garbage, "w");
    fputs("PK\x03\x04 not a geopackage at all", f);
    fclose(f);
    char *argv2[] = {(char *)bin, "serve", "--store", garbage, "--listen", "127.0.0.1:0", NULL};
    rc = th_run(argv2, err, sizeof err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "not a GeoPackage"));

    char *argv3[] = {(char *)bin, "serve", "--store", store, "--listen", "127.0.0.1:99999", NULL};
    rc = th_run(argv3, err, sizeof err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "out of range"));
}

/* The value of `"key": ` in the layer `name`'s object of a /health body; -1 for a string
 * ("pending"), -2 when absent. */
static long health_value(const char *body, const char *name, const char *key)
{
    char want[96];
    snprintf(want, sizeof want, "{\"name\": \"%s\"", name);
    const char *o = strstr(body, want);
    if (!o)
        return -2;
    const char *end = strchr(o, '}');
    snprintf(want, sizeof want, "\"%s\": ", key);
    const char *k = strstr(o, want);
    if (!k || (end && k > end))
        return -2;
    k += strlen(want);
    return *k == '"' ? -1 : strtol(k, NULL, 10);
}

/* /health reports, per polygon layer, how many polygons overlap another one, once the
 * analyst thread has worked it out: the same count as the snapshot's own analysis, none
 * among the districts (a partition of the province), and GEOS agrees for the parcels. */
static void test_health_overlaps(void **state)
{
    (void)state;
    long zon = -1, dis = -1, roads = 0;
    for (int i = 0; i < 300 && (zon < 0 || dis < 0); i++) {
        th_resp r;
        assert_int_equal(th_request(srv.port, "GET", "/health", "", &r), 0);
        assert_int_equal(r.status, 200);
        zon = health_value((const char *)r.body, "zoning", "overlapping");
        dis = health_value((const char *)r.body, "districts", "overlapping");
        roads = health_value((const char *)r.body, "roads", "overlapping");
        free(r.body);
        if (zon == -2 || dis == -2)
            fail_msg("/health lists no \"overlapping\" for zoning or districts");
        if (zon < 0 || dis < 0)
            usleep(100 * 1000);
    }
    assert_true(zon >= 0 && dis >= 0); /* worked out within 30 s */
    assert_int_equal(dis, 0);
    assert_int_equal(roads, -2); /* lines: not reported */

    lyr_snapshot *s = load_zoning();
    assert_int_equal(lyr_snapshot_check_overlaps(s, NULL), 0);
    const uint8_t *f = lyr_snapshot_overlap_flags(s);
    size_t n = lyr_snapshot_count(s), k = 0;
    for (size_t i = 0; i < n; i++)
        k += f[i];
    assert_int_equal((long)k, zon);
    assert_true(k > 0 && k < n / 2); /* the demo's green parcels overlap some residential */

    /* GEOS: a flagged parcel shares area with a neighbour; an unflagged one shares none
     * thicker than the 1-cm tolerance band (area / half the intersection's boundary) */
    GEOSContextHandle_t g = GEOS_init_r();
    tl_arena a;
    tl_arena_init(&a, 0);
    tl_err err = TL_ERR_INIT;
    int flagged = 0, clean = 0;
    for (uint32_t id = 0; id < n && (flagged < 20 || clean < 40); id++) {
        if (f[id] ? flagged >= 20 : clean >= 40)
            continue;
        lyr_geom_view v;
        lyr_snapshot_geom(s, id, &v);
        uint32_t *ids;
        size_t m;
        tl_arena_reset(&a);
        assert_int_equal(lyr_snapshot_query_bbox(s, &v.bbox, &a, 100000, &ids, &m, &err), 0);
        GEOSGeometry *me = geos_of(g, s, id);
        double thickest = 0;
        for (size_t j = 0; j < m; j++) {
            if (ids[j] == id)
                continue;
            GEOSGeometry *o = geos_of(g, s, ids[j]);
            GEOSGeometry *x = GEOSIntersection_r(g, me, o);
            double area = 0, len = 0;
            if (x && GEOSArea_r(g, x, &area) && GEOSLength_r(g, x, &len) && len > 0 &&
                2 * area / len > thickest)
                thickest = 2 * area / len;
            GEOSGeom_destroy_r(g, x);
            GEOSGeom_destroy_r(g, o);
        }
        GEOSGeom_destroy_r(g, me);
        if (f[id]) {
            if (thickest <= 0.005)
                fail_msg("parcel %u flagged, but GEOS finds no overlap (%.4f m)", id, thickest);
            flagged++;
        } else {
            if (thickest > 0.03)
                fail_msg("parcel %u unflagged, but overlaps a neighbour by %.3f m", id, thickest);
            clean++;
        }
    }
    assert_int_equal(flagged, 20);
    assert_int_equal(clean, 40);
    tl_arena_free(&a);
    GEOS_finish_r(g);
    lyr_snapshot_release(s);
}

static int setup(void **state)
{
    (void)state;
    if (th_demo_store(bin, scratch, store, sizeof store) != 0)
        return -1;
    GDALAllRegister();
    if (th_start(&srv, bin, store, "4") != 0) {
        fprintf(stderr, "tiled serve did not start\n");
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int rc = th_stop(&srv);
    GDALDestroyDriverManager();
    return rc == 0 ? 0 : -1; /* a clean exit on SIGTERM */
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
        cmocka_unit_test(test_parcel_colours),  cmocka_unit_test(test_outside_is_transparent),
        cmocka_unit_test(test_bad_requests),    cmocka_unit_test(test_etag),
        cmocka_unit_test(test_concurrent_identical), cmocka_unit_test(test_serve_bad_store),
        cmocka_unit_test(test_health_overlaps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
