/* test_rtree.c: the packed Hilbert R-tree finds exactly what a brute-force scan finds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "layers/layers_int.h"

static uint64_t rng = 88172645463325252ULL;
static double rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct {
    uint8_t *seen;
    size_t n;
} seen_ctx;

static int mark(void *ud, uint32_t id)
{
    seen_ctx *s = ud;
    s->seen[id]++;
    s->n++;
    return 0;
}

static void check_sizes(size_t n)
{
    tl_bbox *b = malloc((n + 1) * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        double x = rnd() * 1000, y = rnd() * 1000, w = rnd() * 20, h = rnd() * 20;
        b[i] = (tl_bbox){x, y, x + w, y + h};
    }
    lyr_rtree t;
    lyr__rtree_build(&t, b, n);
    uint8_t *seen = calloc(n + 1, 1);
    for (int q = 0; q < 200; q++) {
        double x = rnd() * 1000, y = rnd() * 1000, s = rnd() * 150;
        tl_bbox qb = {x, y, x + s, y + s};
        memset(seen, 0, n + 1);
        seen_ctx ctx = {seen, 0};
        lyr__rtree_search(&t, &qb, mark, &ctx);
        size_t expect = 0;
        for (size_t i = 0; i < n; i++) {
            int hit = tl_bbox_intersects(&b[i], &qb);
            expect += (size_t)hit;
            assert_int_equal(seen[i], hit); /* each hit exactly once, no false hits */
        }
        assert_int_equal(ctx.n, expect);
    }
    lyr__rtree_free(&t);
    free(seen);
    free(b);
}

static void test_brute_force_agreement(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 2, 15, 16, 17, 255, 256, 257, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_sizes(sizes[i]);
}

static int stop_at_3(void *ud, uint32_t id)
{
    (void)id;
    return ++*(int *)ud == 3 ? 7 : 0;
}

static void test_early_stop(void **state)
{
    (void)state;
    tl_bbox b[100];
    for (int i = 0; i < 100; i++)
        b[i] = (tl_bbox){i, 0, i + 1, 1};
    lyr_rtree t;
    lyr__rtree_build(&t, b, 100);
    tl_bbox q = {-10, -10, 200, 200};
    int count = 0;
    assert_int_equal(lyr__rtree_search(&t, &q, stop_at_3, &count), 7);
    assert_int_equal(count, 3);
    tl_bbox miss = {500, 500, 600, 600};
    count = 0;
    assert_int_equal(lyr__rtree_search(&t, &miss, stop_at_3, &count), 0);
    assert_int_equal(count, 0);
    lyr__rtree_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brute_force_agreement),
        cmocka_unit_test(test_early_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
