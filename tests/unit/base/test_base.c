/* test_base.c: arena, bounded buffer, error formatting, number parsing, tile math. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_err.h"
#include "tiled/base/tl_geo.h"
#include "tiled/base/tl_util.h"

static void test_arena(void **state)
{
    (void)state;
    tl_arena a;
    tl_arena_init(&a, 1024);
    char *p = tl_arena_alloc(&a, 10);
    char *q = tl_arena_alloc(&a, 10);
    assert_true(((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0);
    assert_true(q >= p + 10);
    memset(p, 1, 10);
    char *big = tl_arena_alloc(&a, 100000); /* its own chunk */
    memset(big, 2, 100000);
    assert_int_equal(p[9], 1);
    assert_string_equal(tl_arena_strdup(&a, "Thủ Dầu Một"), "Thủ Dầu Một");
    int *z = tl_arena_calloc(&a, 100, sizeof(int));
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    assert_true(tl_arena_used(&a) >= 100000 + 20 + 400);
    tl_arena_reset(&a);
    assert_int_equal(tl_arena_used(&a), 0);
    for (int i = 0; i < 1000; i++)
        tl_arena_alloc(&a, 100);
    tl_arena_free(&a);
}

static void test_buf_limit(void **state)
{
    (void)state;
    tl_buf b;
    tl_err err = TL_ERR_INIT;
    tl_buf_init(&b, 16);
    assert_int_equal(tl_buf_add(&b, "0123456789", 10, &err), 0);
    assert_int_equal(tl_buf_addf(&b, &err, "%d", 12345), 0);
    assert_string_equal((char *)b.data, "012345678912345");
    assert_int_equal(tl_buf_add(&b, "xy", 2, &err), -1);
    assert_int_equal(err.code, TL_ETOOBIG);
    assert_non_null(strstr(err.msg, "16 bytes"));
    assert_int_equal(b.len, 15); /* unchanged by the failed add */
    size_t n;
    unsigned char *d = tl_buf_take(&b, &n);
    assert_int_equal(n, 15);
    free(d);
    assert_null(b.data);
    tl_buf_free(&b);
}

static void test_err(void **state)
{
    (void)state;
    tl_err err = TL_ERR_INIT;
    TL_FAIL(&err, TL_EINVAL, "ring %d self-intersects\nat (%.2f, %.2f)", 3, 106.65, 10.98);
    assert_int_equal(err.code, TL_EINVAL);
    assert_string_equal(err.msg, "ring 3 self-intersects at (106.65, 10.98)");
    assert_string_equal(err.where, "test_err");
    TL_FAIL(&err, TL_ESTORE, "second failure"); /* the first one wins */
    assert_int_equal(err.code, TL_EINVAL);
    tl_err_prefix(&err, "layer %s: ", "zoning");
    assert_string_equal(err.msg, "layer zoning: ring 3 self-intersects at (106.65, 10.98)");
    assert_int_equal(tl_code_exit(TL_EINVAL), 2);
    assert_int_equal(tl_code_exit(TL_ESTORE), 3);
    assert_string_equal(tl_code_name(TL_ENOTFOUND), "ENOTFOUND");
    char longp[400];
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    tl_err_prefix(&err, "%s", longp); /* a long prefix is cut; the root cause survives */
    assert_true(strlen(err.msg) < sizeof err.msg);
    assert_non_null(strstr(err.msg, "xlayer zoning: ring 3 self-intersects at (106.65, 10.98)"));
}

static void test_parse(void **state)
{
    (void)state;
    tl_err err = TL_ERR_INIT;
    int64_t v;
    assert_int_equal(tl_parse_i64("42", 0, 100, &v, &err), 0);
    assert_int_equal(v, 42);
    const char *bad[] = {"", "4x", "x4", " 4", "4 ", "1e3", "0x10", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_err_clear(&err);
        assert_int_equal(tl_parse_i64(bad[i], -10, 100, &v, &err), -1);
        assert_int_equal(err.code, TL_EINVAL);
    }
    tl_err_clear(&err);
    assert_int_equal(tl_parse_i64("101", 0, 100, &v, &err), -1);
    assert_non_null(strstr(err.msg, "out of range [0, 100]"));
    tl_err_clear(&err);
    assert_int_equal(tl_parse_i64("99999999999999999999999", 0, INT64_MAX, &v, &err), -1);
    assert_int_equal(tl_parse_i64n("1234", 2, 0, 100, &v, &err), 0);
    assert_int_equal(v, 12);
    double d;
    assert_int_equal(tl_parse_double("106.65", &d, &err), 0);
    assert_float_equal(d, 106.65, 1e-12);
    tl_err_clear(&err);
    assert_int_equal(tl_parse_double("nan", &d, &err), -1);
    assert_int_equal(tl_parse_double("1e999", &d, &err), -1);
}

static void test_tiles(void **state)
{
    (void)state;
    tl_bbox b = tl_tile_bbox(0, 0, 0);
    assert_float_equal(b.minx, -TL_MERC_HALF, 1e-6);
    assert_float_equal(b.maxy, TL_MERC_HALF, 1e-6);
    b = tl_tile_bbox(1, 1, 1);
    assert_float_equal(b.minx, 0, 1e-6);
    assert_float_equal(b.maxy, 0, 1e-6);
    /* OGC scale denominators of 256 px tiles: z10 ~545979, z17 ~4265 */
    assert_float_equal(tl_tile_scale_denom(10), 545978.77, 0.01);
    assert_float_equal(tl_tile_scale_denom(17), 4265.46, 0.01);
    double x, y, lon, lat;
    tl_lonlat_to_merc(106.65, 10.98, &x, &y);
    assert_float_equal(x, 11872223.69, 0.01);
    tl_merc_to_lonlat(x, y, &lon, &lat);
    assert_float_equal(lon, 106.65, 1e-9);
    assert_float_equal(lat, 10.98, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena), cmocka_unit_test(test_buf_limit), cmocka_unit_test(test_err),
        cmocka_unit_test(test_parse), cmocka_unit_test(test_tiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
