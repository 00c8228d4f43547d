/* test_demo.c: the Binh Duong demo generator writes the five layers of
 * gen_binhduong.py with the right fields, the hand-placed geography, valid zoning and the
 * same data for the same seed. */
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
#include <geos_c.h>

#include "import/import.h"
#include "layers/layers.h"
#include "tiled/base/tl_geo.h"

#define N_PARCELS 400

typedef struct progress {
    size_t calls, bad; /* bad: fraction outside 0..1 or going back within a stage */
    char last[32];
    double last_frac;
    int saw_zoning, saw_roads;
} progress;

typedef struct fixture {
    lyr_store *a, *b, *c; /* seed 42, seed 42 again, seed 43 */
    imp_demo_report rep_a;
    progress prog; /* of the seed-43 run */
} fixture;

static void on_progress(void *ud, const char *stage, double frac)
{
    progress *p = ud;
    p->calls++;
    if (frac < 0.0 || frac > 1.0 || (strcmp(stage, p->last) == 0 && frac < p->last_frac))
        p->bad++;
    p->saw_zoning |= strcmp(stage, "zoning") == 0;
    p->saw_roads |= strcmp(stage, "roads") == 0;
    snprintf(p->last, sizeof p->last, "%s", stage);
    p->last_frac = frac;
}

static void store_path(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("TILED_TEST_TMP");
    if (!dir || !dir[0])
        dir = "/tmp";
    mkdir(dir, 0777);
    snprintf(buf, size, "%s/test_demo_%ld_%s.gpkg", dir, (long)getpid(), name);
    unlink(buf);
}

static lyr_store *generate(const char *name, uint64_t seed, imp_demo_report *rep, progress *prog)
{
    char path[1024];
    tl_err err = TL_ERR_INIT;
    store_path(path, sizeof path, name);
    lyr_store *st = lyr_store_open(path, 1, &err);
    if (!st)
        fail_msg("open %s: %s", path, err.msg);
    imp_demo_opts o = {IMP_DEMO_SMALL, seed, N_PARCELS, prog ? on_progress : NULL, prog};
    if (imp_demo_write(st, &o, rep, &err) != 0)
        fail_msg("imp_demo_write: %s", err.msg);
    return st;
}

static int setup(void **state)
{
    static fixture fx;
    imp_demo_report rb, rc;
    GDALAllRegister();
    fx.a = generate("a", 42, &fx.rep_a, NULL);
    fx.b = generate("b", 42, &rb, NULL);
    fx.c = generate("c", 43, &rc, &fx.prog);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    const char *names[3] = {"a", "b", "c"};
    lyr_store *st[3] = {fx->a, fx->b, fx->c};
    for (int i = 0; i < 3; i++) {
        char path[1024];
        lyr_store_close(st[i]);
        store_path(path, sizeof path, names[i]); /* also unlinks */
    }
    return 0;
}

static lyr_snapshot *load(lyr_store *st, const char *layer)
{
    tl_err err = TL_ERR_INIT;
    lyr_snapshot *s = lyr_snapshot_load(st, layer, &err);
    if (!s)
        fail_msg("load %s: %s", layer, err.msg);
    return s;
}

static int field(const lyr_snapshot *s, const char *name)
{
    int i = lyr_snapshot_field_index(s, name);
    if (i < 0)
        fail_msg("layer %s has no field %s", lyr_snapshot_name(s), name);
    return i;
}

/* Layers and fields --------------------------------------------------------------------- */

#define S LYR_FIELD_STRING
#define I LYR_FIELD_INT
#define R LYR_FIELD_REAL
#define D LYR_FIELD_DATE

typedef struct want_layer {
    const char *name;
    lyr_geom_kind kind;
    lyr_field_def fields[16]; /* ends with a NULL name */
} want_layer;

/* gen_binhduong.py write_all(), in lyr_store_list order (by name). */
static const want_layer WANT[5] = {
    {"districts",
     LYR_GEOM_POLYGON,
     {{"code", I},
      {"name", S},
      {"name_ascii", S},
      {"admin_type", S},
      {"population", I},
      {"area_km2", R}}},
    {"green_spaces", LYR_GEOM_POLYGON, {{"name", S}, {"type", S}, {"area_m2", R}, {"district", S}}},
    {"industrial_parks",
     LYR_GEOM_POLYGON,
     {{"name", S},
      {"short_name", S},
      {"status", S},
      {"area_ha", R},
      {"occupancy_pct", R},
      {"year", I},
      {"developer", S},
      {"district", S}}},
    {"roads",
     LYR_GEOM_LINE,
     {{"class", S},
      {"name", S},
      {"ref", S},
      {"lanes", I},
      {"oneway", I},
      {"surface", S},
      {"maxspeed", I}}},
    {"zoning",
     LYR_GEOM_POLYGON,
     {{"parcel_id", S},
      {"zone_code", S},
      {"zone_name", S},
      {"name", S},
      {"district", S},
      {"ward", S},
      {"plot_ratio", R},
      {"max_height_m", R},
      {"coverage_pct", I},
      {"max_floors", I},
      {"area_m2", R},
      {"status", S},
      {"plan_ref", S},
      {"approved", D}}},
};

static void check_fields(const lyr_snapshot *s, const lyr_field_def *want)
{
    size_t i = 0;
    for (; want[i].name; i++) {
        assert_true(i < lyr_snapshot_n_fields(s));
        const lyr_field_def *f = lyr_snapshot_field(s, i);
        assert_string_equal(f->name, want[i].name);
        if (f->type != want[i].type)
            fail_msg("%s.%s: type %d, want %d", lyr_snapshot_name(s), f->name, (int)f->type,
                     (int)want[i].type);
    }
    assert_int_equal(i, lyr_snapshot_n_fields(s));
}

static void test_layers_and_fields(void **state)
{
    fixture *fx = *state;
    lyr_layer_info *li = NULL;
    size_t n = 0;
    tl_err err = TL_ERR_INIT;
    assert_int_equal(lyr_store_list(fx->a, &li, &n, &err), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(li[i].name, WANT[i].name);
        assert_int_equal(li[i].kind, WANT[i].kind);
        assert_int_equal(li[i].version, 1);
        /* lon 106.3..107.0, lat 10.8..11.5 */
        assert_true(li[i].extent[0] >= 106.3 && li[i].extent[2] <= 107.0);
        assert_true(li[i].extent[1] >= 10.8 && li[i].extent[3] <= 11.5);
        assert_true(li[i].extent[0] < li[i].extent[2] && li[i].extent[1] < li[i].extent[3]);
        lyr_snapshot *s = load(fx->a, WANT[i].name);
        assert_int_equal(lyr_snapshot_kind(s), WANT[i].kind);
        assert_int_equal((int64_t)lyr_snapshot_count(s), li[i].n_features);
        check_fields(s, WANT[i].fields);
        double x0, y0, x1, y1;
        tl_lonlat_to_merc(106.3, 10.8, &x0, &y0);
        tl_lonlat_to_merc(107.0, 11.5, &x1, &y1);
        tl_bbox e = lyr_snapshot_extent(s);
        assert_true(e.minx >= x0 && e.maxx <= x1 && e.miny >= y0 && e.maxy <= y1);
        lyr_snapshot_release(s);
    }
    free(li);
}

/* Counts and values ------------------------------------------------------------------------ */

static void test_parks_and_districts(void **state)
{
    fixture *fx = *state;
    lyr_snapshot *p = load(fx->a, "industrial_parks");
    int st = field(p, "status"), occ = field(p, "occupancy_pct"), sn = field(p, "short_name");
    size_t planned = 0, vsip = 0;
    assert_int_equal(lyr_snapshot_count(p), 35);
    assert_int_equal(fx->rep_a.n_industrial_parks, 35);
    for (uint32_t i = 0; i < 35; i++) {
        lyr_value v;
        const char *status = lyr_snapshot_str(p, i, st);
        lyr_snapshot_value(p, i, occ, &v);
        if (strcmp(status, "planned") == 0) {
            planned++;
            assert_true(v.d == 0.0);
        } else {
            assert_string_equal(status, "established");
            assert_true(v.d >= 62.0 && v.d <= 100.0);
        }
        if (strcmp(lyr_snapshot_str(p, i, sn), "VSIP I") == 0) {
            lyr_geom_view g;
            double x, y;
            vsip++;
            lyr_snapshot_geom(p, i, &g);
            tl_lonlat_to_merc(106.712, 10.932, &x, &y);
            assert_true(g.bbox.minx < x && x < g.bbox.maxx && g.bbox.miny < y && y < g.bbox.maxy);
            /* about 500 ha: a box of 1.5-5 km on a side at this latitude */
            assert_true(g.bbox.maxx - g.bbox.minx > 1500 && g.bbox.maxx - g.bbox.minx < 6000);
        }
    }
    assert_int_equal(planned, 6);
    assert_int_equal(vsip, 1);
    lyr_snapshot_release(p);

    lyr_snapshot *d = load(fx->a, "districts");
    int code = field(d, "code"), name = field(d, "name"), area = field(d, "area_km2");
    int64_t codes = 0;
    double total = 0.0;
    assert_int_equal(lyr_snapshot_count(d), 9);
    for (uint32_t i = 0; i < 9; i++) {
        lyr_value v, a;
        lyr_snapshot_value(d, i, code, &v);
        lyr_snapshot_value(d, i, area, &a);
        assert_true(v.i >= 718 && v.i <= 726);
        codes |= (int64_t)1 << (v.i - 718);
        total += a.d;
        if (v.i == 718) {
            assert_string_equal(lyr_snapshot_str(d, i, name), "Thủ Dầu Một");
            assert_true(a.d > 60.0 && a.d < 240.0); /* real: 118.9 km2 */
        }
        if (v.i == 720)
            assert_true(a.d > 360.0 && a.d < 1100.0); /* Dầu Tiếng, real: 720 km2 */
    }
    assert_int_equal(codes, 0x1ff);                /* all nine codes */
    assert_true(total > 2300.0 && total < 3100.0); /* province ~2,690 km2 */
    lyr_snapshot_release(d);
}

static const char *const ZONE_NAMES[9][2] = {{"R1", "Đất ở mật độ thấp"},
                                             {"R2", "Đất ở mật độ cao"},
                                             {"C", "Đất thương mại – dịch vụ"},
                                             {"IND", "Đất công nghiệp"},
                                             {"MX", "Đất hỗn hợp"},
                                             {"PUB", "Đất công trình công cộng"},
                                             {"GR", "Đất cây xanh – công viên"},
                                             {"AG", "Đất nông nghiệp"},
                                             {"W", "Đất mặt nước"}};

static void test_zoning_values(void **state)
{
    fixture *fx = *state;
    lyr_snapshot *z = load(fx->a, "zoning");
    size_t n = lyr_snapshot_count(z), seen[9] = {0}, holes = 0;
    int zc = field(z, "zone_code"), zn = field(z, "zone_name"), stf = field(z, "status");
    int am = field(z, "area_m2"), ap = field(z, "approved"), pid = field(z, "parcel_id");
    assert_true(n >= N_PARCELS * 6 / 10 && n <= N_PARCELS * 14 / 10);
    assert_int_equal(n, fx->rep_a.n_zoning);
    for (uint32_t i = 0; i < n; i++) {
        const char *code = lyr_snapshot_str(z, i, zc);
        int k = -1;
        for (int j = 0; j < 9; j++)
            if (strcmp(code, ZONE_NAMES[j][0]) == 0)
                k = j;
        if (k < 0)
            fail_msg("feature %u: zone_code '%s'", i, code);
        seen[k]++;
        assert_string_equal(lyr_snapshot_str(z, i, zn), ZONE_NAMES[k][1]);
        const char *st = lyr_snapshot_str(z, i, stf);
        assert_true(strcmp(st, "existing") == 0 || strcmp(st, "planned") == 0);
        const char *date = lyr_snapshot_str(z, i, ap);
        /* 2012-01-01 plus 0..4199 days */
        assert_true(strlen(date) == 10 && strcmp(date, "2012-01-01") >= 0 &&
                    strcmp(date, "2023-07-01") < 0 && date[4] == '-' && date[7] == '-');
        assert_int_equal(strlen(lyr_snapshot_str(z, i, pid)), 13); /* 718-01-000001 */
        /* area_m2 is planar; EPSG:3857 inflates areas by 1/cos^2(lat), ~1.04 here */
        lyr_geom_view g;
        lyr_value a;
        lyr_snapshot_geom(z, i, &g);
        lyr_snapshot_value(z, i, am, &a);
        double merc = 0.0;
        for (uint32_t p = 0; p < g.n_parts; p++) {
            double s = 0.0;
            for (uint32_t q = g.part_start[p]; q + 1 < g.part_start[p + 1]; q++)
                s += g.xy[2 * q] * g.xy[2 * q + 3] - g.xy[2 * q + 2] * g.xy[2 * q + 1];
            merc += (g.ring_outer[p] ? 1 : -1) * (s < 0 ? -s : s) / 2;
            holes += !g.ring_outer[p];
        }
        double ratio = merc / a.d;
        if (ratio < 1.02 || ratio > 1.06)
            fail_msg("feature %u: area_m2 %.1f vs %.1f in EPSG:3857", i, a.d, merc);
    }
    assert_true(seen[3] > 0 && seen[7] > 0 && seen[8] > 0 && seen[0] + seen[1] > 0);
    assert_true(holes > 0); /* ponds / enclaves */
    assert_true(fx->rep_a.n_multipolygons > 0);
    lyr_snapshot_release(z);
}

static void test_road_classes(void **state)
{
    fixture *fx = *state;
    lyr_snapshot *r = load(fx->a, "roads");
    static const char *const classes[7] = {"motorway", "trunk",       "primary",     "secondary",
                                           "tertiary", "residential", "unclassified"};
    size_t cls_seen[7] = {0};
    int cf = field(r, "class");
    for (uint32_t i = 0; i < lyr_snapshot_count(r); i++) {
        const char *c = lyr_snapshot_str(r, i, cf);
        int k = -1;
        for (int j = 0; j < 7; j++)
            if (strcmp(c, classes[j]) == 0)
                k = j;
        if (k < 0)
            fail_msg("road %u: class '%s'", i, c);
        cls_seen[k]++;
    }
    for (int j = 0; j < 6; j++) /* unclassified needs rural blocks: not guaranteed */
        if (!cls_seen[j])
            fail_msg("no %s road", classes[j]);
    lyr_snapshot_release(r);
}

/* Every zoning polygon is valid (checked with GEOS on the EPSG:3857 rings). */
static void test_zoning_valid(void **state)
{
    fixture *fx = *state;
    lyr_snapshot *z = load(fx->a, "zoning");
    GEOSContextHandle_t h = GEOS_init_r();
    for (uint32_t i = 0; i < lyr_snapshot_count(z); i++) {
        lyr_geom_view g;
        lyr_snapshot_geom(z, i, &g);
        GEOSGeometry **polys = calloc(g.n_parts, sizeof *polys);
        unsigned np = 0;
        for (uint32_t p = 0; p < g.n_parts;) {
            uint32_t q = p + 1;
            while (q < g.n_parts && !g.ring_outer[q])
                q++;
            GEOSGeometry *rings[64];
            assert_true(q - p <= 64);
            for (uint32_t k = p; k < q; k++) {
                uint32_t a = g.part_start[k], b = g.part_start[k + 1];
                GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, g.xy + 2 * a, b - a, 0, 0);
                rings[k - p] = GEOSGeom_createLinearRing_r(h, cs);
                assert_non_null(rings[k - p]);
            }
            polys[np++] = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, q - p - 1);
            p = q;
        }
        GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, np);
        if (GEOSisValid_r(h, mp) != 1) {
            char *why = GEOSisValidReason_r(h, mp), msg[256];
            snprintf(msg, sizeof msg, "%s", why ? why : "?");
            GEOSFree_r(h, why);
            fail_msg("zoning feature %u invalid: %s", i, msg);
        }
        GEOSGeom_destroy_r(h, mp);
        free(polys);
    }
    GEOS_finish_r(h);
    lyr_snapshot_release(z);
}

/* Determinism ------------------------------------------------------------------------------ */

/* 1 if the two snapshots hold the same features (coordinates and attributes). */
static int same_layer(const lyr_snapshot *s, const lyr_snapshot *t)
{
    size_t n = lyr_snapshot_count(s), nf = lyr_snapshot_n_fields(s);
    if (n != lyr_snapshot_count(t) || nf != lyr_snapshot_n_fields(t))
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        lyr_geom_view a, b;
        lyr_snapshot_geom(s, i, &a);
        lyr_snapshot_geom(t, i, &b);
        if (a.n_parts != b.n_parts ||
            memcmp(a.part_start, b.part_start, (a.n_parts + 1) * sizeof(uint32_t)) != 0)
            return 0;
        size_t np = a.part_start[a.n_parts] - a.part_start[0];
        if (memcmp(a.xy + 2 * a.part_start[0], b.xy + 2 * b.part_start[0],
                   2 * np * sizeof(double)) != 0)
            return 0;
        for (size_t f = 0; f < nf; f++) {
            lyr_value u, v;
            lyr_snapshot_value(s, i, (int)f, &u);
            lyr_snapshot_value(t, i, (int)f, &v);
            if (u.is_null != v.is_null || u.i != v.i || memcmp(&u.d, &v.d, sizeof u.d) != 0 ||
                (u.s == NULL) != (v.s == NULL) || (u.s && strcmp(u.s, v.s) != 0))
                return 0;
        }
    }
    return 1;
}

static void test_determinism(void **state)
{
    fixture *fx = *state;
    for (int i = 0; i < 5; i++) {
        lyr_snapshot *a = load(fx->a, WANT[i].name), *b = load(fx->b, WANT[i].name);
        if (!same_layer(a, b))
            fail_msg("layer %s differs between two runs with seed 42", WANT[i].name);
        lyr_snapshot_release(a);
        lyr_snapshot_release(b);
    }
    lyr_snapshot *a = load(fx->a, "zoning"), *c = load(fx->c, "zoning");
    assert_false(same_layer(a, c)); /* another seed, another fabric */
    lyr_snapshot_release(a);
    lyr_snapshot_release(c);
    a = load(fx->a, "districts"); /* the geography does not depend on the seed */
    c = load(fx->c, "districts");
    assert_true(same_layer(a, c));
    lyr_snapshot_release(a);
    lyr_snapshot_release(c);
}

static void test_progress(void **state)
{
    fixture *fx = *state;
    assert_true(fx->prog.calls >= 10);
    assert_int_equal(fx->prog.bad, 0);
    assert_true(fx->prog.saw_zoning && fx->prog.saw_roads);
}

/* Bad input -------------------------------------------------------------------------------- */

static void test_parse_scale(void **state)
{
    (void)state;
    imp_demo_scale sc = IMP_DEMO_SMALL;
    tl_err err = TL_ERR_INIT;
    assert_int_equal(imp_demo_parse_scale("medium", &sc, &err), 0);
    assert_int_equal(sc, IMP_DEMO_MEDIUM);
    assert_int_equal(imp_demo_parse_scale("large", &sc, &err), 0);
    assert_int_equal(sc, IMP_DEMO_LARGE);
    assert_int_equal(err.code, TL_OK);
    assert_int_equal(imp_demo_parse_scale("huge", &sc, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, "'huge'"));
    assert_int_equal(sc, IMP_DEMO_LARGE); /* untouched on failure */
}

static void test_bad_options(void **state)
{
    fixture *fx = *state;
    tl_err err = TL_ERR_INIT;
    imp_demo_opts o = {(imp_demo_scale)7, 1, 0, NULL, NULL};
    assert_int_equal(imp_demo_write(fx->a, &o, NULL, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, "scale 7"));
    tl_err_clear(&err);
    o.scale = IMP_DEMO_SMALL;
    o.n_parcels = 100000000;
    assert_int_equal(imp_demo_write(fx->a, &o, NULL, &err), -1);
    assert_int_equal(err.code, TL_ETOOBIG);
    assert_non_null(strstr(err.msg, "100000000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers_and_fields), cmocka_unit_test(test_parks_and_districts),
        cmocka_unit_test(test_zoning_values),     cmocka_unit_test(test_road_classes),
        cmocka_unit_test(test_zoning_valid),      cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_progress),          cmocka_unit_test(test_parse_scale),
        cmocka_unit_test(test_bad_options),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    GDALDestroy();
    return rc;
}
