/* test_filter.c: the filter expression tree (styles/filter.c) against fake features. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "styles/styles_int.h"

/* A fake feature: one value per property slot. */
typedef struct fake {
    lyr_value v[8];
    lyr_field_type t[8];
    int present[8];
} fake;

static void fake_get(void *ctx, int slot, lyr_value *v, lyr_field_type *t)
{
    fake *f = ctx;
    if (slot < 0 || slot >= 8 || !f->present[slot]) {
        memset(v, 0, sizeof *v);
        v->is_null = 1;
        *t = LYR_FIELD_STRING;
        return;
    }
    *v = f->v[slot];
    *t = f->t[slot];
}

static void set_str(fake *f, int slot, const char *s)
{
    memset(&f->v[slot], 0, sizeof f->v[slot]);
    f->v[slot].s = s;
    f->v[slot].is_null = s == NULL;
    f->t[slot] = LYR_FIELD_STRING;
    f->present[slot] = 1;
}

static void set_int(fake *f, int slot, int64_t i)
{
    memset(&f->v[slot], 0, sizeof f->v[slot]);
    f->v[slot].i = i;
    f->t[slot] = LYR_FIELD_INT;
    f->present[slot] = 1;
}

static void set_real(fake *f, int slot, double d)
{
    memset(&f->v[slot], 0, sizeof f->v[slot]);
    f->v[slot].d = d;
    f->t[slot] = LYR_FIELD_REAL;
    f->present[slot] = 1;
}

static sty_filter *leaf1(sty_style *s, sty_filter_op op, const char *prop, const char *lit)
{
    return sty__filter_leaf(s, op, prop, &lit, 1);
}

static int eval(const sty_filter *f, fake *ft)
{
    return sty__filter_eval(f, fake_get, ft);
}

static void test_equal_text_and_case(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_filter *eq = leaf1(s, STY_F_EQ, "zone_code", "R1");
    sty_filter *ne = leaf1(s, STY_F_NE, "zone_code", "R1");
    assert_int_equal(eq->prop, 0); /* first property: slot 0 */
    fake f = {0};
    set_str(&f, 0, "R1");
    assert_true(eval(eq, &f));
    assert_false(eval(ne, &f));
    set_str(&f, 0, "r1");
    assert_false(eval(eq, &f));
    eq->match_case = 0;
    assert_true(eval(eq, &f));
    set_str(&f, 0, "R10");
    assert_false(eval(eq, &f));
    set_str(&f, 0, NULL); /* null: comparisons are false either way */
    assert_false(eval(eq, &f));
    assert_false(eval(ne, &f));
    sty_style_release(s);
}

static void test_in_list(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    const char *minor[] = {"secondary", "tertiary", "residential", "unclassified"};
    sty_filter *in = sty__filter_leaf(s, STY_F_IN, "class", minor, 4);
    fake f = {0};
    set_str(&f, 0, "residential");
    assert_true(eval(in, &f));
    set_str(&f, 0, "motorway");
    assert_false(eval(in, &f));
    f.present[0] = 0; /* missing field */
    assert_false(eval(in, &f));
    sty_style_release(s);
}

static void test_numeric_comparisons(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_filter *lt = leaf1(s, STY_F_LT, "area", "1000");
    sty_filter *ge = leaf1(s, STY_F_GE, "area", "1000");
    sty_filter *eq = leaf1(s, STY_F_EQ, "area", "1000");
    const char *range[] = {"10", "20.5"};
    sty_filter *bt = sty__filter_leaf(s, STY_F_BETWEEN, "area", range, 2);
    fake f = {0};
    set_int(&f, 0, 999);
    assert_true(eval(lt, &f));
    assert_false(eval(ge, &f));
    set_int(&f, 0, 1000);
    assert_false(eval(lt, &f));
    assert_true(eval(ge, &f));
    assert_true(eval(eq, &f));
    set_real(&f, 0, 1000.0);
    assert_true(eval(eq, &f));
    set_real(&f, 0, 20.5);
    assert_true(eval(bt, &f));
    set_real(&f, 0, 20.6);
    assert_false(eval(bt, &f));
    set_int(&f, 0, 10);
    assert_true(eval(bt, &f));
    /* numbers held as text compare as numbers: "9" < "1000" */
    set_str(&f, 0, "9");
    assert_true(eval(lt, &f));
    set_str(&f, 0, "1000.0");
    assert_true(eval(eq, &f));
    /* a text literal never equals a number */
    sty_filter *txt = leaf1(s, STY_F_EQ, "area", "big");
    set_int(&f, 0, 5);
    assert_false(eval(txt, &f));
    assert_false(eval(leaf1(s, STY_F_LT, "area", "big"), &f));
    sty_style_release(s);
}

static void test_dates_order_as_text(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_filter *before = leaf1(s, STY_F_LT, "approved", "2020-01-01");
    fake f = {0};
    set_str(&f, 0, "2019-12-31");
    f.t[0] = LYR_FIELD_DATE;
    assert_true(eval(before, &f));
    set_str(&f, 0, "2020-01-02");
    f.t[0] = LYR_FIELD_DATE;
    assert_false(eval(before, &f));
    sty_style_release(s);
}

static void test_like(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_filter *k = leaf1(s, STY_F_LIKE, "name", "KCN*Bàu?Bàng*");
    fake f = {0};
    set_str(&f, 0, "KCN Bàu Bàng mở rộng");
    assert_true(eval(k, &f));
    set_str(&f, 0, "KCN Bàu Bàng");
    assert_true(eval(k, &f));
    set_str(&f, 0, "KCN Bàu  Bàng"); /* ? is exactly one character */
    assert_false(eval(k, &f));
    set_str(&f, 0, "kcn bàu bàng");
    assert_false(eval(k, &f));
    k->match_case = 0;
    assert_true(eval(k, &f));
    /* ? matches one UTF-8 character, not one byte */
    sty_filter *one = leaf1(s, STY_F_LIKE, "name", "B?u");
    set_str(&f, 0, "Bàu");
    assert_true(eval(one, &f));
    /* escaped wildcard is literal */
    sty_filter *esc = leaf1(s, STY_F_LIKE, "name", "100\\*");
    set_str(&f, 0, "100*");
    assert_true(eval(esc, &f));
    set_str(&f, 0, "1000");
    assert_false(eval(esc, &f));
    /* numbers are matched by their text */
    sty_filter *num = leaf1(s, STY_F_LIKE, "name", "12*");
    set_int(&f, 0, 12345);
    assert_true(eval(num, &f));
    /* pathological pattern stays fast (no exponential backtracking) */
    sty_filter *slow = leaf1(s, STY_F_LIKE, "name", "*a*a*a*a*a*a*a*a*b");
    set_str(&f, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_false(eval(slow, &f));
    sty_style_release(s);
}

static void test_null_and_logic(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_filter *isnull = sty__filter_leaf(s, STY_F_ISNULL, "status", NULL, 0);
    sty_filter *planned = leaf1(s, STY_F_EQ, "status", "planned");
    sty_filter *big = leaf1(s, STY_F_GT, "area_ha", "100");
    sty_filter *both[] = {planned, big};
    sty_filter *and = sty__filter_logic(s, STY_F_AND, both, 2);
    sty_filter *or = sty__filter_logic(s, STY_F_OR, both, 2);
    sty_filter *not = sty__filter_logic(s, STY_F_NOT, &planned, 1);
    fake f = {0};
    set_str(&f, 0, "planned");
    set_real(&f, 1, 50);
    assert_false(eval(isnull, &f));
    assert_false(eval(and, &f));
    assert_true(eval(or, &f));
    assert_false(eval(not, &f));
    set_real(&f, 1, 150);
    assert_true(eval(and, &f));
    set_str(&f, 0, NULL);
    assert_true(eval(isnull, &f));
    assert_true(eval(not, &f)); /* not (null = 'planned') */
    assert_true(eval(or, &f));
    f.present[0] = 0;
    assert_true(eval(isnull, &f)); /* a missing field is null */
    sty_style_release(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_text_and_case), cmocka_unit_test(test_in_list),
        cmocka_unit_test(test_numeric_comparisons), cmocka_unit_test(test_dates_order_as_text),
        cmocka_unit_test(test_like),                cmocka_unit_test(test_null_and_logic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
