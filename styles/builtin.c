/* builtin.c: the built-in cartography: the Binh Duong planning look of the demo layers,
 * parsed from the SLD document compiled into the binary (styles/binhduong_demo.sld), and a
 * plain default by geometry kind for any other layer. */
#include <string.h>

#include "styles/styles_int.h"

#define HAS_FILL 1

/* styles/binhduong_demo.sld, embedded by styles/embed.cmake */
extern const char sty__builtin_sld[];
extern const size_t sty__builtin_sld_len;

/* Helpers ------------------------------------------------------------------------------- */

static sty_rule *rule(sty_style *s, sty_fts *f, const char *name)
{
    return sty__rule_add(s, f, name);
}

static void stroke_set(sty_stroke *k, uint32_t rgb, double width)
{
    k->enabled = 1;
    k->color = sty__rgb(rgb);
    k->opacity = 1.0;
    k->width = width;
    k->cap = STY_CAP_ROUND;
    k->join = STY_JOIN_BEVEL;
}

static void polygon(sty_style *s, sty_rule *r, uint32_t fill, double opacity, uint32_t outline,
                    double width)
{
    sty_symbolizer *y = sty__sym_add(s, r, STY_SYM_POLYGON);
    y->fill.enabled = HAS_FILL;
    y->fill.color = sty__rgb(fill);
    y->fill.opacity = opacity;
    stroke_set(&y->stroke, outline, width);
}

static void line(sty_style *s, sty_rule *r, uint32_t rgb, double width)
{
    sty_symbolizer *y = sty__sym_add(s, r, STY_SYM_LINE);
    stroke_set(&y->stroke, rgb, width);
}

/* Defaults -------------------------------------------------------------------------------- */

static void build_default(sty_style *s, lyr_geom_kind kind)
{
    sty_fts *f = sty__fts_add(s, "default");
    sty_rule *r = rule(s, f, "default");
    sty_symbolizer *y;
    switch (kind) {
    case LYR_GEOM_POINT:
        y = sty__sym_add(s, r, STY_SYM_POINT);
        y->mark = STY_MARK_CIRCLE;
        y->size = 6.0;
        y->fill.enabled = 1;
        y->fill.color = sty__rgb(0x3d6a9e);
        stroke_set(&y->stroke, 0xffffff, 1.0);
        break;
    case LYR_GEOM_LINE:
        line(s, r, 0x3d6a9e, 1.0);
        break;
    case LYR_GEOM_POLYGON:
    default:
        polygon(s, r, 0xa9bcd0, 0.7, 0x4f6a8a, 1.0);
        break;
    }
}

sty_style *sty_style_builtin(const char *layer, lyr_geom_kind kind)
{
    static const char *const demo[] = {"zoning", "green_spaces", "industrial_parks", "roads",
                                       "districts"};
    const char *name = layer ? layer : "";
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
        if (strcmp(name, demo[i]) != 0)
            continue;
        tl_err err = TL_ERR_INIT;
        sty_style *s = sty_style_from_sld(sty__builtin_sld, sty__builtin_sld_len, demo[i],
                                          NULL, &err);
        if (TL_ALWAYS(s != NULL)) /* the unit tests parse it with no issue */
            return s;
        break;
    }
    sty_style *s = sty__style_new(kind == LYR_GEOM_POINT  ? "default-point"
                                  : kind == LYR_GEOM_LINE ? "default-line"
                                                          : "default-polygon");
    build_default(s, kind);
    sty__style_finish(s);
    return s;
}
