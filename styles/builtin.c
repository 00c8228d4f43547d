/* builtin.c: the built-in cartography: the Binh Duong planning look of the demo layers
 * (the same as ../shared/bench/styles/binhduong.map.in) and a plain default by geometry
 * kind for any other layer. Labels come with the next milestone. */
#include <string.h>

#include "styles/styles_int.h"

/* Zoom boundaries of the reference mapfile (geometric mid-points of 256 px tiles). */
#define Z11_12 193000.0
#define Z12_13 96500.0
#define Z13_14 48250.0
#define Z15_16 12060.0
#define NONE 0.0
#define OPEN STY_SCALE_UNBOUNDED

#define HAS_FILL 1
#define NO_FILL 0

/* Helpers ------------------------------------------------------------------------------- */

/* A rule for [min, max) with filter `prop` = `value` (no filter when prop is NULL). */
static sty_rule *rule(sty_style *s, sty_fts *f, const char *prop, const char *value,
                      double min, double max)
{
    sty_rule *r = sty__rule_add(s, f, value);
    if (prop)
        r->filter = sty__filter_leaf(s, STY_F_EQ, prop, &value, 1);
    r->min_scale = min;
    r->max_scale = max;
    return r;
}

/* MapServer (AGG) draws round caps and bevel joins unless told otherwise. */
static void stroke_set(sty_stroke *k, uint32_t rgb, double width, const double *dash,
                       size_t n_dash)
{
    k->enabled = 1;
    k->color = sty__rgb(rgb);
    k->opacity = 1.0;
    k->width = width;
    k->cap = n_dash ? STY_CAP_BUTT : STY_CAP_ROUND;
    k->join = STY_JOIN_BEVEL;
    for (size_t i = 0; i < n_dash && i < STY_MAX_DASH; i++)
        k->dash[i] = dash[i];
    k->n_dash = n_dash;
}

/* A polygon symbolizer: fill (when has_fill) then an outline (when width > 0). */
static void polygon(sty_style *s, sty_rule *r, int has_fill, uint32_t fill, double opacity,
                    uint32_t outline, double width, const double *dash, size_t n_dash)
{
    sty_symbolizer *y = sty__sym_add(s, r, STY_SYM_POLYGON);
    y->fill.enabled = has_fill;
    y->fill.color = sty__rgb(fill);
    y->fill.opacity = opacity;
    if (width > 0.0)
        stroke_set(&y->stroke, outline, width, dash, n_dash);
}

static void line(sty_style *s, sty_rule *r, uint32_t rgb, double width)
{
    sty_symbolizer *y = sty__sym_add(s, r, STY_SYM_LINE);
    stroke_set(&y->stroke, rgb, width, NULL, 0);
}

/* The demo layers ---------------------------------------------------------------------- */

static void build_zoning(sty_style *s)
{
    static const struct {
        const char *code;
        uint32_t fill, outline;
    } zones[] = {
        {"R1", 0xf7e08b, 0xc9ac4f}, {"R2", 0xf0a850, 0xb9772a}, {"C", 0xe8696b, 0xa83a3d},
        {"IND", 0xb49bd6, 0x7d62a6}, {"MX", 0xe38fc3, 0xa85a8d}, {"PUB", 0xd59a6a, 0x9c6538},
        {"GR", 0x8ccc79, 0x5c9a4b}, {"AG", 0xdfe9b4, 0xaab77f}, {"W", 0x9cc7ec, 0x6a98bf},
    };
    sty_fts *f = sty__fts_add(s, "zoning");
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        const char *c = zones[i].code;
        uint32_t fc = zones[i].fill, oc = zones[i].outline;
        polygon(s, rule(s, f, "zone_code", c, Z13_14, OPEN), HAS_FILL, fc, 1.0, 0, 0.0, NULL, 0);
        polygon(s, rule(s, f, "zone_code", c, Z15_16, Z13_14), HAS_FILL, fc, 1.0, oc, 0.5, NULL,
                0);
        polygon(s, rule(s, f, "zone_code", c, NONE, Z15_16), HAS_FILL, fc, 1.0, oc, 0.8, NULL, 0);
    }
}

static void build_green_spaces(sty_style *s)
{
    sty_fts *f = sty__fts_add(s, "green_spaces");
    polygon(s, rule(s, f, NULL, "green spaces", NONE, Z11_12), HAS_FILL, 0x4caf50, 0.55, 0, 0.0,
            NULL, 0);
}

static void build_industrial_parks(sty_style *s)
{
    static const double dash_small[] = {6, 4}, dash_big[] = {8, 5};
    sty_fts *f = sty__fts_add(s, "industrial_parks");
    polygon(s, rule(s, f, "status", "established", Z11_12, OPEN), HAS_FILL, 0x7b1fa2, 0.18,
            0x6a1b9a, 1.5, NULL, 0);
    polygon(s, rule(s, f, "status", "established", NONE, Z11_12), HAS_FILL, 0x7b1fa2, 0.18,
            0x6a1b9a, 2.5, NULL, 0);
    polygon(s, rule(s, f, "status", "planned", Z11_12, OPEN), HAS_FILL, 0xab47bc, 0.12, 0x8e24aa,
            1.5, dash_small, 2);
    polygon(s, rule(s, f, "status", "planned", NONE, Z11_12), HAS_FILL, 0xab47bc, 0.12, 0x8e24aa,
            2.5, dash_big, 2);
}

/* One road class: its colour and width per zoom band (0: not drawn in that band). */
typedef struct road_class {
    const char *name;
    uint32_t rgb;
    double w[4]; /* >= 193000, [48250, 193000), [12060, 48250), < 12060 */
} road_class;

static void road_rules(sty_style *s, sty_fts *f, const road_class *c)
{
    static const double lo[4] = {Z11_12, Z13_14, Z15_16, NONE};
    static const double hi[4] = {OPEN, Z11_12, Z13_14, Z15_16};
    for (int b = 0; b < 4; b++) {
        if (c->w[b] <= 0.0)
            continue;
        line(s, rule(s, f, "class", c->name, lo[b], hi[b]), c->rgb, c->w[b]);
    }
}

static void build_roads(sty_style *s)
{
    static const road_class minor[] = {
        {"secondary", 0xffffff, {0, 1.2, 3, 5}},
        {"tertiary", 0xffffff, {0, 0, 2, 4}},
        {"residential", 0xffffff, {0, 0, 1.2, 3}},
        {"unclassified", 0xf8f6ee, {0, 0, 0.8, 2}},
    };
    static const road_class major[] = {
        {"motorway", 0xb03a2e, {2, 3, 6, 10}},
        {"trunk", 0xe3742f, {1.8, 2.6, 5, 9}},
        {"primary", 0xf0b429, {1.2, 2, 4, 7}},
    };
    sty_fts *f = sty__fts_add(s, "roads_minor"); /* all minor roads under all major ones */
    for (size_t i = 0; i < sizeof minor / sizeof minor[0]; i++)
        road_rules(s, f, &minor[i]);
    /* tertiary at z13 only: [48250, 96500) at 0.8 px */
    line(s, rule(s, f, "class", "tertiary", Z13_14, Z12_13), 0xffffff, 0.8);
    f = sty__fts_add(s, "roads_major");
    for (size_t i = 0; i < sizeof major / sizeof major[0]; i++)
        road_rules(s, f, &major[i]);
}

static void build_districts(sty_style *s)
{
    static const double dash_small[] = {8, 3, 2, 3}, dash_big[] = {10, 4, 3, 4};
    sty_fts *f = sty__fts_add(s, "districts");
    polygon(s, rule(s, f, NULL, "boundary z0-z12", Z12_13, OPEN), NO_FILL, 0, 1.0, 0x6d4c8d, 1.2,
            dash_small, 4);
    polygon(s, rule(s, f, NULL, "boundary z13+", NONE, Z12_13), NO_FILL, 0, 1.0, 0x6d4c8d, 2.0,
            dash_big, 4);
}

/* Defaults -------------------------------------------------------------------------------- */

static void build_default(sty_style *s, lyr_geom_kind kind)
{
    sty_fts *f = sty__fts_add(s, "default");
    sty_rule *r = rule(s, f, NULL, "default", NONE, OPEN);
    sty_symbolizer *y;
    switch (kind) {
    case LYR_GEOM_POINT:
        y = sty__sym_add(s, r, STY_SYM_POINT);
        y->mark = STY_MARK_CIRCLE;
        y->size = 6.0;
        y->fill.enabled = 1;
        y->fill.color = sty__rgb(0x3d6a9e);
        stroke_set(&y->stroke, 0xffffff, 1.0, NULL, 0);
        break;
    case LYR_GEOM_LINE:
        line(s, r, 0x3d6a9e, 1.0);
        break;
    case LYR_GEOM_POLYGON:
    default:
        polygon(s, r, HAS_FILL, 0xa9bcd0, 0.7, 0x4f6a8a, 1.0, NULL, 0);
        break;
    }
}

sty_style *sty_style_builtin(const char *layer, lyr_geom_kind kind)
{
    static const struct {
        const char *layer;
        void (*build)(sty_style *s);
    } demo[] = {
        {"zoning", build_zoning},
        {"green_spaces", build_green_spaces},
        {"industrial_parks", build_industrial_parks},
        {"roads", build_roads},
        {"districts", build_districts},
    };
    const char *name = layer ? layer : "";
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
        if (strcmp(name, demo[i].layer) == 0) {
            sty_style *s = sty__style_new(demo[i].layer);
            demo[i].build(s);
            sty__style_finish(s);
            return s;
        }
    }
    sty_style *s = sty__style_new(kind == LYR_GEOM_POINT  ? "default-point"
                                  : kind == LYR_GEOM_LINE ? "default-line"
                                                          : "default-polygon");
    build_default(s, kind);
    sty__style_finish(s);
    return s;
}
