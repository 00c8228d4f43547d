/* styles_int.h: the internal style model, shared by the files of styles/ only (never
 * included from another module). A style is built once by one thread (builtin.c now, the
 * SLD/SE parser later) through the sty__ builder functions below, frozen by
 * sty__style_finish, and from then on immutable and shared between threads by reference
 * counting.
 *
 * Shape: style -> feature-type-styles (drawn one after the other) -> rules (filter, scale
 * range, symbolizers in draw order). Filters are a small expression tree over feature
 * properties. All memory of a style lives in the style's own arena and is freed at once
 * by the last sty_style_release. */
#ifndef STYLES_INT_H
#define STYLES_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "styles/styles.h"
#include "tiled/base/tl_arena.h"

#define STY_MAX_DASH 16                   /* dash array entries per stroke */
#define STY_MAX_FEATURES_PER_LAYER 4000000 /* features in view of one tile, per layer */
#define STY_SCALE_UNBOUNDED 1e300         /* rule max_scale when it has none */

/* Symbolizers ----------------------------------------------------------------- */

typedef struct sty_color {
    uint8_t r, g, b;
} sty_color;

typedef enum sty_linecap { STY_CAP_BUTT = 0, STY_CAP_ROUND, STY_CAP_SQUARE } sty_linecap;
typedef enum sty_linejoin { STY_JOIN_MITER = 0, STY_JOIN_ROUND, STY_JOIN_BEVEL } sty_linejoin;

typedef struct sty_fill {
    int enabled;     /* 0: no fill */
    sty_color color;
    double opacity;  /* 0..1 */
} sty_fill;

typedef struct sty_stroke {
    int enabled;                /* 0: no stroke */
    sty_color color;
    double opacity;             /* 0..1 */
    double width;               /* pixels at scale 1 (doubled for @2x) */
    double dash[STY_MAX_DASH];  /* on, off, on, ... pixels at scale 1 */
    size_t n_dash;              /* 0: solid */
    double dash_offset;         /* pixels at scale 1 */
    sty_linecap cap;
    sty_linejoin join;
    double miter_limit;         /* for STY_JOIN_MITER */
} sty_stroke;

typedef enum sty_sym_kind {
    STY_SYM_POLYGON = 1, /* fill + stroke of polygon rings; ignored for points and lines */
    STY_SYM_LINE = 2,    /* stroke of lines, or of polygon rings */
    STY_SYM_POINT = 3,   /* a mark at each point (at the bbox centre of lines/polygons) */
    STY_SYM_TEXT = 4     /* a label (placed after all layers are drawn) */
} sty_sym_kind;

typedef enum sty_mark_shape {
    STY_MARK_CIRCLE = 0,
    STY_MARK_SQUARE,
    STY_MARK_TRIANGLE,
    STY_MARK_STAR,
    STY_MARK_CROSS,
    STY_MARK_X
} sty_mark_shape;

/** Units of a symbolizer's sizes (SE 1.1 `uom`); metres and feet are on the ground. */
typedef enum sty_uom { STY_UOM_PIXEL = 0, STY_UOM_METRE, STY_UOM_FOOT } sty_uom;

/** Hatch of a GraphicFill (GeoServer shape://..., QGIS well-known names). */
typedef enum sty_hatch_kind {
    STY_HATCH_NONE = 0,
    STY_HATCH_HORLINE,
    STY_HATCH_VERTLINE,
    STY_HATCH_SLASH,     /* lines rising to the right */
    STY_HATCH_BACKSLASH, /* lines falling to the right */
    STY_HATCH_TIMES,     /* slash + backslash */
    STY_HATCH_PLUS       /* horline + vertline (QGIS "cross") */
} sty_hatch_kind;

typedef struct sty_hatch {
    sty_hatch_kind kind;  /* NONE: the fill is solid */
    double spacing;       /* Graphic Size: pattern cell side, in uom units */
    sty_color color;      /* the mark's stroke */
    double opacity;
    double width;         /* line width, in uom units */
} sty_hatch;

/** One piece of a label: literal text, or the value of property slot `prop`. */
typedef struct sty_label_part {
    const char *text; /* literal (owned by the style); NULL for a property */
    int prop;         /* slot in style->props, or -1 */
} sty_label_part;

typedef struct sty_text {
    const sty_label_part *parts; /* concatenated in order */
    size_t n_parts;
    const char *family;          /* first font-family; "Noto Sans" when none */
    int bold, italic;
    double size;                 /* font size, uom units (pixels by default) */
    sty_color color;
    double opacity;
    double halo_radius;          /* 0: no halo */
    sty_color halo_color;
    double halo_opacity;
    int along_line;              /* LinePlacement */
    double anchor_x, anchor_y;   /* PointPlacement AnchorPoint, 0..1 */
    double disp_x, disp_y;       /* Displacement, uom units, y up */
} sty_text;

typedef struct sty_symbolizer {
    sty_sym_kind kind;
    sty_fill fill;        /* polygon and point */
    sty_stroke stroke;    /* every kind */
    sty_hatch hatch;      /* polygon: a GraphicFill hatch drawn instead of the solid fill */
    sty_mark_shape mark;  /* point */
    double size;          /* point: mark size (circle diameter, square side), uom units */
    sty_uom uom;          /* units of widths, sizes, dashes, spacing, font size */
    sty_text *text;       /* STY_SYM_TEXT only */
} sty_symbolizer;

/* Filters --------------------------------------------------------------------- */

typedef enum sty_filter_op {
    STY_F_EQ = 1, /* property = lits[0] */
    STY_F_NE,
    STY_F_LT,
    STY_F_LE,
    STY_F_GT,
    STY_F_GE,
    STY_F_IN,      /* property equals one of lits[0..n_lits) */
    STY_F_BETWEEN, /* lits[0] <= property <= lits[1] */
    STY_F_LIKE,    /* property matches the pattern lits[0] (wild, single, escape) */
    STY_F_ISNULL,  /* property is null or missing */
    STY_F_AND,     /* all kids */
    STY_F_OR,      /* any kid */
    STY_F_NOT      /* not kids[0] */
} sty_filter_op;

/** A literal as written, with its numeric reading when it has one. */
typedef struct sty_literal {
    const char *s; /* owned by the style */
    double d;      /* when is_num */
    int64_t i;     /* when is_int */
    uint8_t is_num, is_int;
} sty_literal;

typedef struct sty_filter sty_filter;
struct sty_filter {
    sty_filter_op op;
    int prop;                 /* leaves: slot in style->props */
    const sty_literal *lits;  /* leaves: n_lits literals */
    size_t n_lits;
    int match_case;           /* text comparisons: 1 exact, 0 ASCII case-insensitive */
    char wild, single, escape; /* LIKE pattern characters */
    const sty_filter **kids;  /* AND / OR / NOT */
    size_t n_kids;
};

/* Rules, feature-type-styles, styles --------------------------------------------- */

typedef struct sty_rule {
    const char *name;          /* may be NULL */
    const char *title;         /* legend text; may be NULL */
    const sty_filter *filter;  /* NULL: every feature */
    int is_else;               /* ElseFilter: only features no other active rule took */
    double min_scale;          /* active when min_scale <= denom < max_scale (OGC 0.28 mm) */
    double max_scale;          /* STY_SCALE_UNBOUNDED when open */
    sty_symbolizer **syms;     /* draw order */
    size_t n_syms;
    size_t _cap_syms;
} sty_rule;

typedef struct sty_fts {
    const char *name;  /* may be NULL */
    sty_rule **rules;  /* evaluation order */
    size_t n_rules;
    size_t _cap_rules;
} sty_fts;

struct sty_style {
    atomic_int refs;
    tl_arena mem;       /* everything below lives here */
    const char *name;
    sty_fts **fts;      /* drawn in order */
    size_t n_fts;
    size_t _cap_fts;
    const char **props; /* distinct property names used by filters; index = slot */
    size_t n_props;
    size_t _cap_props;
    uint64_t hash;      /* content hash, set by sty__style_finish */
    int finished;
};

/* Building a style (one thread, before sharing) --------------------------------- */

/** A new empty style with one reference. `name` is copied. Never NULL (aborts on OOM). */
TL_MUST_USE sty_style *sty__style_new(const char *name);
/** Memory owned by the style, freed with it. */
void *sty__style_alloc(sty_style *s, size_t n);
char *sty__style_strdup(sty_style *s, const char *str);
/** Append a feature-type-style / a rule / a symbolizer; the returned object belongs to
 *  `s` and may be filled in until sty__style_finish. Rules start with the open scale range
 *  [0, STY_SCALE_UNBOUNDED). Symbolizers start with SE defaults for `kind` (grey fill,
 *  black 1 px stroke, butt caps, miter joins, 6 px square for points). */
sty_fts *sty__fts_add(sty_style *s, const char *name);
sty_rule *sty__rule_add(sty_style *s, sty_fts *f, const char *name);
sty_symbolizer *sty__sym_add(sty_style *s, sty_rule *r, sty_sym_kind kind);
/** Slot of property `name` in s->props, adding it if new. */
int sty__prop_slot(sty_style *s, const char *name);
/** A leaf filter (comparison, IN, BETWEEN, LIKE with '*' '?' '\\', IS NULL) on property
 *  `prop` with `n_lits` literals (copied; numbers are recognised). match_case is 1. */
sty_filter *sty__filter_leaf(sty_style *s, sty_filter_op op, const char *prop,
                             const char *const *lits, size_t n_lits);
/** AND / OR over `n` kids, or NOT over kids[0] (n == 1). The kids array is copied. */
sty_filter *sty__filter_logic(sty_style *s, sty_filter_op op, sty_filter *const *kids,
                              size_t n);
/** Freeze: compute the content hash. After this the style is immutable. */
void sty__style_finish(sty_style *s);

/** Parse "#rrggbb" (or "rrggbb"). 0 on success, -1 if malformed. */
int sty__color_parse(const char *str, sty_color *out);
/** A colour from 0xRRGGBB. */
sty_color sty__rgb(uint32_t hex);

/* Using a style (any thread, on a held reference) ----------------------------- */

/** 1 if rule `r` is active at OGC scale denominator `denom`. */
static inline int sty__rule_active(const sty_rule *r, double denom)
{
    return denom >= r->min_scale && denom < r->max_scale;
}

/** Fetch the value of property slot `slot` of the current feature into *v (v->is_null set
 *  for a missing field) and its field type into *type. */
typedef void (*sty__getter)(void *ctx, int slot, lyr_value *v, lyr_field_type *type);

/** The current feature of a layer for filters and labels: style property slots bound to
 *  the snapshot's fields (arrays from an arena). */
typedef struct sty__feat {
    const lyr_snapshot *snap;
    uint32_t id;
    const int *field;           /* per property slot: field index or -1 */
    const lyr_field_type *type; /* per property slot */
} sty__feat;
/** Bind the properties of `s` to the fields of `snap` (scratch from `a`). */
void sty__feat_bind(sty__feat *fc, const lyr_snapshot *snap, const sty_style *s, tl_arena *a);
/** A sty__getter over a sty__feat. */
void sty__feature_get(void *ctx, int slot, lyr_value *v, lyr_field_type *t);

/** Evaluate filter `f` for the feature behind `get`/`ctx`: 1 match, 0 no match.
 *  Comparisons with a null value are false. Thread-safe. */
int sty__filter_eval(const sty_filter *f, sty__getter get, void *ctx);
/** The one property slot `f` reads: -1 when it reads none, -2 when it reads more than one. */
int sty__filter_slot(const sty_filter *f);

/* Geometry to Cairo paths (path.c) ------------------------------------------------ */

/* The same typedef as cairo.h (C11 allows the repeat): tests that include this header
 * need no Cairo include path. */
typedef struct _cairo cairo_t;

/** EPSG:3857 -> device pixels of one tile: px = (x - ox) * k, py = (oy - y) * k. */
typedef struct sty__xform {
    double ox, oy; /* tile's minx, maxy, metres */
    double k;      /* pixels per metre */
    double size;   /* tile width = height, pixels */
    double min_d2; /* squared pixel distance under which a vertex is dropped */
} sty__xform;

/** Append the rings (closed sub-paths) or lines of `g` to the current path of `cr`, in
 *  device pixels, dropping vertices closer than sqrt(min_d2) to the last one drawn.
 *  Geometry that would leave Cairo's fixed-point range is clipped to a rectangle far
 *  outside the tile (scratch memory from `a`). Points append nothing. */
void sty__path_geom(cairo_t *cr, const lyr_geom_view *g, const sty__xform *x, tl_arena *a);

/* Thin outlines (thin.c) ------------------------------------------------------------------ */

#define STY_THIN_MAX_PX 1.0       /* solid outlines up to this width (device px) */
#define STY_THIN_LIMIT_PX 65536.0 /* geometry beyond this (float precision) goes to Cairo */

/** An edge of a ring, device pixels. */
typedef struct sty__thin_edge {
    float ax, ay, bx, by;
} sty__thin_edge;

/** Per row y, the columns [lo[y], hi[y]] something reached (empty: INT16_MAX, -1). */
typedef struct sty__spans {
    int16_t *lo, *hi; /* NULL: not made (yet) */
} sty__spans;

/** Draws thin solid outlines, solid fills and round-capped solid lines straight into an
 *  ARGB32 surface. */
typedef struct sty__thin {
    uint8_t *px;   /* the surface's premultiplied ARGB32 pixels */
    int stride, w, h;
    uint8_t *cov;  /* w * h coverage of the current feature; zero outside [x0,x1]x[y0,y1] */
    int x0, y0, x1, y1;
    float hw;      /* half the width */
    tl_arena *a;
    sty__thin_edge *ev; /* with a fill: the feature's edges (shells and holes opposed) */
    size_t n_ev, cap_ev;
    float *acc;    /* (w + 2) * h fill accumulation, zero between uses */
    float vx0, vy0, vx1, vy1; /* with a fill: the bbox of its vertices */
    sty__spans line;    /* the columns a line's segments reached */
    int spans;          /* the current feature is a line: paint by `line` */
    sty__spans cells;   /* the accumulation cells that fill edges touched */
    uint8_t *kb;        /* a row of fill coverage (w bytes) */
} sty__thin;

/** Bind to a surface's pixels. `cov` (w * h) and `acc` ((w + 2) * h) are buffers the caller
 *  keeps from tile to tile, all zero (thin.c leaves them so); NULL: made from `a`. */
void sty__thin_init(sty__thin *t, uint8_t *px, int stride, int w, int h, uint8_t *cov,
                    float *acc, tl_arena *a);
/** Start a feature's outline of `width` device pixels (<= STY_THIN_MAX_PX; any width for
 *  sty__thin_line). */
void sty__thin_begin(sty__thin *t, double width);
/** Add a segment (device pixels). */
void sty__thin_segment(sty__thin *t, double ax, double ay, double bx, double by);
/** Batched fills: one colour over polygons that overlap no other. _begin, then _add each
 *  polygon (0: beyond STY_THIN_LIMIT_PX, nothing added; one under a pixel both ways adds
 *  its area to the cells its bbox overlaps), then _paint composites (exact area coverage)
 *  and clears -- or _discard clears without painting. */
void sty__thin_fill_begin(sty__thin *t);
int sty__thin_fill_add(sty__thin *t, const lyr_geom_view *g, const sty__xform *x);
int sty__thin_fill_paint(sty__thin *t, sty_color c, double opacity);
void sty__thin_fill_discard(sty__thin *t);
/** Composite the feature's outline in colour `c` at `opacity` (source over) and clear its
 *  coverage. Returns 1 if any pixel of the surface was touched. */
int sty__thin_paint(sty__thin *t, sty_color c, double opacity);
/** Composite the feature's fill (exact area coverage of its rings), then its outline, in
 *  one pass; clears the coverage. Needs the edges kept by sty__thin_geom(..., 1). Returns
 *  1 if any pixel was touched. */
int sty__thin_paint_filled(sty__thin *t, sty_color fill, double fill_opacity, sty_color line,
                           double line_opacity);
/** The rings of polygon `g` as segments of `t`, with the vertex dropping of
 *  sty__path_geom; with `keep_edges`, also kept (holes turned against their shells) for
 *  sty__thin_paint_filled. Returns 0
 *  without adding anything when `g` reaches beyond STY_THIN_LIMIT_PX pixels from the tile,
 *  or (keeping edges) has more than STY_THIN_MAX_EDGES vertices: Cairo draws it then. */
int sty__thin_geom(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, int keep_edges);
#define STY_THIN_MAX_EDGES 512
/** Line `g` (solid, round caps, `t` begun with its width) as the union of its segments'
 *  capsules, for sty__thin_paint: round joins, and a bevel or miter `join` where it
 *  differs from a round one by at most 0.2 px. Returns 0 without adding anything when `g`
 *  is not a line, reaches beyond STY_THIN_LIMIT_PX or turns more sharply than that. */
int sty__thin_line(sty__thin *t, const lyr_geom_view *g, const sty__xform *x, int join,
                   double miter_limit);

/* Interior points (polylabel.c) --------------------------------------------------------- */

/** The pole of inaccessibility of the polygon made of rings [first, last) of `g` (an outer
 *  ring and its holes), to within `precision` in the units of the transformed coordinates:
 *  EPSG:3857 (x, y) maps to ((x - ox) * k, (oy - y) * k). Writes the point and returns its
 *  distance to the nearest edge. Scratch memory from `a`. */
double sty__polylabel(const lyr_geom_view *g, uint32_t first, uint32_t last, double ox,
                      double oy, double k, double precision, tl_arena *a, double *px,
                      double *py);

/* Symbol graphics (graphics.c) ---------------------------------------------------------- */

typedef struct _cairo_pattern cairo_pattern_t;

/** A repeating hatch pattern for `h` with sizes times `unit` (device pixels per uom unit),
 *  for a surface whose device pixel (0, 0) is world pixel (world_x, world_y): the pattern
 *  is anchored at the world pixel origin, so hatches continue across tile edges. Caller
 *  destroys it. Check cairo_pattern_status. */
cairo_pattern_t *sty__hatch_pattern(const sty_hatch *h, double unit, double world_x,
                                    double world_y);
/** Append a well-known mark of `size` device pixels centred on (cx, cy) to the path. */
void sty__mark_path(cairo_t *cr, sty_mark_shape shape, double cx, double cy, double size);
/** Device pixels per unit of `uom` for a symbolizer drawn at `px_per_m` pixels per
 *  EPSG:3857 metre around Mercator northing `y`, pixel ratio `scale`. */
double sty__uom_px(sty_uom uom, double scale, double px_per_m, double y);

/** Render `layers` over a w x h pixel window of zoom z whose pixel (0, 0) is world pixel
 *  (wx, wy) at pixel ratio `scale`, as tiles are drawn (labels included), into a malloc'd
 *  RGBA buffer. For tests and tools (it creates its own surface and fonts). */
int sty__render_window(const sty_layer *layers, size_t n_layers, int z, int scale, double wx,
                       double wy, int w, int h, tl_arena *a, uint8_t **rgba, tl_err *err);

/** A reusable RGBA PNG encoder (png.c): igzip state and scratch buffers, one
 *  per renderer thread. sty__png_encode: `clear` 1 when every pixel is 0, 0, 0, 0 (a tiny
 *  1-bit PNG is written), 0 when not, -1 to find out. */
typedef struct sty__png_enc sty__png_enc;
sty__png_enc *sty__png_enc_new(void);
void sty__png_enc_free(sty__png_enc *e);
int sty__png_encode(sty__png_enc *e, const uint8_t *rgba, int w, int h, size_t stride,
                    int clear, tl_buf *out, tl_err *err);

/** Encode RGBA rows as an 8-bit palette PNG at zlib `level` into `out`, keeping the
 *  opaque colours of `styles` exact (png8.c). */
int sty__png8_encode(const uint8_t *rgba, int w, int h, size_t stride,
                     const sty_style *const *styles, size_t n_styles, int level, tl_buf *out,
                     tl_err *err);

/** Unpremultiply Cairo ARGB32 (native-endian, premultiplied) rows in place into RGBA
 *  bytes. Returns 1 if every pixel is fully transparent. */
int sty__argb_to_rgba(uint8_t *data, int w, int h, size_t stride);
/** c * 255 / a, rounded (c <= a, 0 < a <= 255): what sty__argb_to_rgba un-premultiplies with. */
uint32_t sty__unpremul(uint32_t c, uint32_t a);

#endif
