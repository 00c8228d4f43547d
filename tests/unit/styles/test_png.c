/* test_png.c: PNG encoding into bounded buffers and decoding (styles/png.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "styles/styles.h"

/* A w x h test image with every kind of pixel: opaque, translucent, transparent (with and
 * without colour), gradients. Rows are `stride` bytes apart. */
static uint8_t *make_image(int w, int h, size_t stride)
{
    uint8_t *img = calloc((size_t)h, stride);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint8_t *p = img + (size_t)y * stride + 4 * (size_t)x;
            p[0] = (uint8_t)(x * 7 + y);
            p[1] = (uint8_t)(y * 13);
            p[2] = (uint8_t)(x ^ y);
            p[3] = (uint8_t)((x + y) % 5 == 0 ? 0 : (x * 31 + y * 17) % 256);
        }
    }
    return img;
}

static void test_roundtrip_exact(void **state)
{
    (void)state;
    const int w = 37, h = 23;
    const size_t stride = 37 * 4 + 12; /* padded rows */
    uint8_t *img = make_image(w, h, stride);
    tl_buf out;
    tl_buf_init(&out, 1 << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_encode_rgba(img, w, h, stride, &out, &err), 0);
    assert_true(out.len > 8);
    assert_memory_equal(out.data, "\x89PNG\r\n\x1a\n", 8);

    uint8_t *back = NULL;
    int bw = 0, bh = 0;
    assert_int_equal(sty_png_decode_rgba(out.data, out.len, &back, &bw, &bh, &err), 0);
    assert_int_equal(bw, w);
    assert_int_equal(bh, h);
    for (int y = 0; y < h; y++)
        assert_memory_equal(back + (size_t)y * w * 4, img + (size_t)y * stride, (size_t)w * 4);
    free(back);
    free(img);
    tl_buf_free(&out);
}

static void test_deterministic(void **state)
{
    (void)state;
    uint8_t *img = make_image(64, 64, 256);
    tl_buf a, b;
    tl_buf_init(&a, 1 << 20);
    tl_buf_init(&b, 1 << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_encode_rgba(img, 64, 64, 256, &a, &err), 0);
    assert_int_equal(sty_png_encode_rgba(img, 64, 64, 256, &b, &err), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    free(img);
    tl_buf_free(&a);
    tl_buf_free(&b);
}

static void test_transparent_is_small(void **state)
{
    (void)state;
    for (int side = 256; side <= 512; side *= 2) {
        uint8_t *img = calloc((size_t)side * side, 4);
        tl_buf out;
        tl_buf_init(&out, 1 << 20);
        tl_err err = TL_ERR_INIT;
        assert_int_equal(sty_png_encode_rgba(img, side, side, (size_t)side * 4, &out, &err), 0);
        assert_true(out.len < 400);
        uint8_t *back = NULL;
        int bw = 0, bh = 0;
        assert_int_equal(sty_png_decode_rgba(out.data, out.len, &back, &bw, &bh, &err), 0);
        assert_int_equal(bw, side);
        assert_int_equal(bh, side);
        assert_memory_equal(back, img, (size_t)side * side * 4);
        free(back);
        free(img);
        tl_buf_free(&out);
    }
}

static void test_output_limit(void **state)
{
    (void)state;
    uint8_t *img = make_image(64, 64, 256);
    tl_buf out;
    tl_buf_init(&out, 300);
    assert_int_equal(tl_buf_add(&out, "keep", 4, NULL), 0);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_encode_rgba(img, 64, 64, 256, &out, &err), -1);
    assert_int_equal(err.code, TL_ETOOBIG);
    assert_int_equal(out.len, 4); /* what was there before stays, nothing else */
    assert_memory_equal(out.data, "keep", 4);
    free(img);
    tl_buf_free(&out);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t px[4] = {0};
    tl_buf out;
    tl_buf_init(&out, 1 << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_encode_rgba(px, 0, 1, 4, &out, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    tl_err_clear(&err);
    assert_int_equal(sty_png_encode_rgba(px, 2, 1, 4, &out, &err), -1); /* stride < w*4 */
    assert_int_equal(err.code, TL_EINVAL);
    assert_int_equal(out.len, 0);
    tl_buf_free(&out);
}

static void test_garbage_fails_with_message(void **state)
{
    (void)state;
    static const uint8_t junk[] = "this is not a PNG at all, just some bytes";
    uint8_t *back = (uint8_t *)1;
    int w = 0, h = 0;
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_decode_rgba(junk, sizeof junk, &back, &w, &h, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    assert_null(back);
    assert_non_null(strstr(err.msg, "PNG"));
    assert_true(strlen(err.msg) > 20); /* says why, not just "failed" */
}

static void test_truncated_fails(void **state)
{
    (void)state;
    uint8_t *img = make_image(64, 64, 256);
    tl_buf out;
    tl_buf_init(&out, 1 << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_encode_rgba(img, 64, 64, 256, &out, &err), 0);
    uint8_t *back = NULL;
    int w = 0, h = 0;
    assert_int_equal(sty_png_decode_rgba(out.data, out.len / 2, &back, &w, &h, &err), -1);
    assert_int_equal(err.code, TL_EINVAL);
    assert_null(back);
    assert_true(err.msg[0] != '\0');
    free(img);
    tl_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_exact),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_transparent_is_small),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_garbage_fails_with_message),
        cmocka_unit_test(test_truncated_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
