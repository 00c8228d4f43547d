/* sld_sym.c: SLD/SE symbolizers (Polygon, Line, Point, Text) with their Fill, Stroke,
 * GraphicFill hatches, Marks, Font, Halo and placements, CssParameter or SvgParameter. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "styles/sld_int.h"
#include "tiled/base/tl_util.h"

#define MAX_PX 1000.0     /* widths, sizes, spacing, offsets: uom units */
#define MAX_DASH 10000.0  /* one dash entry */
#define MAX_LABEL_PARTS 32

/* Parameters ---------------------------------------------------------------------------- */

/* If `n` is a CssParameter/SvgParameter: its name into *name (xmlFree it) and 1. */
static int param(const xmlNode *n, xmlChar **name)
{
    if (!sld__is(n, "CssParameter", SLD_NS_STYLE) && !sld__is(n, "SvgParameter", SLD_NS_STYLE))
        return 0;
    *name = xmlGetProp(n, (const xmlChar *)"name");
    return 1;
}

static int num_value(sld_parser *p, const xmlNode *n, const char *v, double lo, double hi,
                     double *out)
{
    tl_err e = TL_ERR_INIT;
    double d;
    if (tl_parse_double(v, &d, &e) < 0) {
        sld__fail(p, n, "'%.40s' is not a number", v);
        return -1;
    }
    if (d < lo || d > hi) {
        sld__fail(p, n, "%g is outside the supported range [%g, %g]", d, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

static int color_value(sld_parser *p, const xmlNode *n, const char *v, sty_color *out)
{
    if (sty__color_parse(v, out) < 0) {
        sld__fail(p, n, "'%.40s' is not a colour (#rrggbb)", v);
        return -1;
    }
    return 0;
}

static int dash_value(sld_parser *p, const xmlNode *n, const char *v, sty_stroke *k)
{
    char buf[512];
    tl_strlcpy(buf, v, sizeof buf);
    k->n_dash = 0;
    for (char *s = buf; *s;) {
        while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        char *e = s;
        while (*e && *e != ' ' && *e != ',' && *e != '\t' && *e != '\n')
            e++;
        char save = *e;
        *e = '\0';
        if (k->n_dash == STY_MAX_DASH) {
            sld__fail(p, n, "more than %d stroke-dasharray entries", STY_MAX_DASH);
            return -1;
        }
        if (num_value(p, n, s, 0.0, MAX_DASH, &k->dash[k->n_dash]) < 0)
            return -1;
        k->n_dash++;
        *e = save;
        s = e;
    }
    return 0;
}

static int keyword(sld_parser *p, const xmlNode *n, const char *v, const char *const *words,
                   int *out)
{
    for (int i = 0; words[i]; i++) {
        if (strcmp(v, words[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    sld__issue(p, n, "value '%.40s' of <%s> is not supported", v, (const char *)n->name);
    return -1;
}

/* Strokes and fills ------------------------------------------------------------------------- */

static void parse_stroke(sld_parser *p, const xmlNode *sn, sty_stroke *k)
{
    static const char *const caps[] = {"butt", "round", "square", NULL};
    static const char *const joins[] = {"mitre", "round", "bevel", "miter", NULL};
    char buf[512];
    k->enabled = 1;
    for (const xmlNode *c = sld__first(sn); c && !p->failed; c = sld__next(c)) {
        xmlChar *name = NULL;
        if (!param(c, &name)) {
            sld__issue(p, c, "<%s> in <Stroke> is not supported", (const char *)c->name);
            continue;
        }
        const char *v = sld__text(p, c, buf, sizeof buf);
        const char *nm = name ? (const char *)name : "";
        int w = 0;
        if (!v) {
            /* reported by sld__text */
        } else if (strcmp(nm, "stroke") == 0) {
            (void)color_value(p, c, v, &k->color);
        } else if (strcmp(nm, "stroke-width") == 0) {
            (void)num_value(p, c, v, 0.0, MAX_PX, &k->width);
        } else if (strcmp(nm, "stroke-opacity") == 0) {
            (void)num_value(p, c, v, 0.0, 1.0, &k->opacity);
        } else if (strcmp(nm, "stroke-dasharray") == 0) {
            (void)dash_value(p, c, v, k);
        } else if (strcmp(nm, "stroke-dashoffset") == 0) {
            (void)num_value(p, c, v, -MAX_DASH, MAX_DASH, &k->dash_offset);
        } else if (strcmp(nm, "stroke-linecap") == 0) {
            if (keyword(p, c, v, caps, &w) == 0)
                k->cap = (sty_linecap)w;
        } else if (strcmp(nm, "stroke-linejoin") == 0) {
            if (keyword(p, c, v, joins, &w) == 0)
                k->join = w == 3 ? STY_JOIN_MITER : (sty_linejoin)w;
        } else {
            sld__issue(p, c, "stroke parameter '%.40s' is not supported", nm);
        }
        xmlFree(name);
    }
}

static sty_hatch_kind hatch_kind(const char *wkn)
{
    static const struct {
        const char *name;
        sty_hatch_kind kind;
    } names[] = {
        {"shape://horline", STY_HATCH_HORLINE}, {"shape://vertline", STY_HATCH_VERTLINE},
        {"shape://slash", STY_HATCH_SLASH},     {"shape://backslash", STY_HATCH_BACKSLASH},
        {"shape://times", STY_HATCH_TIMES},     {"shape://plus", STY_HATCH_PLUS},
        {"horline", STY_HATCH_HORLINE},         {"vertline", STY_HATCH_VERTLINE},
        {"slash", STY_HATCH_SLASH},             {"backslash", STY_HATCH_BACKSLASH},
        {"x", STY_HATCH_TIMES},                 {"cross", STY_HATCH_PLUS},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(wkn, names[i].name) == 0)
            return names[i].kind;
    return STY_HATCH_NONE;
}

/* A hatch turned clockwise by `deg` (a multiple of 45), as QGIS writes line fills. */
static sty_hatch_kind hatch_rotate(sty_hatch_kind k, int deg)
{
    static const sty_hatch_kind ring[4] = {STY_HATCH_HORLINE, STY_HATCH_BACKSLASH,
                                           STY_HATCH_VERTLINE, STY_HATCH_SLASH};
    int steps = ((deg / 45) % 4 + 4) % 4;
    if (steps == 0)
        return k;
    for (int i = 0; i < 4; i++)
        if (ring[i] == k)
            return ring[(i + steps) % 4];
    if (k == STY_HATCH_TIMES || k == STY_HATCH_PLUS)
        return steps % 2 ? (k == STY_HATCH_TIMES ? STY_HATCH_PLUS : STY_HATCH_TIMES) : k;
    return k;
}

static void parse_mark_hatch(sld_parser *p, const xmlNode *mn, sty_hatch *h)
{
    char buf[128];
    for (const xmlNode *c = sld__first(mn); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "WellKnownName", SLD_NS_STYLE)) {
            const char *v = sld__text(p, c, buf, sizeof buf);
            h->kind = v ? hatch_kind(v) : STY_HATCH_NONE;
            if (v && h->kind == STY_HATCH_NONE)
                sld__issue(p, c, "GraphicFill mark '%.60s' is not supported (hatches: "
                                 "shape://horline, vertline, slash, backslash, times)", v);
        } else if (sld__is(c, "Stroke", SLD_NS_STYLE)) {
            sty_stroke k = {0};
            k.color = sty__rgb(0), k.opacity = 1.0, k.width = 1.0;
            parse_stroke(p, c, &k);
            h->color = k.color;
            h->opacity = k.opacity;
            h->width = k.width;
        } else if (!sld__is(c, "Fill", SLD_NS_STYLE)) { /* a fill of a line mark shows nothing */
            sld__issue(p, c, "<%s> in a GraphicFill <Mark> is not supported",
                       (const char *)c->name);
        }
    }
}

static void parse_graphic_fill(sld_parser *p, const xmlNode *gf, sty_symbolizer *y)
{
    const xmlNode *g = sld__first(gf);
    if (!sld__is(g, "Graphic", SLD_NS_STYLE)) {
        sld__issue(p, g ? g : gf, "<GraphicFill> without a <Graphic> is not supported");
        return;
    }
    double rot = 0.0;
    for (const xmlNode *c = sld__first(g); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Mark", SLD_NS_STYLE))
            parse_mark_hatch(p, c, &y->hatch);
        else if (sld__is(c, "Size", SLD_NS_STYLE))
            (void)sld__number(p, c, 0.5, MAX_PX, &y->hatch.spacing);
        else if (sld__is(c, "Rotation", SLD_NS_STYLE))
            (void)sld__number(p, c, -3600.0, 3600.0, &rot);
        else
            sld__issue(p, c, "<%s> in a GraphicFill is not supported", (const char *)c->name);
    }
    int deg = (int)rot;
    if ((double)deg != rot || deg % 45 != 0)
        sld__issue(p, g, "GraphicFill rotation %g is not supported (multiples of 45 are)", rot);
    else
        y->hatch.kind = hatch_rotate(y->hatch.kind, deg);
    if (y->hatch.kind != STY_HATCH_NONE)
        y->fill.enabled = 1;
}

static void parse_fill(sld_parser *p, const xmlNode *fn, sty_symbolizer *y, sty_fill *fill)
{
    char buf[128];
    fill->enabled = 1;
    for (const xmlNode *c = sld__first(fn); c && !p->failed; c = sld__next(c)) {
        xmlChar *name = NULL;
        if (y && sld__is(c, "GraphicFill", SLD_NS_STYLE)) {
            parse_graphic_fill(p, c, y);
            continue;
        }
        if (!param(c, &name)) {
            sld__issue(p, c, "<%s> in <Fill> is not supported", (const char *)c->name);
            continue;
        }
        const char *v = sld__text(p, c, buf, sizeof buf);
        const char *nm = name ? (const char *)name : "";
        if (!v)
            ;
        else if (strcmp(nm, "fill") == 0)
            (void)color_value(p, c, v, &fill->color);
        else if (strcmp(nm, "fill-opacity") == 0)
            (void)num_value(p, c, v, 0.0, 1.0, &fill->opacity);
        else
            sld__issue(p, c, "fill parameter '%.40s' is not supported", nm);
        xmlFree(name);
    }
}

/* Marks of PointSymbolizers ------------------------------------------------------------------- */

static void parse_mark(sld_parser *p, const xmlNode *mn, sty_symbolizer *y)
{
    static const char *const shapes[] = {"circle", "square", "triangle", "star", "cross", "x",
                                         NULL};
    char buf[128];
    int fill_seen = 0, stroke_seen = 0;
    for (const xmlNode *c = sld__first(mn); c && !p->failed; c = sld__next(c)) {
        int k;
        if (sld__is(c, "WellKnownName", SLD_NS_STYLE)) {
            const char *v = sld__text(p, c, buf, sizeof buf);
            if (v && keyword(p, c, v, shapes, &k) == 0)
                y->mark = (sty_mark_shape)k;
        } else if (sld__is(c, "Fill", SLD_NS_STYLE)) {
            parse_fill(p, c, NULL, &y->fill);
            fill_seen = 1;
        } else if (sld__is(c, "Stroke", SLD_NS_STYLE)) {
            parse_stroke(p, c, &y->stroke);
            stroke_seen = 1;
        } else {
            sld__issue(p, c, "<%s> in <Mark> is not supported", (const char *)c->name);
        }
    }
    /* SE 1.1: a Mark with a Fill but no Stroke has no stroke, and vice versa */
    if (fill_seen && !stroke_seen)
        y->stroke.enabled = 0;
    if (stroke_seen && !fill_seen)
        y->fill.enabled = 0;
}

static void parse_graphic(sld_parser *p, const xmlNode *g, sty_symbolizer *y)
{
    double rot = 0.0, opacity = 1.0;
    for (const xmlNode *c = sld__first(g); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Mark", SLD_NS_STYLE))
            parse_mark(p, c, y);
        else if (sld__is(c, "Size", SLD_NS_STYLE))
            (void)sld__number(p, c, 0.0, MAX_PX, &y->size);
        else if (sld__is(c, "Opacity", SLD_NS_STYLE))
            (void)sld__number(p, c, 0.0, 1.0, &opacity);
        else if (sld__is(c, "Rotation", SLD_NS_STYLE))
            (void)sld__number(p, c, -3600.0, 3600.0, &rot);
        else
            sld__issue(p, c, "<%s> in <Graphic> is not supported", (const char *)c->name);
    }
    if (rot != 0.0)
        sld__issue(p, g, "Graphic rotation %g is not supported", rot);
    y->fill.opacity *= opacity;
    y->stroke.opacity *= opacity;
}

/* Text ------------------------------------------------------------------------------------------ */

typedef struct label_build {
    sty_label_part parts[MAX_LABEL_PARTS];
    size_t n;
    int bad;
} label_build;

static void label_add(sld_parser *p, const xmlNode *n, label_build *lb, const char *text,
                      const char *prop)
{
    if (lb->n == MAX_LABEL_PARTS) {
        sld__fail(p, n, "a label of more than %d parts", MAX_LABEL_PARTS);
        return;
    }
    lb->parts[lb->n].text = text ? sty__style_strdup(p->s, text) : NULL;
    lb->parts[lb->n].prop = prop ? sty__prop_slot(p->s, prop) : -1;
    lb->n++;
}

static void parse_label_content(sld_parser *p, const xmlNode *ln, label_build *lb, int depth)
{
    char buf[512];
    if (depth > 8) {
        sld__fail(p, ln, "label expression nested too deeply");
        return;
    }
    for (const xmlNode *c = ln->children; c && !p->failed; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            int blank = 1;
            for (const char *q = t; q && *q; q++)
                blank &= isspace((unsigned char)*q) != 0;
            if (t && *t && !(blank && strchr(t, '\n'))) /* indentation between elements */
                label_add(p, c, lb, t, NULL);
        } else if (sld__is(c, "PropertyName", SLD_NS_OGC)) {
            const char *v = sld__text(p, c, buf, sizeof buf);
            if (v && *v)
                label_add(p, c, lb, NULL, v);
        } else if (sld__is(c, "Literal", SLD_NS_OGC)) {
            const char *v = sld__text(p, c, buf, sizeof buf);
            if (v)
                label_add(p, c, lb, v, NULL);
        } else if (sld__is(c, "Function", SLD_NS_OGC)) {
            xmlChar *fn = xmlGetProp(c, (const xmlChar *)"name");
            if (fn && (strcmp((const char *)fn, "Concatenate") == 0 ||
                       strcmp((const char *)fn, "strConcat") == 0)) {
                parse_label_content(p, c, lb, depth + 1);
            } else {
                sld__issue(p, c, "label function '%.40s' is not supported",
                           fn ? (const char *)fn : "");
                lb->bad = 1;
            }
            xmlFree(fn);
        } else if (c->type == XML_ELEMENT_NODE) {
            sld__issue(p, c, "<%s> in a label is not supported", (const char *)c->name);
            lb->bad = 1;
        }
    }
}

static void parse_font(sld_parser *p, const xmlNode *fn, sty_text *t)
{
    static const char *const styles[] = {"normal", "italic", "oblique", NULL};
    char buf[256];
    int family_seen = 0;
    for (const xmlNode *c = sld__first(fn); c && !p->failed; c = sld__next(c)) {
        xmlChar *name = NULL;
        if (!param(c, &name)) {
            sld__issue(p, c, "<%s> in <Font> is not supported", (const char *)c->name);
            continue;
        }
        const char *v = sld__text(p, c, buf, sizeof buf);
        const char *nm = name ? (const char *)name : "";
        int k;
        if (!v) {
        } else if (strcmp(nm, "font-family") == 0) {
            if (!family_seen++) /* the first choice; the renderer falls back to Noto Sans */
                t->family = sty__style_strdup(p->s, v);
        } else if (strcmp(nm, "font-size") == 0) {
            (void)num_value(p, c, v, 1.0, 500.0, &t->size);
        } else if (strcmp(nm, "font-style") == 0) {
            if (keyword(p, c, v, styles, &k) == 0)
                t->italic = k != 0;
        } else if (strcmp(nm, "font-weight") == 0) {
            int64_t w = 0;
            tl_err e = TL_ERR_INIT;
            t->bold = strcmp(v, "bold") == 0 || strcmp(v, "bolder") == 0 ||
                      (tl_parse_i64(v, 1, 1000, &w, &e) == 0 && w >= 600);
        } else {
            sld__issue(p, c, "font parameter '%.40s' is not supported", nm);
        }
        xmlFree(name);
    }
}

static void parse_xy(sld_parser *p, const xmlNode *n, const char *xn, const char *yn,
                     double lo, double hi, double *x, double *y)
{
    for (const xmlNode *c = sld__first(n); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, xn, SLD_NS_STYLE))
            (void)sld__number(p, c, lo, hi, x);
        else if (sld__is(c, yn, SLD_NS_STYLE))
            (void)sld__number(p, c, lo, hi, y);
        else
            sld__issue(p, c, "<%s> in <%s> is not supported", (const char *)c->name,
                       (const char *)n->name);
    }
}

static void parse_placement(sld_parser *p, const xmlNode *pn, sty_text *t)
{
    const xmlNode *k = sld__first(pn);
    if (sld__is(k, "PointPlacement", SLD_NS_STYLE)) {
        for (const xmlNode *c = sld__first(k); c && !p->failed; c = sld__next(c)) {
            double rot = 0.0;
            if (sld__is(c, "AnchorPoint", SLD_NS_STYLE))
                parse_xy(p, c, "AnchorPointX", "AnchorPointY", -10.0, 10.0, &t->anchor_x,
                         &t->anchor_y);
            else if (sld__is(c, "Displacement", SLD_NS_STYLE))
                parse_xy(p, c, "DisplacementX", "DisplacementY", -MAX_PX, MAX_PX, &t->disp_x,
                         &t->disp_y);
            else if (sld__is(c, "Rotation", SLD_NS_STYLE) &&
                     sld__number(p, c, -3600.0, 3600.0, &rot) == 0 && rot == 0.0)
                continue;
            else
                sld__issue(p, c, "<%s> in <PointPlacement> is not supported",
                           (const char *)c->name);
        }
    } else if (sld__is(k, "LinePlacement", SLD_NS_STYLE)) {
        t->along_line = 1;
        for (const xmlNode *c = sld__first(k); c && !p->failed; c = sld__next(c)) {
            double off = 0.0;
            if (sld__is(c, "PerpendicularOffset", SLD_NS_STYLE) &&
                sld__number(p, c, -MAX_PX, MAX_PX, &off) == 0 && off == 0.0)
                continue;
            sld__issue(p, c, "<%s> in <LinePlacement> is not supported", (const char *)c->name);
        }
    } else if (k) {
        sld__issue(p, k, "<%s> in <LabelPlacement> is not supported", (const char *)k->name);
    }
}

static void parse_halo(sld_parser *p, const xmlNode *hn, sty_text *t)
{
    t->halo_radius = 1.0; /* SE 1.1 default */
    for (const xmlNode *c = sld__first(hn); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Radius", SLD_NS_STYLE)) {
            (void)sld__number(p, c, 0.0, 50.0, &t->halo_radius);
        } else if (sld__is(c, "Fill", SLD_NS_STYLE)) {
            sty_fill f = {1, t->halo_color, t->halo_opacity};
            parse_fill(p, c, NULL, &f);
            t->halo_color = f.color;
            t->halo_opacity = f.opacity;
        } else {
            sld__issue(p, c, "<%s> in <Halo> is not supported", (const char *)c->name);
        }
    }
}

static void parse_text(sld_parser *p, const xmlNode *tn, sty_symbolizer *y)
{
    sty_text *t = y->text;
    label_build lb = {.n = 0};
    for (const xmlNode *c = sld__first(tn); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Label", SLD_NS_STYLE)) {
            parse_label_content(p, c, &lb, 0);
        } else if (sld__is(c, "Font", SLD_NS_STYLE)) {
            parse_font(p, c, t);
        } else if (sld__is(c, "LabelPlacement", SLD_NS_STYLE)) {
            parse_placement(p, c, t);
        } else if (sld__is(c, "Halo", SLD_NS_STYLE)) {
            parse_halo(p, c, t);
        } else if (sld__is(c, "Fill", SLD_NS_STYLE)) {
            sty_fill f = {1, t->color, t->opacity};
            parse_fill(p, c, NULL, &f);
            t->color = f.color;
            t->opacity = f.opacity;
        } else {
            sld__issue(p, c, "<%s> in <TextSymbolizer> is not supported", (const char *)c->name);
        }
    }
    if (lb.bad)
        lb.n = 0; /* an expression we cannot evaluate: no label rather than a wrong one */
    sty_label_part *parts = sty__style_alloc(p->s, (lb.n ? lb.n : 1) * sizeof *parts);
    memcpy(parts, lb.parts, lb.n * sizeof *parts);
    t->parts = parts;
    t->n_parts = lb.n;
}

/* Symbolizers ------------------------------------------------------------------------------------ */

static void parse_uom(sld_parser *p, const xmlNode *n, sty_symbolizer *y)
{
    xmlChar *u = xmlGetProp(n, (const xmlChar *)"uom");
    if (!u)
        return;
    const char *s = (const char *)u;
    if (tl_str_ends(s, "/metre") || tl_str_ends(s, "/meter"))
        y->uom = STY_UOM_METRE;
    else if (tl_str_ends(s, "/foot"))
        y->uom = STY_UOM_FOOT;
    else if (!tl_str_ends(s, "/pixel"))
        sld__issue(p, n, "uom '%.80s' is not supported (pixel, metre, foot)", s);
    xmlFree(u);
}

int sld__symbolizer(sld_parser *p, sty_rule *r, const xmlNode *n)
{
    static const char *const attrs[] = {"uom", "version", NULL};
    sty_sym_kind kind;
    if (sld__is(n, "PolygonSymbolizer", SLD_NS_STYLE))
        kind = STY_SYM_POLYGON;
    else if (sld__is(n, "LineSymbolizer", SLD_NS_STYLE))
        kind = STY_SYM_LINE;
    else if (sld__is(n, "PointSymbolizer", SLD_NS_STYLE))
        kind = STY_SYM_POINT;
    else if (sld__is(n, "TextSymbolizer", SLD_NS_STYLE))
        kind = STY_SYM_TEXT;
    else
        return 0;
    sty_symbolizer *y = sty__sym_add(p->s, r, kind);
    sld__check_attrs(p, n, attrs);
    parse_uom(p, n, y);
    if (kind == STY_SYM_LINE)
        y->stroke.enabled = 0; /* until a Stroke says otherwise */
    if (kind == STY_SYM_TEXT) {
        parse_text(p, n, y);
        return 1;
    }
    for (const xmlNode *c = sld__first(n); c && !p->failed; c = sld__next(c)) {
        if (kind != STY_SYM_POINT && sld__is(c, "Fill", SLD_NS_STYLE) && kind == STY_SYM_POLYGON)
            parse_fill(p, c, y, &y->fill);
        else if (kind != STY_SYM_POINT && sld__is(c, "Stroke", SLD_NS_STYLE))
            parse_stroke(p, c, &y->stroke);
        else if (kind == STY_SYM_POINT && sld__is(c, "Graphic", SLD_NS_STYLE))
            parse_graphic(p, c, y);
        else if (!sld__is(c, "Name", SLD_NS_STYLE) && !sld__is(c, "Description", SLD_NS_STYLE))
            sld__issue(p, c, "<%s> in <%s> is not supported", (const char *)c->name,
                       (const char *)n->name);
    }
    return 1;
}
