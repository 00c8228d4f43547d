/* sld_filter.c: OGC Filter Encoding 1.1 (ogc:Filter) into the style's filter tree:
 * comparisons, Like, IsNull, Between, And/Or/Not. Anything else makes the rule unusable
 * and is reported. */
#include <string.h>

#include "styles/sld_int.h"

typedef struct fctx {
    sld_parser *p;
    int *never; /* set when an unsupported operator is met */
} fctx;

static sty_filter *parse_op(fctx *f, const xmlNode *n, int depth);

static const struct {
    const char *name;
    sty_filter_op op, swapped; /* swapped: the operator with the operands exchanged */
} cmp_ops[] = {
    {"PropertyIsEqualTo", STY_F_EQ, STY_F_EQ},
    {"PropertyIsNotEqualTo", STY_F_NE, STY_F_NE},
    {"PropertyIsLessThan", STY_F_LT, STY_F_GT},
    {"PropertyIsLessThanOrEqualTo", STY_F_LE, STY_F_GE},
    {"PropertyIsGreaterThan", STY_F_GT, STY_F_LT},
    {"PropertyIsGreaterThanOrEqualTo", STY_F_GE, STY_F_LE},
};

static void never(fctx *f, const xmlNode *n, const char *what)
{
    sld__issue(f->p, n, "%s <%s> is not supported; its rule draws nothing", what,
               (const char *)n->name);
    *f->never = 1;
}

/* The text of a PropertyName (plain name; a leading XPath "./" or "@" is not ours). */
static const char *prop_name(fctx *f, const xmlNode *n, char *buf, size_t size)
{
    const char *s = sld__text(f->p, n, buf, size);
    if (s && !*s) {
        sld__fail(f->p, n, "empty <PropertyName>");
        return NULL;
    }
    return s;
}

static int match_case_attr(const xmlNode *n)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)"matchCase");
    int mc = !(v && strcmp((const char *)v, "false") == 0);
    xmlFree(v);
    return mc;
}

static sty_filter *parse_cmp(fctx *f, const xmlNode *n, sty_filter_op op, sty_filter_op swapped)
{
    static const char *const attrs[] = {"matchCase", "matchAction", NULL};
    char pbuf[256], lbuf[1024];
    const char *prop = NULL, *lit = NULL;
    int prop_first = 0, k = 0;
    sld__check_attrs(f->p, n, attrs);
    for (const xmlNode *c = sld__first(n); c; c = sld__next(c), k++) {
        if (sld__is(c, "PropertyName", SLD_NS_OGC) && !prop) {
            prop = prop_name(f, c, pbuf, sizeof pbuf);
            prop_first = k == 0;
        } else if (sld__is(c, "Literal", SLD_NS_OGC) && !lit) {
            lit = sld__text(f->p, c, lbuf, sizeof lbuf);
        } else {
            never(f, c, "the filter operand");
            return NULL;
        }
    }
    if (f->p->failed || !prop || !lit) {
        if (!f->p->failed && !*f->never)
            sld__fail(f->p, n, "<%s> needs one PropertyName and one Literal",
                      (const char *)n->name);
        return NULL;
    }
    sty_filter *r = sty__filter_leaf(f->p->s, prop_first ? op : swapped, prop, &lit, 1);
    r->match_case = match_case_attr(n);
    return r;
}

/* One-character attribute of Like (wildCard, singleChar, escape / escapeChar). */
static int like_char(fctx *f, const xmlNode *n, const char *name, const char *alt, char def,
                     char *out)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v && alt)
        v = xmlGetProp(n, (const xmlChar *)alt);
    *out = def;
    if (!v)
        return 0;
    int ok = strlen((const char *)v) == 1;
    if (ok)
        *out = (char)v[0];
    else
        sld__fail(f->p, n, "<PropertyIsLike> %s must be one character", name);
    xmlFree(v);
    return ok ? 0 : -1;
}

static sty_filter *parse_like(fctx *f, const xmlNode *n)
{
    static const char *const attrs[] = {"wildCard", "singleChar", "escape", "escapeChar",
                                        "matchCase", NULL};
    char w, s, e;
    sld__check_attrs(f->p, n, attrs);
    if (like_char(f, n, "wildCard", NULL, '*', &w) < 0 ||
        like_char(f, n, "singleChar", NULL, '?', &s) < 0 ||
        like_char(f, n, "escape", "escapeChar", '\\', &e) < 0)
        return NULL;
    sty_filter *r = parse_cmp(f, n, STY_F_LIKE, STY_F_LIKE);
    if (r) {
        r->wild = w;
        r->single = s;
        r->escape = e;
    }
    return r;
}

static sty_filter *parse_isnull(fctx *f, const xmlNode *n)
{
    char buf[256];
    const xmlNode *c = sld__first(n);
    if (!sld__is(c, "PropertyName", SLD_NS_OGC) || sld__next(c)) {
        never(f, c ? c : n, "the operand of");
        return NULL;
    }
    const char *prop = prop_name(f, c, buf, sizeof buf);
    return prop ? sty__filter_leaf(f->p->s, STY_F_ISNULL, prop, NULL, 0) : NULL;
}

static sty_filter *parse_between(fctx *f, const xmlNode *n)
{
    char pbuf[256], lo[256], hi[256];
    const char *prop = NULL, *lits[2] = {NULL, NULL};
    for (const xmlNode *c = sld__first(n); c; c = sld__next(c)) {
        if (sld__is(c, "PropertyName", SLD_NS_OGC)) {
            prop = prop_name(f, c, pbuf, sizeof pbuf);
        } else if (sld__is(c, "LowerBoundary", SLD_NS_OGC)) {
            lits[0] = sld__text(f->p, c, lo, sizeof lo);
        } else if (sld__is(c, "UpperBoundary", SLD_NS_OGC)) {
            lits[1] = sld__text(f->p, c, hi, sizeof hi);
        } else {
            never(f, c, "the operand");
            return NULL;
        }
    }
    if (!prop || !lits[0] || !lits[1]) {
        if (!f->p->failed)
            sld__fail(f->p, n, "<PropertyIsBetween> needs a PropertyName, a LowerBoundary "
                               "and an UpperBoundary with literal values");
        return NULL;
    }
    return sty__filter_leaf(f->p->s, STY_F_BETWEEN, prop, lits, 2);
}

static sty_filter *parse_logic(fctx *f, const xmlNode *n, sty_filter_op op, int depth)
{
    sty_filter *kids[64];
    size_t nk = 0;
    for (const xmlNode *c = sld__first(n); c; c = sld__next(c)) {
        if (nk == sizeof kids / sizeof kids[0]) {
            sld__fail(f->p, c, "more than %zu operands in <%s>", nk, (const char *)n->name);
            return NULL;
        }
        sty_filter *k = parse_op(f, c, depth + 1);
        if (!k)
            return NULL;
        kids[nk++] = k;
    }
    if (op == STY_F_NOT ? nk != 1 : nk < 1) {
        sld__fail(f->p, n, "<%s> with %zu operands", (const char *)n->name, nk);
        return NULL;
    }
    return sty__filter_logic(f->p->s, op, kids, nk);
}

static sty_filter *parse_op(fctx *f, const xmlNode *n, int depth)
{
    if (depth > SLD_MAX_DEPTH) {
        sld__fail(f->p, n, "filter nested deeper than %d levels", SLD_MAX_DEPTH);
        return NULL;
    }
    for (size_t i = 0; i < sizeof cmp_ops / sizeof cmp_ops[0]; i++)
        if (sld__is(n, cmp_ops[i].name, SLD_NS_OGC))
            return parse_cmp(f, n, cmp_ops[i].op, cmp_ops[i].swapped);
    if (sld__is(n, "PropertyIsLike", SLD_NS_OGC))
        return parse_like(f, n);
    if (sld__is(n, "PropertyIsNull", SLD_NS_OGC))
        return parse_isnull(f, n);
    if (sld__is(n, "PropertyIsBetween", SLD_NS_OGC))
        return parse_between(f, n);
    if (sld__is(n, "And", SLD_NS_OGC))
        return parse_logic(f, n, STY_F_AND, depth);
    if (sld__is(n, "Or", SLD_NS_OGC))
        return parse_logic(f, n, STY_F_OR, depth);
    if (sld__is(n, "Not", SLD_NS_OGC))
        return parse_logic(f, n, STY_F_NOT, depth);
    never(f, n, "the filter");
    return NULL;
}

sty_filter *sld__filter(sld_parser *p, const xmlNode *filter, int *never_out)
{
    fctx f = {p, never_out};
    const xmlNode *c = sld__first(filter);
    if (!c) {
        sld__fail(p, filter, "empty <Filter>");
        return NULL;
    }
    if (sld__next(c)) {
        sld__fail(p, sld__next(c), "a <Filter> holds one operator (use <And> or <Or>)");
        return NULL;
    }
    return parse_op(&f, c, 1);
}
