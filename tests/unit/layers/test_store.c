/* test_store.c: the GeoPackage store: writing versions, publishing, listing, snapshots,
 * queries, attribute access, and the errors for missing or foreign stores. */
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
#include "tests/support/wkb.h"

static char tmpdir[512];

static void path_in_tmp(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
    unlink(buf);
}

static const lyr_field_def fields[] = {
    {"zone_code", LYR_FIELD_STRING}, {"area_m2", LYR_FIELD_REAL},
    {"max_floors", LYR_FIELD_INT},   {"approved", LYR_FIELD_DATE},
};

/* n squares of 0.001 deg along a row from (106.65, 11.0); odd ones have no zone_code. */
static int write_squares(lyr_store *st, const char *layer, int n, int *version, tl_err *err)
{
    lyr_writer *w = lyr_writer_begin(st, layer, "Test zoning", LYR_GEOM_POLYGON, fields, 4,
                                     "test.shp", "EPSG:4326", err);
    if (!w)
        return -1;
    twkb g;
    for (int i = 0; i < n; i++) {
        double x = 106.65 + i * 0.002;
        double hole[4] = {x + 0.0004, 11.0004, x + 0.0006, 11.0006};
        twkb_rect(&g, x, 11.0, x + 0.001, 11.001, i == 2 ? hole : NULL);
        lyr_value v[4] = {{i % 2, 0, 0, i % 2 ? NULL : "R1"},
                          {0, 0, 1234.5 + i, NULL},
                          {0, i, 0, NULL},
                          {0, 0, 0, "2020-03-15"}};
        if (lyr_writer_add(w, g.b, g.n, v, err) != 0) {
            lyr_writer_abort(w);
            return -1;
        }
    }
    return lyr_writer_publish(w, version, err);
}

static void test_write_publish_load(void **state)
{
    (void)state;
    char path[600];
    path_in_tmp(path, sizeof path, "store1.gpkg");
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(path, 1, &err);
    assert_non_null(st);
    int version = 0;
    assert_int_equal(write_squares(st, "zoning", 10, &version, &err), 0);
    assert_int_equal(version, 1);

    lyr_layer_info *li = NULL;
    size_t n = 0;
    assert_int_equal(lyr_store_list(st, &li, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(li[0].name, "zoning");
    assert_string_equal(li[0].title, "Test zoning");
    assert_int_equal(li[0].version, 1);
    assert_int_equal(li[0].n_features, 10);
    assert_float_equal(li[0].extent[0], 106.65, 1e-9);
    assert_float_equal(li[0].extent[3], 11.001, 1e-9);
    assert_string_equal(li[0].source, "test.shp");
    free(li);

    lyr_snapshot *s = lyr_snapshot_load(st, "zoning", &err);
    assert_non_null(s);
    assert_int_equal(lyr_snapshot_count(s), 10);
    assert_int_equal(lyr_snapshot_kind(s), LYR_GEOM_POLYGON);
    assert_int_equal(lyr_snapshot_version(s), 1);
    int zc = lyr_snapshot_field_index(s, "zone_code");
    int fl = lyr_snapshot_field_index(s, "max_floors");
    int ar = lyr_snapshot_field_index(s, "area_m2");
    int ap = lyr_snapshot_field_index(s, "approved");
    assert_true(zc >= 0 && fl >= 0 && ar >= 0 && ap >= 0);
    assert_int_equal(lyr_snapshot_field_index(s, "nope"), -1);
    assert_int_equal(lyr_snapshot_field(s, (size_t)ap)->type, LYR_FIELD_DATE);
    assert_string_equal(lyr_snapshot_str(s, 0, zc), "R1");
    assert_null(lyr_snapshot_str(s, 1, zc)); /* null */
    assert_ptr_equal(lyr_snapshot_str(s, 0, zc), lyr_snapshot_str(s, 2, zc)); /* interned */
    assert_string_equal(lyr_snapshot_str(s, 4, ap), "2020-03-15");
    lyr_value v;
    lyr_snapshot_value(s, 7, fl, &v);
    assert_false(v.is_null);
    assert_int_equal(v.i, 7);
    lyr_snapshot_value(s, 3, ar, &v);
    assert_float_equal(v.d, 1237.5, 1e-9);

    /* geometry: projected to EPSG:3857, hole kept as a second ring */
    lyr_geom_view g;
    lyr_snapshot_geom(s, 2, &g);
    assert_int_equal(g.n_parts, 2);
    assert_int_equal(g.ring_outer[0], 1);
    assert_int_equal(g.ring_outer[1], 0);
    assert_int_equal(g.part_start[1] - g.part_start[0], 5);
    double mx, my;
    tl_lonlat_to_merc(106.654, 11.0, &mx, &my);
    assert_float_equal(g.xy[2 * g.part_start[0]], mx, 1e-6);
    assert_float_equal(g.bbox.miny, my, 1e-6);

    /* bbox query: the 4th and 5th squares only */
    tl_arena a;
    tl_arena_init(&a, 0);
    double x0, y0, x1, y1;
    tl_lonlat_to_merc(106.6565, 11.0002, &x0, &y0);
    tl_lonlat_to_merc(106.6585, 11.0003, &x1, &y1);
    tl_bbox q = {x0, y0, x1, y1};
    uint32_t *ids;
    size_t nh;
    assert_int_equal(lyr_snapshot_query_bbox(s, &q, &a, 100, &ids, &nh, &err), 0);
    assert_int_equal(nh, 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 4);
    /* over the limit: a clear TL_ETOOBIG */
    tl_bbox all = lyr_snapshot_extent(s);
    assert_int_equal(lyr_snapshot_query_bbox(s, &all, &a, 5, &ids, &nh, &err), -1);
    assert_int_equal(err.code, TL_ETOOBIG);
    assert_non_null(strstr(err.msg, "more than 5 features"));
    tl_arena_free(&a);
    lyr_snapshot_release(s);
    lyr_store_close(st);
}

static void test_versions_and_catalog(void **state)
{
    (void)state;
    char path[600];
    path_in_tmp(path, sizeof path, "store2.gpkg");
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(path, 1, &err);
    assert_non_null(st);
    int v;
    assert_int_equal(write_squares(st, "zoning", 3, &v, &err), 0);
    assert_int_equal(write_squares(st, "zoning", 5, &v, &err), 0);
    assert_int_equal(v, 2);
    /* an aborted writer publishes nothing */
    lyr_writer *w = lyr_writer_begin(st, "zoning", NULL, LYR_GEOM_POLYGON, fields, 4, NULL,
                                     NULL, &err);
    assert_non_null(w);
    lyr_writer_abort(w);
    lyr_store_close(st);

    st = lyr_store_open_readonly(path, &err);
    assert_non_null(st);
    lyr_layer_info *li = NULL;
    size_t nl = 0;
    assert_int_equal(lyr_store_list(st, &li, &nl, &err), 0);
    assert_int_equal(nl, 1);
    free(li);
    lyr_snapshot *s = lyr_snapshot_load(st, "zoning", &err);
    assert_non_null(s);
    assert_int_equal(lyr_snapshot_version(s), 2);
    assert_int_equal(lyr_snapshot_count(s), 5);
    lyr_store_close(st); /* the snapshot outlives the store while referenced */
    assert_int_equal(lyr_snapshot_count(s), 5);
    lyr_snapshot_release(s);

    st = lyr_store_open_readonly(path, &err);
    assert_null(lyr_snapshot_load(st, "parks", &err));
    assert_int_equal(err.code, TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "parks"));
    lyr_store_close(st);
}

static void test_bad_stores(void **state)
{
    (void)state;
    char path[600];
    tl_err err = TL_ERR_INIT;
    path_in_tmp(path, sizeof path, "missing.gpkg");
    assert_null(lyr_store_open(path, 0, &err));
    assert_int_equal(err.code, TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "does not exist"));

    path_in_tmp(path, sizeof path, "garbage.gpkg");
    FILE *f = fopen(path, "w");
    fputs("this is not a geopackage\n", f);
    fclose(f);
    tl_err_clear(&err);
    assert_null(lyr_store_open_readonly(path, &err));
    assert_int_equal(err.code, TL_ESTORE);
    assert_non_null(strstr(err.msg, "not a GeoPackage"));

    /* a GeoPackage without tiled's catalog */
    path_in_tmp(path, sizeof path, "plain.gpkg");
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    GDALDatasetCreateLayer(ds, "foo", NULL, wkbPoint, NULL);
    GDALClose(ds);
    tl_err_clear(&err);
    assert_null(lyr_store_open_readonly(path, &err));
    assert_int_equal(err.code, TL_ESTORE);
    assert_non_null(strstr(err.msg, "without tiled's catalog"));

    /* invalid layer names are refused before anything is written */
    path_in_tmp(path, sizeof path, "names.gpkg");
    lyr_store *st = lyr_store_open(path, 1, &err);
    assert_non_null(st);
    const char *bad[] = {"", "1abc", "a-b", "zoning__v1", "x'; DROP TABLE tiled_layers; --",
                         "a_very_long_name_that_is_longer_than_sixty_three_characters_in_total"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_err_clear(&err);
        assert_null(lyr_writer_begin(st, bad[i], NULL, LYR_GEOM_POLYGON, fields, 4, NULL, NULL,
                                     &err));
        assert_int_equal(err.code, TL_EINVAL);
        assert_non_null(strstr(err.msg, "invalid layer name"));
    }
    lyr_store_close(st);
}

/* Which polygons overlap another one (layers/overlap.c): a coverage with a T-junction,
 * collinear overlap without any crossing edge, containment, duplicates, a crossing, a
 * polygon filling another's hole, a corner touch. Units of 0.001 deg, each case far from
 * the others. */
static void test_overlap_flags(void **state)
{
    (void)state;
    char path[600];
    path_in_tmp(path, sizeof path, "overlap.gpkg");
    tl_err err = TL_ERR_INIT;
    lyr_store *st = lyr_store_open(path, 1, &err);
    assert_non_null(st);
    lyr_writer *w = lyr_writer_begin(st, "parcels", NULL, LYR_GEOM_POLYGON, fields, 4, NULL,
                                     NULL, &err);
    assert_non_null(w);
    enum { MAXF = 32 };
    int want[MAXF], n = 0;
    twkb g;
#define U 0.001
#define RECT(cx, x0, y0, x1, y1, hole, expect)                                               \
    do {                                                                                   \
        twkb_rect(&g, 106.0 + (cx) + (x0)*U, 11.0 + (y0)*U, 106.0 + (cx) + (x1)*U,        \
                  11.0 + (y1)*U, hole);                                                    \
        lyr_value v[4] = {{1, 0, 0, NULL}, {1, 0, 0, NULL}, {1, 0, 0, NULL}, {1, 0, 0, NULL}}; \
        assert_int_equal(lyr_writer_add(w, g.b, g.n, v, &err), 0);                          \
        want[n++] = (expect);                                                              \
    } while (0)
    /* a coverage: two squares on top of one wide rectangle (a T-junction at x = 1) */
    RECT(0.00, 0, 1, 1, 2, NULL, 0);
    RECT(0.00, 1, 1, 2, 2, NULL, 0);
    RECT(0.00, 0, 0, 2, 1, NULL, 0);
    /* offset squares sharing two collinear edges: no edge crosses another */
    RECT(0.01, 0, 0, 2, 2, NULL, 1);
    RECT(0.01, 1, 0, 3, 2, NULL, 1);
    /* containment */
    RECT(0.02, 0, 0, 3, 3, NULL, 1);
    RECT(0.02, 1, 1, 2, 2, NULL, 1);
    /* duplicates */
    RECT(0.03, 0, 0, 1, 1, NULL, 1);
    RECT(0.03, 0, 0, 1, 1, NULL, 1);
    /* a plus sign: two bars crossing */
    RECT(0.04, 0, 1, 3, 2, NULL, 1);
    RECT(0.04, 1, 0, 2, 3, NULL, 1);
    /* a square filling another's hole exactly */
    double hole[4] = {106.05 + 1 * U, 11.0 + 1 * U, 106.05 + 2 * U, 11.0 + 2 * U};
    RECT(0.05, 0, 0, 3, 3, hole, 0);
    RECT(0.05, 1, 1, 2, 2, NULL, 0);
    /* corners touching */
    RECT(0.06, 0, 0, 1, 1, NULL, 0);
    RECT(0.06, 1, 1, 2, 2, NULL, 0);
    /* a triangle overlapping a square only by a sliver 0.1 m thick: still an overlap */
    RECT(0.07, 0, 0, 1, 1, NULL, 1);
    {
        double t[6] = {106.07 + 1 * U - 1e-6, 11.0, 106.07 + 2 * U, 11.0,
                       106.07 + 1 * U - 1e-6, 11.0 + 1 * U};
        twkb_ring(&g, t, 3);
        lyr_value v[4] = {{1, 0, 0, NULL}, {1, 0, 0, NULL}, {1, 0, 0, NULL}, {1, 0, 0, NULL}};
        assert_int_equal(lyr_writer_add(w, g.b, g.n, v, &err), 0);
        want[n++] = 1;
    }
#undef RECT
#undef U
    assert_int_equal(lyr_writer_publish(w, NULL, &err), 0);
    lyr_snapshot *snap = lyr_snapshot_load(st, "parcels", &err);
    assert_non_null(snap);
    assert_null(lyr_snapshot_overlap_flags(snap));
    assert_int_equal(lyr_snapshot_check_overlaps(snap, NULL), 0);
    const uint8_t *f = lyr_snapshot_overlap_flags(snap);
    assert_non_null(f);
    assert_int_equal(lyr_snapshot_count(snap), (size_t)n);
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        int64_t fid = lyr_snapshot_fid(snap, i);
        assert_true(fid >= 1 && fid <= n);
        if (f[i] != want[fid - 1])
            fail_msg("feature %lld: overlap flag %d, want %d", (long long)fid, f[i],
                     want[fid - 1]);
    }
    /* a cancelled run leaves no flags; a second run keeps the first answer */
    assert_int_equal(lyr_snapshot_check_overlaps(snap, NULL), 0);
    assert_ptr_equal(lyr_snapshot_overlap_flags(snap), f);
    lyr_snapshot_release(snap);
    snap = lyr_snapshot_load(st, "parcels", &err);
    atomic_int stop;
    atomic_init(&stop, 1);
    assert_int_equal(lyr_snapshot_check_overlaps(snap, &stop), -1);
    assert_null(lyr_snapshot_overlap_flags(snap));
    lyr_snapshot_release(snap);
    lyr_store_close(st);
}

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TILED_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/layers", t ? t : "/tmp/tiled-test");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    if (system(cmd) != 0)
        return -1;
    GDALAllRegister();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    GDALDestroyDriverManager();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_publish_load),
        cmocka_unit_test(test_versions_and_catalog),
        cmocka_unit_test(test_bad_stores),
        cmocka_unit_test(test_overlap_flags),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
