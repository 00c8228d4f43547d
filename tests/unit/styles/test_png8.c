/* test_png8.c: the palette PNG encoder (styles/png8.c): exact when the image has at most
 * 256 colours, the style's colours exact when it has more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "styles/styles_int.h"

#define W 64
#define H 64

static uint8_t *decode(const tl_buf *b)
{
    uint8_t *px = NULL;
    int w = 0, h = 0;
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty_png_decode_rgba(b->data, b->len, &px, &w, &h, &err), 0);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_int_equal(b->data[25], 3); /* colour type: palette */
    return px;
}

static void test_few_colours_exact(void **state)
{
    (void)state;
    uint8_t img[W * H * 4];
    for (int i = 0; i < W * H; i++) { /* 200 colours, some translucent, some transparent */
        int c = i % 200;
        uint8_t px[4] = {(uint8_t)c, (uint8_t)(255 - c), (uint8_t)(c * 7), (uint8_t)(c < 5 ? 0 : 40 + c)};
        if (px[3] == 0)
            px[0] = px[1] = px[2] = 0;
        memcpy(img + 4 * i, px, 4);
    }
    tl_buf b;
    tl_buf_init(&b, 1u << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty__png8_encode(img, W, H, W * 4, NULL, 0, 6, &b, &err), 0);
    uint8_t *out = decode(&b);
    assert_memory_equal(out, img, sizeof img);
    free(out);
    tl_buf_free(&b);
}

static void test_style_colours_survive_many(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_rule *r = sty__rule_add(s, sty__fts_add(s, NULL), NULL);
    sty_symbolizer *y = sty__sym_add(s, r, STY_SYM_POLYGON);
    y->fill.enabled = 1;
    y->fill.color = sty__rgb(0xf7e08b);
    y = sty__sym_add(s, r, STY_SYM_POLYGON);
    y->fill.enabled = 1;
    y->fill.color = sty__rgb(0xf7e08c); /* one step away: a quantizer would merge them */
    sty__style_finish(s);
    uint8_t img[W * H * 4];
    for (int i = 0; i < W * H; i++) { /* 4096 distinct colours, then the two fills */
        uint8_t px[4] = {(uint8_t)(i & 63) * 4, (uint8_t)(i >> 6) * 4, (uint8_t)(i * 13), 255};
        if (i % 7 == 0)
            memcpy(px, (uint8_t[]){0xf7, 0xe0, 0x8b, 255}, 4);
        if (i % 11 == 0)
            memcpy(px, (uint8_t[]){0xf7, 0xe0, 0x8c, 255}, 4);
        memcpy(img + 4 * i, px, 4);
    }
    const sty_style *st[1] = {s};
    tl_buf b;
    tl_buf_init(&b, 1u << 20);
    tl_err err = TL_ERR_INIT;
    assert_int_equal(sty__png8_encode(img, W, H, W * 4, st, 1, 6, &b, &err), 0);
    uint8_t *out = decode(&b);
    long total = 0;
    for (int i = 0; i < W * H; i++) {
        if (i % 7 == 0 || i % 11 == 0)
            assert_memory_equal(out + 4 * i, img + 4 * i, 4);
        for (int c = 0; c < 4; c++)
            total += abs(out[4 * i + c] - img[4 * i + c]);
    }
    assert_true(total / (W * H * 4) < 12); /* the rest: close on average */
    free(out);
    tl_buf_free(&b);
    sty_style_release(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_few_colours_exact),
        cmocka_unit_test(test_style_colours_survive_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
