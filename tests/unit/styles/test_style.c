/* test_style.c: the style model (styles/style.c) and the built-in cartography
 * (styles/builtin.c): rules per scale, hashes, reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "styles/styles_int.h"

/* Scale denominators of 256 px tiles (OGC 0.28 mm pixel). */
static double denom(int z)
{
    return tl_tile_scale_denom(z);
}

/* The active rules of feature-type-style f at zoom z. */
static size_t n_active(const sty_fts *f, int z)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_rules; i++)
        n += sty__rule_active(f->rules[i], denom(z));
    return n;
}

/* The first active rule of `f` at zoom z whose EQ filter literal is `value`. */
static const sty_rule *active_rule(const sty_fts *f, int z, const char *value)
{
    for (size_t i = 0; i < f->n_rules; i++) {
        const sty_rule *r = f->rules[i];
        if (sty__rule_active(r, denom(z)) && r->filter && r->filter->op == STY_F_EQ &&
            strcmp(r->filter->lits[0].s, value) == 0)
            return r;
    }
    return NULL;
}

static void test_zoning(void **state)
{
    (void)state;
    sty_style *s = sty_style_builtin("zoning", LYR_GEOM_POLYGON);
    assert_int_equal(s->n_fts, 1);
    assert_int_equal(s->fts[0]->n_rules, 27);
    assert_int_equal(s->n_props, 1);
    assert_string_equal(s->props[0], "zone_code");
    for (int z = 8; z <= 20; z++)
        assert_int_equal(n_active(s->fts[0], z), 9); /* one band per zone at every scale */

    const sty_rule *r = active_rule(s->fts[0], 12, "R1");
    assert_non_null(r);
    assert_int_equal(r->n_syms, 1);
    const sty_symbolizer *y = r->syms[0];
    assert_int_equal(y->kind, STY_SYM_POLYGON);
    assert_true(y->fill.enabled);
    assert_int_equal(y->fill.color.r, 0xf7);
    assert_int_equal(y->fill.color.g, 0xe0);
    assert_int_equal(y->fill.color.b, 0x8b);
    assert_false(y->stroke.enabled); /* no outline above 48250 */

    y = active_rule(s->fts[0], 14, "IND")->syms[0];
    assert_true(y->stroke.enabled);
    assert_true(y->stroke.width == 0.5);
    assert_int_equal(y->stroke.color.r, 0x7d);
    y = active_rule(s->fts[0], 16, "W")->syms[0];
    assert_true(y->stroke.width == 0.8);
    assert_int_equal(y->fill.color.b, 0xec);
    sty_style_release(s);
}

static void test_industrial_parks_dashes(void **state)
{
    (void)state;
    sty_style *s = sty_style_builtin("industrial_parks", LYR_GEOM_POLYGON);
    const sty_fts *f = s->fts[0];
    const sty_symbolizer *y = active_rule(f, 11, "planned")->syms[0];
    assert_true(y->stroke.width == 1.5);
    assert_int_equal(y->stroke.n_dash, 2);
    assert_true(y->stroke.dash[0] == 6 && y->stroke.dash[1] == 4);
    assert_int_equal(y->stroke.cap, STY_CAP_BUTT);
    assert_true(y->fill.opacity == 0.12);
    y = active_rule(f, 12, "planned")->syms[0];
    assert_true(y->stroke.width == 2.5);
    assert_true(y->stroke.dash[0] == 8 && y->stroke.dash[1] == 5);
    y = active_rule(f, 14, "established")->syms[0];
    assert_int_equal(y->stroke.n_dash, 0);
    assert_int_equal(y->stroke.cap, STY_CAP_ROUND);
    assert_true(y->fill.opacity == 0.18);
    assert_int_equal(y->fill.color.r, 0x7b);
    sty_style_release(s);
}

static void test_roads_bands(void **state)
{
    (void)state;
    sty_style *s = sty_style_builtin("roads", LYR_GEOM_LINE);
    assert_int_equal(s->n_fts, 3); /* minor first, then major, then the names */
    assert_int_equal(n_active(s->fts[2], 15), 0);
    assert_int_equal(n_active(s->fts[2], 16), 1);
    assert_int_equal(s->fts[2]->rules[0]->syms[0]->kind, STY_SYM_TEXT);
    assert_true(s->fts[2]->rules[0]->syms[0]->text->along_line);
    const sty_fts *minor = s->fts[0], *major = s->fts[1];
    assert_int_equal(n_active(minor, 11), 0);
    assert_int_equal(n_active(minor, 12), 1); /* secondary only */
    assert_int_equal(n_active(minor, 13), 2); /* + tertiary */
    assert_int_equal(n_active(minor, 14), 4);
    assert_int_equal(n_active(minor, 17), 4);
    assert_int_equal(n_active(major, 10), 3);
    assert_true(active_rule(major, 11, "motorway")->syms[0]->stroke.width == 2);
    assert_true(active_rule(major, 12, "motorway")->syms[0]->stroke.width == 3);
    assert_true(active_rule(major, 13, "trunk")->syms[0]->stroke.width == 2.6);
    assert_true(active_rule(major, 15, "primary")->syms[0]->stroke.width == 4);
    assert_true(active_rule(major, 16, "motorway")->syms[0]->stroke.width == 10);
    assert_true(active_rule(minor, 13, "tertiary")->syms[0]->stroke.width == 0.8);
    assert_true(active_rule(minor, 16, "unclassified")->syms[0]->stroke.width == 2);
    assert_int_equal(active_rule(minor, 16, "unclassified")->syms[0]->stroke.color.b, 0xee);
    sty_style_release(s);
}

static void test_green_and_districts(void **state)
{
    (void)state;
    sty_style *g = sty_style_builtin("green_spaces", LYR_GEOM_POLYGON);
    assert_int_equal(n_active(g->fts[0], 11), 0);
    assert_int_equal(n_active(g->fts[0], 12), 1);
    assert_true(g->fts[0]->rules[0]->syms[0]->fill.opacity == 0.55);
    sty_style *d = sty_style_builtin("districts", LYR_GEOM_POLYGON);
    const sty_fts *f = d->fts[0];
    assert_int_equal(n_active(f, 12), 1);
    const sty_rule *r = f->rules[0];
    assert_true(sty__rule_active(r, denom(12)));
    assert_false(r->syms[0]->fill.enabled);
    assert_int_equal(r->syms[0]->stroke.n_dash, 4);
    assert_true(r->syms[0]->stroke.width == 1.2);
    assert_true(sty__rule_active(f->rules[1], denom(13)));
    assert_true(f->rules[1]->syms[0]->stroke.dash[0] == 10);
    sty_style_release(g);
    sty_style_release(d);
}

static void test_scale_bounds(void **state)
{
    (void)state;
    sty_style *s = sty__style_new("t");
    sty_rule *r = sty__rule_add(s, sty__fts_add(s, NULL), NULL);
    r->min_scale = 1000;
    r->max_scale = 2000;
    assert_false(sty__rule_active(r, 999.9));
    assert_true(sty__rule_active(r, 1000)); /* min inclusive */
    assert_true(sty__rule_active(r, 1999.9));
    assert_false(sty__rule_active(r, 2000)); /* max exclusive */
    sty_style_release(s);
}

static void test_defaults_by_kind(void **state)
{
    (void)state;
    sty_style *p = sty_style_builtin("parcels_2024", LYR_GEOM_POLYGON);
    sty_style *l = sty_style_builtin("canals", LYR_GEOM_LINE);
    sty_style *pt = sty_style_builtin("wells", LYR_GEOM_POINT);
    sty_style *n = sty_style_builtin(NULL, LYR_GEOM_POLYGON);
    const sty_symbolizer *y = p->fts[0]->rules[0]->syms[0];
    assert_int_equal(y->kind, STY_SYM_POLYGON);
    assert_true(y->fill.enabled && y->stroke.enabled);
    y = l->fts[0]->rules[0]->syms[0];
    assert_int_equal(y->kind, STY_SYM_LINE);
    assert_true(y->stroke.width == 1.0);
    y = pt->fts[0]->rules[0]->syms[0];
    assert_int_equal(y->kind, STY_SYM_POINT);
    assert_int_equal(y->mark, STY_MARK_CIRCLE);
    assert_true(y->size == 6.0);
    for (int z = 0; z <= 24; z++)
        assert_int_equal(n_active(pt->fts[0], z), 1);
    assert_int_equal(sty_style_hash(p), sty_style_hash(n)); /* same content, same hash */
    sty_style_release(p);
    sty_style_release(l);
    sty_style_release(pt);
    sty_style_release(n);
}

static void test_hash_follows_content(void **state)
{
    (void)state;
    sty_style *a = sty_style_builtin("zoning", LYR_GEOM_POLYGON);
    sty_style *b = sty_style_builtin("zoning", LYR_GEOM_POLYGON);
    sty_style *c = sty_style_builtin("roads", LYR_GEOM_LINE);
    assert_true(sty_style_hash(a) != 0);
    assert_true(sty_style_hash(a) == sty_style_hash(b)); /* stable across builds */
    assert_true(sty_style_hash(a) != sty_style_hash(c));
    uint64_t h0 = sty_style_hash(b);
    /* every kind of change moves the hash */
    b->fts[0]->rules[3]->syms[0]->fill.color.g ^= 1;
    sty__style_finish(b);
    assert_true(sty_style_hash(b) != h0);
    b->fts[0]->rules[3]->syms[0]->fill.color.g ^= 1;
    sty__style_finish(b);
    assert_true(sty_style_hash(b) == h0);
    b->fts[0]->rules[4]->max_scale = 40000;
    sty__style_finish(b);
    assert_true(sty_style_hash(b) != h0);
    sty_style_release(b);

    b = sty_style_builtin("zoning", LYR_GEOM_POLYGON);
    ((sty_literal *)b->fts[0]->rules[0]->filter->lits)[0].s = "R9";
    sty__style_finish(b);
    assert_true(sty_style_hash(b) != h0);
    sty_style_release(b);
    sty_style_release(a);
    sty_style_release(c);
}

static void test_refcount(void **state)
{
    (void)state;
    sty_style *s = sty_style_builtin("districts", LYR_GEOM_POLYGON);
    assert_ptr_equal(sty_style_acquire(s), s);
    assert_int_equal(atomic_load(&s->refs), 2);
    sty_style_release(s);
    assert_int_equal(atomic_load(&s->refs), 1);
    sty_style_release(s); /* freed: ASan/valgrind see a leak or a double free otherwise */
    assert_null(sty_style_acquire(NULL));
    sty_style_release(NULL);
    assert_int_equal(sty_style_hash(NULL), 0);
}

static void test_color_parse(void **state)
{
    (void)state;
    sty_color c;
    assert_int_equal(sty__color_parse("#F7e08b", &c), 0);
    assert_int_equal(c.r, 0xf7);
    assert_int_equal(c.g, 0xe0);
    assert_int_equal(c.b, 0x8b);
    assert_int_equal(sty__color_parse("9cc7ec", &c), 0);
    assert_int_equal(c.b, 0xec);
    assert_int_equal(sty__color_parse("#9cc7e", &c), -1);
    assert_int_equal(sty__color_parse("#9cc7eg", &c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zoning),        cmocka_unit_test(test_industrial_parks_dashes),
        cmocka_unit_test(test_roads_bands),   cmocka_unit_test(test_green_and_districts),
        cmocka_unit_test(test_scale_bounds),  cmocka_unit_test(test_defaults_by_kind),
        cmocka_unit_test(test_hash_follows_content), cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_color_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
