/* test_sld.c: the SLD/SE parser (styles/sld*.c): QGIS and GeoServer documents, filters
 * as they evaluate, unsupported items with their lines, and bad input of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "styles/styles_int.h"

#define HEAD                                                                                  \
    "<?xml version=\"1.0\"?>\n"                                                               \
    "<StyledLayerDescriptor version=\"1.0.0\" xmlns=\"http://www.opengis.net/sld\"\n"         \
    " xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:se=\"http://www.opengis.net/se\">\n"     \
    "<NamedLayer><Name>L</Name><UserStyle><FeatureTypeStyle>\n"
#define TAIL "</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"

static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TILED_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static sty_style *parse(const char *xml, sty_issues *is, tl_err *err)
{
    return sty_style_from_sld(xml, strlen(xml), NULL, is, err);
}

/* Parse `body` wrapped in a document; expect failure with `needle` in the message. */
static void expect_error(const char *body, const char *needle)
{
    char doc[8192];
    snprintf(doc, sizeof doc, HEAD "%s" TAIL, body);
    tl_err err = TL_ERR_INIT;
    sty_style *s = parse(doc, NULL, &err);
    if (s || !strstr(err.msg, needle))
        fprintf(stderr, "expected error with '%s', got: %s\n", needle, s ? "(style)" : err.msg);
    assert_null(s);
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, needle));
}

/* Feature attributes for filter evaluation: slot -> value. */
typedef struct feat {
    const sty_style *s;
    const char *keys[4];
    lyr_value vals[4];
    lyr_field_type types[4];
} feat;

static void get(void *ctx, int slot, lyr_value *v, lyr_field_type *t)
{
    const feat *f = ctx;
    for (int i = 0; i < 4 && f->keys[i]; i++) {
        if (strcmp(f->keys[i], f->s->props[slot]) == 0) {
            *v = f->vals[i];
            *t = f->types[i];
            return;
        }
    }
    memset(v, 0, sizeof *v);
    v->is_null = 1;
    *t = LYR_FIELD_STRING;
}

/* Documents as the tools write them -------------------------------------------------------- */

static void check_zoning(const sty_style *s)
{
    assert_int_equal(s->n_fts, 1);
    const sty_fts *f = s->fts[0];
    assert_int_equal(f->n_rules, 9);
    const sty_rule *r = f->rules[0];
    assert_string_equal(r->name, "R1");
    assert_string_equal(r->title, "Đất ở mật độ thấp");
    assert_int_equal(r->filter->op, STY_F_EQ);
    assert_string_equal(s->props[r->filter->prop], "zone_code");
    assert_string_equal(r->filter->lits[0].s, "R1");
    assert_int_equal(r->n_syms, 1);
    assert_int_equal(r->syms[0]->fill.color.r, 0xf7);
    assert_int_equal(r->syms[0]->fill.color.b, 0x8b);
    assert_true(r->syms[0]->stroke.enabled);
    assert_true(r->syms[0]->stroke.width == 1.0);
    assert_int_equal(r->syms[0]->stroke.join, STY_JOIN_BEVEL);
    /* PUB: times, AG: slash, W: horline, each with 8 px spacing in the outline colour */
    static const sty_hatch_kind want[] = {STY_HATCH_TIMES, STY_HATCH_SLASH, STY_HATCH_HORLINE};
    static const int rule_ix[] = {5, 7, 8};
    for (int i = 0; i < 3; i++) {
        r = f->rules[rule_ix[i]];
        assert_int_equal(r->n_syms, 2);
        assert_int_equal(r->syms[1]->hatch.kind, want[i]);
        assert_true(r->syms[1]->hatch.spacing == 8.0);
        assert_true(r->syms[1]->fill.enabled);
    }
    assert_int_equal(f->rules[8]->syms[1]->hatch.color.r, 0x6a);
}

static void test_qgis_and_geoserver(void **state)
{
    (void)state;
    size_t nq, ng;
    char *q = slurp("tests/data/styles/zoning_qgis.sld", &nq);
    char *g = slurp("tests/data/styles/zoning_geoserver.sld", &ng);
    sty_issues iq = {0}, ig = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *sq = sty_style_from_sld(q, nq, "zoning", &iq, &err);
    assert_non_null(sq);
    sty_style *sg = sty_style_from_sld(g, ng, "zoning", &ig, &err);
    assert_non_null(sg);
    for (size_t i = 0; i < iq.n; i++)
        fprintf(stderr, "qgis line %d: %s\n", iq.v[i].line, iq.v[i].msg);
    assert_int_equal(iq.n, 0);
    assert_int_equal(ig.n, 0);
    check_zoning(sq);
    check_zoning(sg);
    sty_style_release(sq);
    sty_style_release(sg);
    free(q);
    free(g);
}

static void test_builtin_document_is_clean(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp("styles/binhduong_demo.sld", &n);
    const char *layers[] = {"zoning", "green_spaces", "industrial_parks", "roads", "districts"};
    for (size_t i = 0; i < 5; i++) {
        sty_issues is = {0};
        tl_err err = TL_ERR_INIT;
        sty_style *s = sty_style_from_sld(d, n, layers[i], &is, &err);
        assert_non_null(s);
        for (size_t k = 0; k < is.n; k++)
            fprintf(stderr, "%s line %d: %s\n", layers[i], is.v[k].line, is.v[k].msg);
        assert_int_equal(is.n, 0);
        sty_style_release(s);
    }
    tl_err err = TL_ERR_INIT;
    assert_null(sty_style_from_sld(d, n, "parcels", NULL, &err));
    assert_int_equal(err.code, TL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "parcels"));
    free(d);
}

static void test_three_unsupported(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp("tests/data/styles/three_unsupported.sld", &n);
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = sty_style_from_sld(d, n, NULL, &is, &err);
    assert_non_null(s);
    assert_int_equal(is.n, 3);
    assert_int_equal(is.v[0].line, 18);
    assert_non_null(strstr(is.v[0].msg, "GraphicStroke"));
    assert_int_equal(is.v[1].line, 22);
    assert_non_null(strstr(is.v[1].msg, "PerpendicularOffset"));
    assert_int_equal(is.v[2].line, 26);
    assert_non_null(strstr(is.v[2].msg, "VendorOption"));
    /* what is supported is still there */
    const sty_rule *r = s->fts[0]->rules[0];
    assert_int_equal(r->n_syms, 2);
    assert_true(r->syms[0]->stroke.width == 3.0);
    assert_int_equal(r->syms[1]->kind, STY_SYM_TEXT);
    sty_issues_free(&is);
    sty_style_release(s);
    free(d);
}

/* Filters ------------------------------------------------------------------------------------ */

static const sty_filter *first_filter(const sty_style *s)
{
    return s->fts[0]->rules[0]->filter;
}

static void test_filters_evaluate(void **state)
{
    (void)state;
    const char *doc = HEAD
        "<Rule><ogc:Filter><ogc:And>\n"
        " <ogc:PropertyIsLike wildCard=\"%\" singleChar=\"_\" escape=\"!\">\n"
        "  <ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>KCN %</ogc:Literal>\n"
        " </ogc:PropertyIsLike>\n"
        " <ogc:PropertyIsBetween><ogc:PropertyName>area</ogc:PropertyName>\n"
        "  <ogc:LowerBoundary><ogc:Literal>10</ogc:Literal></ogc:LowerBoundary>\n"
        "  <ogc:UpperBoundary><ogc:Literal>100.5</ogc:Literal></ogc:UpperBoundary>\n"
        " </ogc:PropertyIsBetween>\n"
        " <ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>code</ogc:PropertyName>"
        "</ogc:PropertyIsNull></ogc:Not>\n"
        " <ogc:Or>\n"
        "  <ogc:PropertyIsGreaterThan><ogc:Literal>5</ogc:Literal>"
        "<ogc:PropertyName>code</ogc:PropertyName></ogc:PropertyIsGreaterThan>\n"
        "  <ogc:PropertyIsEqualTo matchCase=\"false\"><ogc:PropertyName>name</ogc:PropertyName>"
        "<ogc:Literal>kcn vsip</ogc:Literal></ogc:PropertyIsEqualTo>\n"
        " </ogc:Or>\n"
        "</ogc:And></ogc:Filter><LineSymbolizer/></Rule>\n" TAIL;
    tl_err err = TL_ERR_INIT;
    sty_style *s = parse(doc, NULL, &err);
    assert_non_null(s);
    const sty_filter *f = first_filter(s);
    assert_int_equal(f->op, STY_F_AND);
    assert_int_equal(f->n_kids, 4);
    assert_int_equal(f->kids[3]->kids[0]->op, STY_F_LT); /* 5 > code  ==  code < 5 */
    feat ft = {s, {"name", "area", "code", NULL},
               {{0, 0, 0, "KCN VSIP"}, {0, 0, 50.0, NULL}, {0, 3, 0, NULL}},
               {LYR_FIELD_STRING, LYR_FIELD_REAL, LYR_FIELD_INT}};
    assert_int_equal(sty__filter_eval(f, get, &ft), 1);
    ft.vals[1].d = 100.6; /* outside Between */
    assert_int_equal(sty__filter_eval(f, get, &ft), 0);
    ft.vals[1].d = 100.5;
    ft.vals[2].i = 7; /* code < 5 false, but the name matches case-insensitively */
    assert_int_equal(sty__filter_eval(f, get, &ft), 1);
    ft.vals[0].s = "KCN Mỹ Phước"; /* like still matches, name EQ no longer */
    assert_int_equal(sty__filter_eval(f, get, &ft), 0);
    ft.vals[2].i = 2;
    assert_int_equal(sty__filter_eval(f, get, &ft), 1);
    ft.vals[2].is_null = 1; /* Not IsNull */
    assert_int_equal(sty__filter_eval(f, get, &ft), 0);
    ft.vals[2].is_null = 0;
    ft.vals[0].s = "Khu dân cư"; /* like fails */
    assert_int_equal(sty__filter_eval(f, get, &ft), 0);
    sty_style_release(s);
}

static void test_else_scale_uom_label(void **state)
{
    (void)state;
    const char *doc = HEAD
        "<Rule><MinScaleDenominator>1000</MinScaleDenominator>"
        "<MaxScaleDenominator>5e4</MaxScaleDenominator>"
        "<PolygonSymbolizer uom=\"http://www.opengeospatial.org/se/units/metre\">"
        "<Stroke><SvgParameter name=\"stroke-width\">2</SvgParameter>"
        "<SvgParameter name=\"stroke-dasharray\">4,2 1</SvgParameter></Stroke>"
        "</PolygonSymbolizer></Rule>\n"
        "<Rule><ElseFilter/><PointSymbolizer><Graphic><Mark><WellKnownName>star"
        "</WellKnownName><Fill><CssParameter name=\"fill\">#ff0000</CssParameter></Fill></Mark>"
        "<Size>12</Size></Graphic></PointSymbolizer>\n"
        "<TextSymbolizer><Label>Lô <ogc:PropertyName>code</ogc:PropertyName> - "
        "<ogc:Literal>KCN</ogc:Literal></Label>"
        "<Font><CssParameter name=\"font-family\">Noto Serif</CssParameter>"
        "<CssParameter name=\"font-weight\">bold</CssParameter>"
        "<CssParameter name=\"font-size\">12</CssParameter></Font>"
        "<LabelPlacement><PointPlacement><AnchorPoint><AnchorPointX>0.5</AnchorPointX>"
        "<AnchorPointY>0</AnchorPointY></AnchorPoint><Displacement><DisplacementX>2"
        "</DisplacementX><DisplacementY>-3</DisplacementY></Displacement></PointPlacement>"
        "</LabelPlacement><Halo><Radius><ogc:Literal>2.5</ogc:Literal></Radius></Halo>"
        "</TextSymbolizer></Rule>\n" TAIL;
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = parse(doc, &is, &err);
    assert_non_null(s);
    assert_int_equal(is.n, 0);
    const sty_rule *r = s->fts[0]->rules[0];
    assert_true(r->min_scale == 1000 && r->max_scale == 50000);
    assert_int_equal(r->syms[0]->uom, STY_UOM_METRE);
    assert_int_equal(r->syms[0]->stroke.n_dash, 3);
    assert_true(r->syms[0]->stroke.dash[2] == 1.0);
    assert_false(r->syms[0]->fill.enabled); /* no Fill element: no fill */
    r = s->fts[0]->rules[1];
    assert_true(r->is_else);
    assert_int_equal(r->syms[0]->mark, STY_MARK_STAR);
    assert_false(r->syms[0]->stroke.enabled); /* Fill without Stroke */
    const sty_text *t = r->syms[1]->text;
    assert_int_equal(t->n_parts, 4);
    assert_string_equal(t->parts[0].text, "Lô ");
    assert_string_equal(s->props[t->parts[1].prop], "code");
    assert_string_equal(t->parts[2].text, " - ");
    assert_string_equal(t->parts[3].text, "KCN");
    assert_string_equal(t->family, "Noto Serif");
    assert_true(t->bold && !t->italic && t->size == 12.0);
    assert_true(t->anchor_x == 0.5 && t->anchor_y == 0.0 && t->disp_y == -3.0);
    assert_true(t->halo_radius == 2.5);
    sty_style_release(s);
}

/* Bad input ------------------------------------------------------------------------------------ */

static void test_malformed_and_foreign(void **state)
{
    (void)state;
    tl_err err = TL_ERR_INIT;
    assert_null(parse("<StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\">\n<NamedLayer>"
                      "\n</StyledLayerDescriptor>", NULL, &err));
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, "line 3: malformed XML"));
    tl_err_clear(&err);
    assert_null(parse("", NULL, &err));
    assert_int_equal(err.code, TL_EINVAL);
    tl_err_clear(&err);
    assert_null(parse("<StyledLayerDescriptor xmlns=\"http://www.opengis.net/wms\"/>", NULL, &err));
    assert_non_null(strstr(err.msg, "not an SLD document"));
    assert_non_null(strstr(err.msg, "http://www.opengis.net/wms"));
    tl_err_clear(&err);
    assert_null(parse("<StyledLayerDescriptor/>", NULL, &err));
    assert_non_null(strstr(err.msg, "(none)"));
    tl_err_clear(&err);
    assert_null(parse("<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>", NULL, &err));
    assert_non_null(strstr(err.msg, "root element is <html>"));
    tl_err_clear(&err);
    /* XXE and entity expansion: no DTD at all */
    assert_null(parse("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "
                      "\"file:///etc/passwd\">]>\n<StyledLayerDescriptor xmlns="
                      "\"http://www.opengis.net/sld\"><Name>&e;</Name></StyledLayerDescriptor>",
                      NULL, &err));
    assert_int_equal(err.code, TL_EINVAL);
    assert_non_null(strstr(err.msg, "DTD"));
    tl_err_clear(&err);
    sty_style *s = parse(HEAD TAIL, NULL, &err); /* empty but valid */
    assert_non_null(s);
    assert_int_equal(s->fts[0]->n_rules, 0);
    sty_style_release(s);
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_error("<Rule><LineSymbolizer><Stroke><CssParameter name=\"stroke-width\">1e308"
                 "</CssParameter></Stroke></LineSymbolizer></Rule>", "outside the supported range");
    expect_error("<Rule><LineSymbolizer><Stroke><CssParameter name=\"stroke-width\">1e999"
                 "</CssParameter></Stroke></LineSymbolizer></Rule>", "not a number");
    expect_error("<Rule><LineSymbolizer><Stroke><CssParameter name=\"stroke-width\">wide"
                 "</CssParameter></Stroke></LineSymbolizer></Rule>", "'wide' is not a number");
    expect_error("<Rule><LineSymbolizer><Stroke><CssParameter name=\"stroke\">red"
                 "</CssParameter></Stroke></LineSymbolizer></Rule>", "not a colour");
    expect_error("<Rule><MaxScaleDenominator>-5</MaxScaleDenominator></Rule>", "outside");
    expect_error("<Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>a"
                 "</ogc:PropertyName></ogc:PropertyIsEqualTo></ogc:Filter></Rule>",
                 "needs one PropertyName and one Literal");
    expect_error("<Rule><ogc:Filter/></Rule>", "empty <Filter>");
    expect_error("<Rule><LineSymbolizer><Stroke><CssParameter name=\"stroke-dasharray\">"
                 "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17</CssParameter></Stroke>"
                 "</LineSymbolizer></Rule>", "more than 16");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t cap = 200000;
    char *doc = malloc(cap);
    size_t n = (size_t)snprintf(doc, cap, HEAD "<Rule><ogc:Filter>");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<ogc:Not>");
    n += (size_t)snprintf(doc + n, cap - n, "<ogc:PropertyIsNull><ogc:PropertyName>a"
                                            "</ogc:PropertyName></ogc:PropertyIsNull>");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(doc + n, cap - n, "</ogc:Not>");
    snprintf(doc + n, cap - n, "</ogc:Filter></Rule>" TAIL);
    tl_err err = TL_ERR_INIT;
    assert_null(parse(doc, NULL, &err));
    assert_non_null(strstr(err.msg, "nested deeper than"));
    /* deeper than libxml2's own limit: still a clean error */
    n = 0;
    for (int i = 0; i < 20000 && n + 16 < cap; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<a>");
    tl_err_clear(&err);
    assert_null(sty_style_from_sld(doc, n, NULL, NULL, &err));
    assert_int_equal(err.code, TL_EINVAL);
    free(doc);
}

static void test_unknown_things_reported(void **state)
{
    (void)state;
    const char *doc = HEAD "<Rule>\n"
                           "<Frobnicate/>\n"
                           "<ogc:Filter><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName>"
                           "</ogc:BBOX></ogc:Filter>\n"
                           "<PolygonSymbolizer color=\"x\"><Fill><CssParameter name=\"fill\">"
                           "#123456</CssParameter></Fill></PolygonSymbolizer>\n"
                           "</Rule>\n" TAIL;
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = parse(doc, &is, &err);
    assert_non_null(s);
    assert_int_equal(is.n, 3);
    assert_int_equal(is.v[0].line, 6);
    assert_string_equal(is.v[0].msg, "<Frobnicate> in <Rule> is not supported");
    assert_int_equal(is.v[1].line, 7);
    assert_non_null(strstr(is.v[1].msg, "BBOX"));
    assert_int_equal(is.v[2].line, 8);
    assert_non_null(strstr(is.v[2].msg, "attribute color"));
    /* the rule with a filter we cannot evaluate draws nothing at any scale */
    const sty_rule *r = s->fts[0]->rules[0];
    assert_false(sty__rule_active(r, 1000.0));
    assert_false(sty__rule_active(r, 0.0));
    sty_issues_free(&is);
    sty_style_release(s);
}

/* Every prefix of a real document, and the document with bytes overwritten at many places:
 * each parse is a style or a clean error, never a crash (run under ASan in CI). */
static void test_truncated_and_mangled(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp("tests/data/styles/zoning_qgis.sld", &n);
    size_t ok = 0, failed = 0;
    for (size_t len = 0; len <= n; len += 13) {
        tl_err err = TL_ERR_INIT;
        sty_style *s = sty_style_from_sld(d, len, "zoning", NULL, &err);
        if (s)
            ok++;
        else
            failed += err.code == TL_EINVAL && err.msg[0] != '\0';
        sty_style_release(s);
    }
    assert_int_equal(ok + failed, n / 13 + 1); /* every failure is TL_EINVAL with a message */
    static const char junk[] = {'<', '>', '&', '"', '/', '0', '-', 'e', '\0', (char)0xff};
    char *m = malloc(n);
    for (size_t pos = 0; pos < n; pos += 7) {
        memcpy(m, d, n);
        m[pos] = junk[pos % sizeof junk];
        sty_issues is = {0};
        tl_err err = TL_ERR_INIT;
        sty_style *s = sty_style_from_sld(m, n, "zoning", &is, &err);
        assert_true(s != NULL || (err.code != TL_OK && err.msg[0] != '\0'));
        sty_style_release(s);
        sty_issues_free(&is);
    }
    free(m);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qgis_and_geoserver),   cmocka_unit_test(test_builtin_document_is_clean),
        cmocka_unit_test(test_three_unsupported),    cmocka_unit_test(test_filters_evaluate),
        cmocka_unit_test(test_else_scale_uom_label), cmocka_unit_test(test_malformed_and_foreign),
        cmocka_unit_test(test_bad_values),           cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_unknown_things_reported),
        cmocka_unit_test(test_truncated_and_mangled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
