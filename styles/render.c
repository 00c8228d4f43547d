/* render.c: the per-thread tile renderer: picks the rules active at the tile's scale,
 * draws each layer's features with Cairo into a reused ARGB32 surface and hands the
 * unpremultiplied pixels to the PNG encoder. */
#include <math.h>
#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "styles/text_int.h"
#include "tiled/base/tl_util.h"

#define TILE_PX 256
#define MAX_SCALE 2
#define MIN_VERTEX_PX 0.25 /* consecutive vertices closer than this are dropped */
/* Strokes thinner than this (device pixels) are rasterized with Cairo's 4x4 "fast"
 * anti-aliasing instead of its 256x15 one: no visible difference on a line that thin,
 * and the zoning outlines at z14-z15 draw in half the time. */
#define THIN_STROKE_PX 1.5
#define COVERED_EDGE_PX 0.5
/* zlib level of palette PNGs: see the measurements in png8.c */
#define PNG8_LEVEL 6

struct sty_renderer {
    cairo_surface_t *surf[MAX_SCALE]; /* [scale - 1]: 256 and 512 px */
    cairo_t *cr[MAX_SCALE];
    sty__fonts *fonts;
    sty__anchors *anchors; /* label anchors remembered from tile to tile */
    sty__png_enc *png;
    uint8_t *cov[MAX_SCALE]; /* thin.c's buffers for the surfaces, zero between uses; */
    float *acc[MAX_SCALE];   /* made on the first tile of a scale */
};

/* A symbolizer prepared for one tile: patterns made, sizes in device pixels. */
typedef struct psym {
    const sty_symbolizer *y;
    cairo_pattern_t *fill;   /* NULL: no fill */
    cairo_pattern_t *stroke; /* NULL: no stroke */
    double width;
    double dash[STY_MAX_DASH];
    int n_dash;
    double dash_offset;
    double size; /* marks */
    cairo_antialias_t aa;      /* for the stroke */
    cairo_antialias_t fill_aa; /* for the fill */
    int thin;                  /* a polygon outline thin.c can draw */
    int thin_fill;             /* ... and the fill under it */
    int thin_line;             /* a line thin.c can draw (solid, round caps) */
    uint32_t *batch;      /* fills deferred to the end of the feature-type-style */
    size_t n_batch, cap_batch;
} psym;

typedef struct prule {
    const sty_rule *r;
    psym *syms;
    size_t n_syms;
} prule;

typedef struct pfts {
    prule *rules; /* active, non-else rules */
    size_t n_rules;
    prule *elses; /* active else rules */
    size_t n_elses;
} pfts;

typedef struct plan {
    pfts *fts;
    size_t n_fts;
    const sty__xform *xf; /* the tile */
    double scale;         /* pixel ratio */
    double buffer_px; /* how far outside the tile a feature can still leave ink */
    int ok;           /* 0 if a pattern could not be made */
} plan;

/* What is drawn right now: avoids resetting Cairo state that did not change. */
typedef struct draw_state {
    cairo_t *cr;
    tl_arena *a;
    sty__xform xf;
    const cairo_pattern_t *src; /* the current source */
    const psym *stroke;         /* whose stroke parameters are set */
    cairo_antialias_t aa;       /* the current anti-aliasing */
    lyr_geom_view g;            /* the current feature */
    int have_geom, have_path;
    uint32_t id;                /* the current feature */
    const uint8_t *overlaps;    /* batching: the snapshot's overlap flags; else NULL */
    cairo_surface_t *target;    /* the image surface drawn into */
    sty__thin thin;             /* thin outlines into target's pixels */
    int thin_ok;                /* target is an ARGB32 image surface */
} draw_state;

/* Attribute access for filters ------------------------------------------------------------- */

void sty__feature_get(void *ctx, int slot, lyr_value *v, lyr_field_type *t)
{
    const sty__feat *fc = ctx;
    int fi = fc->field[slot];
    if (fi < 0) {
        memset(v, 0, sizeof *v);
        v->is_null = 1;
        *t = LYR_FIELD_STRING;
        return;
    }
    *t = fc->type[slot];
    lyr_snapshot_value(fc->snap, fc->id, fi, v);
}

void sty__feat_bind(sty__feat *fc, const lyr_snapshot *snap, const sty_style *s, tl_arena *a)
{
    int *field = tl_arena_alloc(a, (s->n_props ? s->n_props : 1) * sizeof *field);
    lyr_field_type *type = tl_arena_alloc(a, (s->n_props ? s->n_props : 1) * sizeof *type);
    for (size_t i = 0; i < s->n_props; i++) {
        field[i] = lyr_snapshot_field_index(snap, s->props[i]);
        type[i] = field[i] >= 0 ? lyr_snapshot_field(snap, (size_t)field[i])->type
                                : LYR_FIELD_STRING;
    }
    fc->snap = snap;
    fc->id = 0;
    fc->field = field;
    fc->type = type;
}

/* Renderer lifetime ------------------------------------------------------------------- */

static void set_defaults(cairo_t *cr)
{
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    cairo_set_tolerance(cr, 0.1);
}

/* (Re)create the context of slot i; a Cairo context in an error state stays in it. */
static int make_context(sty_renderer *r, int i, tl_err *err)
{
    if (r->cr[i])
        cairo_destroy(r->cr[i]);
    r->cr[i] = cairo_create(r->surf[i]);
    if (cairo_status(r->cr[i]) != CAIRO_STATUS_SUCCESS) {
        TL_FAIL(err, TL_ENOMEM, "cairo: %s", cairo_status_to_string(cairo_status(r->cr[i])));
        return -1;
    }
    set_defaults(r->cr[i]);
    return 0;
}

sty_renderer *sty_renderer_new(tl_err *err)
{
    sty_renderer *r = tl_xcalloc(1, sizeof *r);
    r->fonts = sty__fonts_new();
    r->anchors = sty__anchors_new();
    r->png = sty__png_enc_new();
    if (!r->png) {
        TL_FAIL(err, TL_ENOMEM, "out of memory for a PNG encoder");
        sty_renderer_free(r);
        return NULL;
    }
    for (int i = 0; i < MAX_SCALE; i++) {
        int px = TILE_PX * (i + 1);
        r->surf[i] = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, px, px);
        if (cairo_surface_status(r->surf[i]) != CAIRO_STATUS_SUCCESS) {
            TL_FAIL(err, TL_ENOMEM, "cairo: %s",
                    cairo_status_to_string(cairo_surface_status(r->surf[i])));
            sty_renderer_free(r);
            return NULL;
        }
        if (make_context(r, i, err) < 0) {
            sty_renderer_free(r);
            return NULL;
        }
    }
    return r;
}

void sty_renderer_free(sty_renderer *r)
{
    if (!r)
        return;
    for (int i = 0; i < MAX_SCALE; i++) {
        if (r->cr[i])
            cairo_destroy(r->cr[i]);
        if (r->surf[i])
            cairo_surface_destroy(r->surf[i]);
    }
    sty__fonts_free(r->fonts);
    sty__anchors_free(r->anchors);
    sty__png_enc_free(r->png);
    for (int i = 0; i < MAX_SCALE; i++) {
        free(r->cov[i]);
        free(r->acc[i]);
    }
    free(r);
}

/* Planning one layer -------------------------------------------------------------------- */

static cairo_pattern_t *solid(sty_color c, double opacity, plan *p)
{
    cairo_pattern_t *pat = cairo_pattern_create_rgba(c.r / 255.0, c.g / 255.0, c.b / 255.0,
                                                     opacity < 0 ? 0 : opacity > 1 ? 1 : opacity);
    if (cairo_pattern_status(pat) != CAIRO_STATUS_SUCCESS)
        p->ok = 0;
    return pat;
}

/* How far ink of a stroke reaches from the centre line, in stroke widths. */
static double stroke_reach(const sty_stroke *k)
{
    double f = 0.5;
    if (k->cap == STY_CAP_SQUARE)
        f = 0.7072;
    if (k->join == STY_JOIN_MITER && k->miter_limit > 1.0)
        f = fmax(f, 0.5 * k->miter_limit);
    return f;
}

double sty__uom_px(sty_uom uom, double scale, double px_per_m, double y)
{
    /* a ground metre is cosh(y / R) Mercator metres */
    switch (uom) {
    case STY_UOM_METRE:
        return px_per_m * cosh(y / TL_MERC_R);
    case STY_UOM_FOOT:
        return 0.3048 * px_per_m * cosh(y / TL_MERC_R);
    case STY_UOM_PIXEL:
    default:
        return scale;
    }
}

static void prepare_sym(psym *ps, const sty_symbolizer *y, plan *p)
{
    const sty__xform *x = p->xf;
    double scale = sty__uom_px(y->uom, p->scale, x->k, x->oy - x->size / x->k / 2.0);
    memset(ps, 0, sizeof *ps);
    ps->y = y;
    double reach = 0.0;
    if (y->fill.enabled && y->kind == STY_SYM_POLYGON && y->hatch.kind != STY_HATCH_NONE) {
        ps->fill = sty__hatch_pattern(&y->hatch, scale, (x->ox + TL_MERC_HALF) * x->k,
                                      (TL_MERC_HALF - x->oy) * x->k);
        if (cairo_pattern_status(ps->fill) != CAIRO_STATUS_SUCCESS)
            p->ok = 0;
    } else if (y->fill.enabled && y->kind != STY_SYM_LINE) {
        ps->fill = solid(y->fill.color, y->fill.opacity, p);
    }
    if (y->stroke.enabled && y->stroke.width > 0.0) {
        const sty_stroke *k = &y->stroke;
        double sum = 0.0;
        ps->stroke = solid(k->color, k->opacity, p);
        ps->width = k->width * scale;
        for (size_t i = 0; i < k->n_dash && i < STY_MAX_DASH; i++) {
            ps->dash[i] = k->dash[i] * scale;
            if (!(ps->dash[i] >= 0.0)) /* negative or NaN: Cairo would refuse the dash */
                sum = -1e300;
            sum += ps->dash[i];
        }
        ps->n_dash = sum > 0.0 ? (int)k->n_dash : 0; /* an all-zero dash draws solid */
        ps->dash_offset = k->dash_offset * scale;
        ps->aa = ps->width < THIN_STROKE_PX ? CAIRO_ANTIALIAS_FAST : CAIRO_ANTIALIAS_GRAY;
        ps->thin = y->kind == STY_SYM_POLYGON && ps->n_dash == 0 && ps->width <= STY_THIN_MAX_PX;
        ps->thin_line = y->kind == STY_SYM_LINE && ps->n_dash == 0 && k->cap == STY_CAP_ROUND;
        reach = ps->width * stroke_reach(k);
    }
    /* A polygon fill whose edge its own solid, opaque outline of at least COVERED_EDGE_PX
     * paints over right after: the fill's anti-aliasing hardly shows, Cairo's 4x4 one will
     * do (bench tiles: z14 -11 %, z15 -8 % instructions; side by side at 8x the same). */
    ps->fill_aa = CAIRO_ANTIALIAS_GRAY;
    if (y->kind == STY_SYM_POLYGON && ps->fill && ps->stroke && ps->width >= COVERED_EDGE_PX &&
        ps->n_dash == 0 && y->stroke.opacity >= 1.0 && y->hatch.kind == STY_HATCH_NONE) {
        ps->fill_aa = CAIRO_ANTIALIAS_FAST;
        ps->thin_fill = ps->thin; /* thin.c draws both, the outline over the fill's edge */
    }
    if (y->kind == STY_SYM_POINT) {
        ps->size = y->size * scale;
        reach += ps->size * 0.7072;
    }
    if (reach > p->buffer_px)
        p->buffer_px = reach;
}

/* Symbolizers drawn in the geometry pass (labels come after all layers). */
static size_t n_geom_syms(const sty_rule *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_syms; i++)
        n += r->syms[i]->kind != STY_SYM_TEXT;
    return n;
}

static void prepare_rule(prule *pr, const sty_rule *r, tl_arena *a, plan *p)
{
    pr->r = r;
    pr->n_syms = 0;
    pr->syms = tl_arena_alloc(a, (r->n_syms ? r->n_syms : 1) * sizeof *pr->syms);
    for (size_t i = 0; i < r->n_syms; i++)
        if (r->syms[i]->kind != STY_SYM_TEXT)
            prepare_sym(&pr->syms[pr->n_syms++], r->syms[i], p);
}

/* The rules of `s` active at `denom`; 0 when nothing of the layer is drawn at this scale. */
static int plan_layer(plan *p, const sty_style *s, double denom, double scale,
                      const sty__xform *xf, tl_arena *a)
{
    memset(p, 0, sizeof *p);
    p->ok = 1;
    p->xf = xf;
    p->scale = scale;
    p->fts = tl_arena_calloc(a, s->n_fts ? s->n_fts : 1, sizeof *p->fts);
    size_t active = 0;
    for (size_t i = 0; i < s->n_fts; i++) {
        const sty_fts *f = s->fts[i];
        pfts *pf = &p->fts[p->n_fts];
        size_t n = 0;
        for (size_t j = 0; j < f->n_rules; j++)
            n += sty__rule_active(f->rules[j], denom) && n_geom_syms(f->rules[j]) > 0;
        if (n == 0)
            continue;
        pf->rules = tl_arena_alloc(a, n * sizeof *pf->rules);
        pf->elses = tl_arena_alloc(a, n * sizeof *pf->elses);
        for (size_t j = 0; j < f->n_rules; j++) {
            const sty_rule *r = f->rules[j];
            if (!sty__rule_active(r, denom) || n_geom_syms(r) == 0)
                continue;
            prule *pr = r->is_else ? &pf->elses[pf->n_elses++] : &pf->rules[pf->n_rules++];
            prepare_rule(pr, r, a, p);
        }
        p->n_fts++;
        active += n;
    }
    p->buffer_px = ceil(p->buffer_px) + 1.0; /* + anti-aliasing */
    return active > 0;
}

/* Every prepared symbolizer of a feature-type-style: its rules' in order, then its else
 * rules'. */
typedef struct sym_iter {
    const pfts *f;
    size_t rule, sym;
} sym_iter;

static psym *next_sym(sym_iter *it)
{
    const pfts *f = it->f;
    while (it->rule < f->n_rules + f->n_elses) {
        prule *r = it->rule < f->n_rules ? &f->rules[it->rule] : &f->elses[it->rule - f->n_rules];
        if (it->sym < r->n_syms)
            return &r->syms[it->sym++];
        it->rule++;
        it->sym = 0;
    }
    return NULL;
}

static void plan_release(plan *p)
{
    for (size_t i = 0; i < p->n_fts; i++) {
        sym_iter it = {&p->fts[i], 0, 0};
        for (psym *s; (s = next_sym(&it)) != NULL;) {
            if (s->fill)
                cairo_pattern_destroy(s->fill);
            if (s->stroke)
                cairo_pattern_destroy(s->stroke);
        }
    }
}

/* Drawing ---------------------------------------------------------------------------------- */

static void use_source(draw_state *d, cairo_pattern_t *pat)
{
    if (d->src == pat)
        return;
    cairo_set_source(d->cr, pat);
    d->src = pat;
}

static void use_aa(draw_state *d, cairo_antialias_t aa)
{
    if (d->aa == aa)
        return;
    cairo_set_antialias(d->cr, aa);
    d->aa = aa;
}

/* Fill the current path (kept) with the symbolizer's fill. */
static void fill_with(draw_state *d, const psym *s)
{
    use_source(d, s->fill);
    use_aa(d, s->fill_aa);
    cairo_fill_preserve(d->cr);
}

static void use_stroke(draw_state *d, const psym *s)
{
    static const cairo_line_cap_t caps[] = {CAIRO_LINE_CAP_BUTT, CAIRO_LINE_CAP_ROUND,
                                            CAIRO_LINE_CAP_SQUARE};
    static const cairo_line_join_t joins[] = {CAIRO_LINE_JOIN_MITER, CAIRO_LINE_JOIN_ROUND,
                                              CAIRO_LINE_JOIN_BEVEL};
    use_source(d, s->stroke);
    use_aa(d, s->aa);
    if (d->stroke == s)
        return;
    const sty_stroke *k = &s->y->stroke;
    cairo_set_line_width(d->cr, s->width);
    cairo_set_line_cap(d->cr, caps[k->cap]);
    cairo_set_line_join(d->cr, joins[k->join]);
    if (k->join == STY_JOIN_MITER)
        cairo_set_miter_limit(d->cr, k->miter_limit > 1.0 ? k->miter_limit : 1.0);
    /* set_dash copies the array: only when it changes (d->stroke tracks that) */
    if (!d->stroke || d->stroke->n_dash || s->n_dash)
        cairo_set_dash(d->cr, s->dash, s->n_dash, s->dash_offset);
    d->stroke = s;
}

static void ensure_path(draw_state *d)
{
    if (d->have_path)
        return;
    sty__path_geom(d->cr, &d->g, &d->xf, d->a);
    d->have_path = 1;
}

static void drop_path(draw_state *d)
{
    if (d->have_path)
        cairo_new_path(d->cr);
    d->have_path = 0;
}

/* Marks at each point of the feature (bbox centre for lines and polygons). */
static void draw_marks(draw_state *d, const psym *s)
{
    const lyr_geom_view *g = &d->g;
    const sty__xform *x = &d->xf;
    double r = s->size / 2.0;
    drop_path(d);
    if (g->kind == LYR_GEOM_POINT) {
        for (uint32_t i = 0; i < g->n_parts; i++) {
            const double *p = g->xy + 2 * (size_t)g->part_start[i];
            double px = (p[0] - x->ox) * x->k, py = (x->oy - p[1]) * x->k;
            if (px < -r - s->width || py < -r - s->width || px > x->size + r + s->width ||
                py > x->size + r + s->width)
                continue;
            sty__mark_path(d->cr, s->y->mark, px, py, s->size);
        }
    } else {
        double px = ((g->bbox.minx + g->bbox.maxx) / 2.0 - x->ox) * x->k;
        double py = (x->oy - (g->bbox.miny + g->bbox.maxy) / 2.0) * x->k;
        sty__mark_path(d->cr, s->y->mark, px, py, s->size);
    }
    if (s->fill)
        fill_with(d, s);
    if (s->stroke) {
        use_stroke(d, s);
        cairo_stroke_preserve(d->cr);
    }
    cairo_new_path(d->cr);
}

/* Composite the stroke thin.c holds for the current feature into the surface. */
static void thin_stroke_paint(draw_state *d, const sty_stroke *k)
{
    sty__thin *t = &d->thin;
    int x0 = t->x0, y0 = t->y0, x1 = t->x1, y1 = t->y1;
    cairo_surface_flush(d->target);
    if (sty__thin_paint(t, k->color, k->opacity))
        cairo_surface_mark_dirty_rectangle(d->target, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

/* The current polygon's outline drawn by thin.c; 0 when it is too far out for it. */
static int thin_outline(draw_state *d, const psym *s)
{
    sty__thin_begin(&d->thin, s->width);
    if (!sty__thin_geom(&d->thin, &d->g, &d->xf, 0))
        return 0;
    thin_stroke_paint(d, &s->y->stroke);
    return 1;
}

/* The current polygon's fill and outline drawn by thin.c (psym.thin_fill); 0 when it is
 * too far out or has too many vertices for it. */
static int thin_filled(draw_state *d, const psym *s)
{
    sty__thin *t = &d->thin;
    sty__thin_begin(t, s->width);
    if (!sty__thin_geom(t, &d->g, &d->xf, 1))
        return 0;
    cairo_surface_flush(d->target);
    const sty_symbolizer *y = s->y;
    if (sty__thin_paint_filled(t, y->fill.color, y->fill.opacity, y->stroke.color,
                               y->stroke.opacity))
        cairo_surface_mark_dirty(d->target);
    return 1;
}

/* The current line drawn by thin.c (psym.thin_line); 0 when it is too far out or turns
 * where its join would show. */
static int thin_line(draw_state *d, const psym *s)
{
    const sty_stroke *k = &s->y->stroke;
    sty__thin_begin(&d->thin, s->width);
    if (!sty__thin_line(&d->thin, &d->g, &d->xf, (int)k->join, k->miter_limit))
        return 0;
    thin_stroke_paint(d, k);
    return 1;
}

/* A solid fill through thin.c's accumulation (exact area coverage, as Cairo's GRAY
 * anti-aliasing) of features `ids` of `snap`, or of the current feature when `ids` is NULL;
 * 0 (nothing drawn) when the fill is hatched or a polygon is too far out for thin.c. */
static int thin_fill_of(draw_state *d, const psym *s, const lyr_snapshot *snap,
                        const uint32_t *ids, size_t n)
{
    if (!d->thin_ok || s->y->hatch.kind != STY_HATCH_NONE)
        return 0;
    sty__thin *t = &d->thin;
    sty__thin_fill_begin(t);
    for (size_t i = 0; i < n; i++) {
        lyr_geom_view g;
        if (ids)
            lyr_snapshot_geom(snap, ids[i], &g);
        if (!sty__thin_fill_add(t, ids ? &g : &d->g, &d->xf)) {
            sty__thin_fill_discard(t);
            return 0;
        }
    }
    cairo_surface_flush(d->target);
    if (sty__thin_fill_paint(t, s->y->fill.color, s->y->fill.opacity))
        cairo_surface_mark_dirty(d->target);
    return 1;
}

/* Defer the fill of the current feature to its symbolizer's batch. */
static void defer_fill(draw_state *d, psym *s)
{
    s->batch = tl_arena_grow(d->a, s->batch, s->n_batch, &s->cap_batch, sizeof *s->batch, 256);
    s->batch[s->n_batch++] = d->id;
}

static void draw_rule(draw_state *d, prule *pr)
{
    for (size_t i = 0; i < pr->n_syms; i++) {
        psym *s = &pr->syms[i];
        switch (s->y->kind) {
        case STY_SYM_POLYGON:
            if (d->g.kind != LYR_GEOM_POLYGON)
                break;
            if (d->overlaps && !d->overlaps[d->id]) {
                defer_fill(d, s);
                break;
            }
            if (s->thin_fill && d->thin_ok && thin_filled(d, s))
                break;
            if (s->fill && !thin_fill_of(d, s, NULL, NULL, 1)) {
                ensure_path(d);
                fill_with(d, s);
            }
            if (s->stroke && !(s->thin && d->thin_ok && thin_outline(d, s))) {
                ensure_path(d);
                use_stroke(d, s);
                cairo_stroke_preserve(d->cr);
            }
            break;
        case STY_SYM_LINE:
            if (d->g.kind == LYR_GEOM_POINT || !s->stroke)
                break;
            if (s->thin_line && d->thin_ok && thin_line(d, s))
                break;
            ensure_path(d);
            use_stroke(d, s);
            cairo_stroke_preserve(d->cr);
            break;
        case STY_SYM_POINT:
            draw_marks(d, s);
            break;
        case STY_SYM_TEXT: /* never prepared: labels are placed after all layers */
            break;
        }
    }
}

/* Which rules of a feature-type-style match, remembered per distinct value when every
 * filter of the style reads the same text property (a categorized style: zone_code = 'R1',
 * ...): one lookup per feature instead of one filter evaluation per rule. */
#define MEMO_CAP 256 /* distinct values remembered per feature-type-style and tile */
#define MEMO_MAX_RULES 64

typedef struct rule_memo {
    int field; /* the snapshot's text field every filter reads */
    size_t n;
    uint32_t keys[MEMO_CAP];
    uint64_t masks[MEMO_CAP]; /* bit j: rules[j] matches */
    uint8_t used[MEMO_CAP];
} rule_memo;

static rule_memo *memo_new(const pfts *f, const sty__feat *fc, tl_arena *a)
{
    if (f->n_rules > MEMO_MAX_RULES)
        return NULL;
    int slot = -1;
    for (size_t j = 0; j < f->n_rules; j++) {
        if (!f->rules[j].r->filter)
            continue;
        int k = sty__filter_slot(f->rules[j].r->filter);
        if (k == -2 || (k >= 0 && slot >= 0 && k != slot))
            return NULL;
        if (k >= 0)
            slot = k;
    }
    uint32_t key;
    if (slot < 0 || fc->field[slot] < 0 || fc->type[slot] != LYR_FIELD_STRING ||
        lyr_snapshot_count(fc->snap) == 0 ||
        !lyr_snapshot_str_key(fc->snap, 0, fc->field[slot], &key))
        return NULL;
    rule_memo *m = tl_arena_alloc(a, sizeof *m);
    m->field = fc->field[slot];
    m->n = 0;
    memset(m->used, 0, sizeof m->used);
    return m;
}

static uint64_t eval_rules(const pfts *f, sty__feat *fc)
{
    uint64_t mask = 0;
    for (size_t j = 0; j < f->n_rules; j++) {
        const sty_filter *flt = f->rules[j].r->filter;
        if (!flt || sty__filter_eval(flt, sty__feature_get, fc))
            mask |= (uint64_t)1 << j;
    }
    return mask;
}

static uint64_t memo_rules(rule_memo *m, const pfts *f, sty__feat *fc)
{
    uint32_t key = 0;
    (void)lyr_snapshot_str_key(fc->snap, fc->id, m->field, &key);
    size_t h = (size_t)((key * 2654435761u) >> 24) & (MEMO_CAP - 1);
    while (m->used[h]) {
        if (m->keys[h] == key)
            return m->masks[h];
        h = (h + 1) & (MEMO_CAP - 1);
    }
    uint64_t mask = eval_rules(f, fc);
    if (m->n < MEMO_CAP / 2) {
        m->used[h] = 1;
        m->keys[h] = key;
        m->masks[h] = mask;
        m->n++;
    }
    return mask;
}

static void draw_matched(draw_state *d, const sty__feat *fc, prule *pr)
{
    if (!d->have_geom) {
        lyr_snapshot_geom(fc->snap, fc->id, &d->g);
        d->have_geom = 1;
    }
    draw_rule(d, pr);
}

/* Can the fills of `f` be batched? Only when every active symbolizer is a polygon fill
 * without a stroke (a stroke drawn between two fills must stay between them) and the
 * snapshot knows which of its polygons overlap others. */
static const uint8_t *batch_flags(const pfts *f, const lyr_snapshot *snap)
{
    if (lyr_snapshot_kind(snap) != LYR_GEOM_POLYGON)
        return NULL;
    sym_iter it = {f, 0, 0};
    for (const psym *s; (s = next_sym(&it)) != NULL;)
        if (s->y->kind != STY_SYM_POLYGON || !s->fill || s->stroke)
            return NULL;
    return lyr_snapshot_overlap_flags(snap);
}

/* A solid batch through thin.c's accumulation; 0 (nothing drawn) when a polygon of it is
 * beyond thin.c's reach: the whole batch then goes to Cairo, so its parcels keep sharing
 * edges without seams. */
static int thin_batch(draw_state *d, psym *s, const lyr_snapshot *snap)
{
    if (!thin_fill_of(d, s, snap, s->batch, s->n_batch))
        return 0;
    s->n_batch = 0;
    return 1;
}

/* Fill each symbolizer's deferred features at once, in the order of the rules and
 * symbolizers (every feature uses them in that order). Batched features overlap no
 * other feature, so only anti-aliased edges can tell the order apart -- and the edges
 * shared by features of one batch no longer show a seam. Solid batches go through
 * thin.c, hatched ones are one Cairo path. */
static void flush_batches(draw_state *d, const pfts *f, const lyr_snapshot *snap)
{
    sym_iter it = {f, 0, 0};
    for (psym *s; (s = next_sym(&it)) != NULL;) {
        if (s->n_batch == 0 || thin_batch(d, s, snap))
            continue;
        cairo_new_path(d->cr);
        for (size_t i = 0; i < s->n_batch; i++) {
            lyr_geom_view g;
            lyr_snapshot_geom(snap, s->batch[i], &g);
            sty__path_geom(d->cr, &g, &d->xf, d->a);
        }
        use_source(d, s->fill);
        use_aa(d, s->y->hatch.kind == STY_HATCH_NONE ? CAIRO_ANTIALIAS_FAST
                                                     : CAIRO_ANTIALIAS_GRAY);
        cairo_fill(d->cr);
        s->n_batch = 0;
    }
}

/* One feature-type-style over the features in view, in feature order. */
static void draw_fts(draw_state *d, pfts *f, sty__feat *fc, const uint32_t *ids, size_t n)
{
    rule_memo *memo = memo_new(f, fc, d->a);
    d->overlaps = batch_flags(f, fc->snap);
    for (size_t k = 0; k < n; k++) {
        int matched = 0;
        fc->id = ids[k];
        d->id = ids[k];
        d->have_geom = 0;
        if (memo) {
            uint64_t mask = memo_rules(memo, f, fc);
            matched = mask != 0;
            for (size_t j = 0; mask; j++, mask >>= 1)
                if (mask & 1)
                    draw_matched(d, fc, &f->rules[j]);
        } else {
            for (size_t j = 0; j < f->n_rules; j++) {
                prule *pr = &f->rules[j];
                if (pr->r->filter && !sty__filter_eval(pr->r->filter, sty__feature_get, fc))
                    continue;
                matched = 1;
                draw_matched(d, fc, pr);
            }
        }
        for (size_t j = 0; !matched && j < f->n_elses; j++)
            draw_matched(d, fc, &f->elses[j]);
        drop_path(d);
    }
    if (d->overlaps)
        flush_batches(d, f, fc->snap);
    d->overlaps = NULL;
}

/* Query the layer's features around the tile and draw them. */
static int draw_layer(draw_state *d, const sty_layer *L, const tl_bbox *tile, double denom,
                      double scale, tl_err *err)
{
    plan p;
    if (!plan_layer(&p, L->style, denom, scale, &d->xf, d->a)) {
        plan_release(&p);
        return 0;
    }
    int rc = -1;
    if (!p.ok) {
        TL_FAIL(err, TL_ENOMEM, "cairo: out of memory for patterns");
        goto done;
    }
    double buf = p.buffer_px / d->xf.k;
    tl_bbox q = {tile->minx - buf, tile->miny - buf, tile->maxx + buf, tile->maxy + buf};
    uint32_t *ids = NULL;
    size_t n = 0;
    if (lyr_snapshot_query_bbox(L->snap, &q, d->a, STY_MAX_FEATURES_PER_LAYER, &ids, &n,
                                err) < 0)
        goto done;
    /* filter properties -> this snapshot's field indexes, once per layer and tile */
    sty__feat fc;
    sty__feat_bind(&fc, L->snap, L->style, d->a);
    for (size_t i = 0; i < p.n_fts; i++)
        draw_fts(d, &p.fts[i], &fc, ids, n);
    rc = 0;
done:
    /* let go of this layer's patterns before they are destroyed */
    cairo_set_source_rgba(d->cr, 0, 0, 0, 0);
    d->src = NULL;
    d->stroke = NULL;
    plan_release(&p);
    return rc;
}

/* Pixels -------------------------------------------------------------------------------------- */

/* Un-premultiplying, c * 255 / a rounded, by a multiply: (c * 255 + a / 2) * ceil(2^32 / a)
 * >> 32 is the exact quotient for numerators below 2^16 (checked for every pair in
 * test_render.c). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sty__argb_to_rgba writes RGBA bytes as little-endian words"
#endif
static uint64_t unpremul_tab[256];
static pthread_once_t unpremul_once = PTHREAD_ONCE_INIT;

static void unpremul_init(void)
{
    for (uint64_t a = 1; a < 256; a++)
        unpremul_tab[a] = ((UINT64_C(1) << 32) + a - 1) / a;
}

static inline uint32_t unpremul(uint32_t c, uint32_t a)
{
    return (uint32_t)(((uint64_t)(c * 255 + a / 2) * unpremul_tab[a]) >> 32);
}

uint32_t sty__unpremul(uint32_t c, uint32_t a)
{
    pthread_once(&unpremul_once, unpremul_init);
    return unpremul(c, a);
}

/* One premultiplied ARGB32 pixel as the bytes R G B A (straight alpha). */
static inline uint32_t to_rgba(uint32_t p)
{
    uint32_t a = p >> 24;
    if (a == 255) /* opaque, most of a map: A R G B -> the bytes R G B A */
        return (p & 0xff00ff00u) | ((p >> 16) & 0xffu) | ((p & 0xffu) << 16);
    if (a == 0)
        return p; /* transparent: premultiplied, so already 0, 0, 0, 0 */
    uint32_t r = unpremul((p >> 16) & 0xffu, a);
    uint32_t g = unpremul((p >> 8) & 0xffu, a);
    uint32_t b = unpremul(p & 0xffu, a);
    r = r > 255 ? 255 : r; /* Cairo keeps c <= a; a foreign surface might not */
    g = g > 255 ? 255 : g;
    b = b > 255 ? 255 : b;
    return a << 24 | b << 16 | g << 8 | r;
}

#ifdef __SSE2__
/* Four pixels of to_rgba at once, for any alphas: c' = floor((255 c + floor(a / 2)) / a) in
 * single precision is exact (the numerator is an integer below 2^16; a quotient that is
 * not a whole number is at least 1/255 from one, far above the rounding error), so this
 * matches unpremul() bit for bit (test_render unpremultiply checks every pair). Alpha 0
 * gives 0, 0, 0, 0; channels above alpha (not from Cairo) saturate at 255. */
static inline __m128i unpremul4(__m128i c, __m128i half, __m128 den)
{
    const __m128i lo8 = _mm_set1_epi32(0xff);
    __m128i v = _mm_add_epi32(_mm_sub_epi32(_mm_slli_epi32(c, 8), c), half); /* 255 c + a/2 */
    v = _mm_cvttps_epi32(_mm_div_ps(_mm_cvtepi32_ps(v), den));
    __m128i over = _mm_cmpgt_epi32(v, lo8);
    return _mm_or_si128(_mm_and_si128(over, lo8), _mm_andnot_si128(over, v));
}

static inline __m128i to_rgba4(__m128i p)
{
    const __m128i lo8 = _mm_set1_epi32(0xff);
    __m128i a = _mm_srli_epi32(p, 24), half = _mm_srli_epi32(a, 1);
    __m128 den = _mm_max_ps(_mm_cvtepi32_ps(a), _mm_set1_ps(1.0f));
    __m128i b = unpremul4(_mm_and_si128(p, lo8), half, den);
    __m128i g = unpremul4(_mm_and_si128(_mm_srli_epi32(p, 8), lo8), half, den);
    __m128i r = unpremul4(_mm_and_si128(_mm_srli_epi32(p, 16), lo8), half, den);
    __m128i o = _mm_or_si128(_mm_or_si128(r, _mm_slli_epi32(g, 8)),
                             _mm_or_si128(_mm_slli_epi32(b, 16), _mm_slli_epi32(a, 24)));
    return _mm_andnot_si128(_mm_cmpeq_epi32(a, _mm_setzero_si128()), o);
}
#endif

int sty__argb_to_rgba(uint8_t *data, int w, int h, size_t stride)
{
    pthread_once(&unpremul_once, unpremul_init);
    uint32_t any = 0;
#ifdef __SSE2__
    __m128i any4 = _mm_setzero_si128();
#endif
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * stride);
        int x = 0;
#ifdef __SSE2__
        /* 4 pixels at a time, branch-free (bench tiles: 1.5M -> 0.3M instructions a tile,
         * and no mispredicted branches on hatched or anti-aliased areas) */
        for (; x + 4 <= w; x += 4) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)&row[x]);
            any4 = _mm_or_si128(any4, v);
            _mm_storeu_si128((__m128i *)(void *)&row[x], to_rgba4(v));
        }
#endif
        for (; x < w; x++) {
            any |= row[x];
            row[x] = to_rgba(row[x]);
        }
    }
#ifdef __SSE2__
    any |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(any4, _mm_setzero_si128())) != 0xffff;
#endif
    return !any;
}

/* Tiles ------------------------------------------------------------------------------------------ */

static int check_tile(const sty_tile *t, tl_err *err)
{
    if (t->z < 0 || t->z > TL_MAX_ZOOM) {
        TL_FAIL(err, TL_EINVAL, "zoom %d is outside 0..%d", t->z, TL_MAX_ZOOM);
        return -1;
    }
    uint64_t n = 1ULL << t->z;
    if (t->x >= n || t->y >= n) {
        TL_FAIL(err, TL_EINVAL, "tile %d/%u/%u does not exist", t->z, t->x, t->y);
        return -1;
    }
    if (t->format != STY_FORMAT_PNG && t->format != STY_FORMAT_PNG8) {
        TL_FAIL(err, TL_EINVAL, "unknown tile format %d", (int)t->format);
        return -1;
    }
    if (t->scale < 1 || t->scale > MAX_SCALE) {
        TL_FAIL(err, TL_EINVAL, "tile scale %d is not 1 or 2", t->scale);
        return -1;
    }
    return 0;
}

/* A rectangle of the world at zoom z: device pixel (0, 0) is world pixel (wx, wy). */
typedef struct area {
    int z, scale;
    double wx, wy;
    int w, h;
} area;

/* Draw the layers and their labels over `ar` into `cr` (a cleared surface). thin.c's
 * buffers for that surface: `cov` and `acc` when the caller keeps them, else from `a`;
 * `anchors` may be NULL. */
static int draw_area(cairo_t *cr, sty__fonts *fonts, sty__anchors *anchors,
                     const sty_layer *layers, size_t n_layers, const area *ar, uint8_t *cov,
                     float *acc, tl_arena *a, tl_err *err)
{
    double k = TILE_PX * ar->scale * (double)(1ULL << ar->z) / (2.0 * TL_MERC_HALF);
    tl_bbox box;
    box.minx = ar->wx / k - TL_MERC_HALF;
    box.maxy = TL_MERC_HALF - ar->wy / k;
    box.maxx = box.minx + ar->w / k;
    box.miny = box.maxy - ar->h / k;
    draw_state d;
    memset(&d, 0, sizeof d);
    d.cr = cr;
    d.a = a;
    d.xf.ox = box.minx;
    d.xf.oy = box.maxy;
    d.xf.k = k;
    d.xf.size = ar->w > ar->h ? ar->w : ar->h;
    d.xf.min_d2 = MIN_VERTEX_PX * MIN_VERTEX_PX;
    d.aa = CAIRO_ANTIALIAS_GRAY;
    cairo_set_antialias(d.cr, d.aa);
    d.target = cairo_get_target(cr);
    if (cairo_surface_get_type(d.target) == CAIRO_SURFACE_TYPE_IMAGE &&
        cairo_image_surface_get_format(d.target) == CAIRO_FORMAT_ARGB32) {
        cairo_surface_flush(d.target);
        sty__thin_init(&d.thin, cairo_image_surface_get_data(d.target),
                       cairo_image_surface_get_stride(d.target),
                       cairo_image_surface_get_width(d.target),
                       cairo_image_surface_get_height(d.target), cov, acc, a);
        d.thin_ok = d.thin.px != NULL;
    }
    cairo_new_path(d.cr);
    double denom = tl_tile_scale_denom(ar->z); /* @2x: same scale, twice the pixels */
    for (size_t l = 0; l < n_layers; l++) {
        const sty_layer *L = &layers[l];
        if (!L->snap || !L->style) {
            TL_FAIL(err, TL_EINVAL, "layer %zu has no snapshot or no style", l);
            return -1;
        }
        if (draw_layer(&d, L, &box, denom, ar->scale, err) < 0) {
            tl_err_prefix(err, "layer %s: ", lyr_snapshot_name(L->snap));
            return -1;
        }
    }
    sty__label_view lv = {ar->z, ar->scale, ar->wx, ar->wy, d.xf.size, k};
    return sty__labels_draw(d.cr, fonts, anchors, layers, n_layers, denom, &lv, a, err);
}

static int cairo_failed(cairo_t *cr, tl_err *err)
{
    cairo_status_t st = cairo_status(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    TL_FAIL(err, st == CAIRO_STATUS_NO_MEMORY ? TL_ENOMEM : TL_EINTERNAL, "cairo: %s",
            cairo_status_to_string(st));
    return -1;
}

/* Draw into the surface of t->scale; its pixels are premultiplied ARGB32 afterwards. */
static int draw_tile(sty_renderer *r, const sty_layer *layers, size_t n_layers,
                     const sty_tile *t, tl_arena *a, tl_err *err)
{
    int i = t->scale - 1;
    cairo_surface_t *surf = r->surf[i];
    int px = cairo_image_surface_get_width(surf);
    cairo_surface_flush(surf);
    memset(cairo_image_surface_get_data(surf), 0,
           (size_t)cairo_image_surface_get_stride(surf) * (size_t)px);
    cairo_surface_mark_dirty(surf);
    area ar = {t->z, t->scale, (double)t->x * px, (double)t->y * px, px, px};
    if (!r->cov[i]) {
        r->cov[i] = tl_xcalloc((size_t)px * (size_t)px, 1);
        r->acc[i] = tl_xcalloc(((size_t)px + 2) * (size_t)px, sizeof *r->acc[i]);
    }
    if (draw_area(r->cr[i], r->fonts, r->anchors, layers, n_layers, &ar, r->cov[i], r->acc[i], a,
                  err) < 0 ||
        cairo_failed(r->cr[i], err) < 0) {
        tl_err e2 = TL_ERR_INIT;
        (void)make_context(r, i, &e2); /* the next tile gets a healthy context */
        /* thin.c leaves its buffers zero after every feature; an error cannot stop it
         * half-way, but the next tile must not depend on that */
        memset(r->cov[i], 0, (size_t)px * (size_t)px);
        memset(r->acc[i], 0, ((size_t)px + 2) * (size_t)px * sizeof *r->acc[i]);
        return -1;
    }
    cairo_surface_flush(surf);
    return 0;
}

int sty__render_window(const sty_layer *layers, size_t n_layers, int z, int scale, double wx,
                       double wy, int w, int h, tl_arena *a, uint8_t **rgba, tl_err *err)
{
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surf);
    set_defaults(cr);
    sty__fonts *fonts = sty__fonts_new();
    area ar = {z, scale, wx, wy, w, h};
    int rc = draw_area(cr, fonts, NULL, layers, n_layers, &ar, NULL, NULL, a, err);
    if (rc == 0)
        rc = cairo_failed(cr, err);
    cairo_destroy(cr);
    sty__fonts_free(fonts);
    cairo_surface_flush(surf);
    *rgba = NULL;
    if (rc == 0) {
        size_t stride = (size_t)cairo_image_surface_get_stride(surf);
        uint8_t *data = cairo_image_surface_get_data(surf);
        (void)sty__argb_to_rgba(data, w, h, stride);
        *rgba = tl_xmalloc((size_t)w * (size_t)h * 4);
        for (int y = 0; y < h; y++)
            memcpy(*rgba + (size_t)y * (size_t)w * 4, data + (size_t)y * stride, (size_t)w * 4);
    }
    cairo_surface_destroy(surf);
    return rc;
}

int sty_render_tile(sty_renderer *r, const sty_layer *layers, size_t n_layers,
                    const sty_tile *t, tl_arena *a, tl_buf *png, tl_err *err)
{
    if (check_tile(t, err) < 0)
        return -1;
    if (draw_tile(r, layers, n_layers, t, a, err) < 0)
        return -1;
    cairo_surface_t *surf = r->surf[t->scale - 1];
    int px = cairo_image_surface_get_width(surf);
    size_t stride = (size_t)cairo_image_surface_get_stride(surf);
    uint8_t *data = cairo_image_surface_get_data(surf);
    /* unpremultiply in place: the surface is cleared before the next tile anyway */
    int clear = sty__argb_to_rgba(data, px, px, stride);
    cairo_surface_mark_dirty(surf);
    if (t->format != STY_FORMAT_PNG8)
        return sty__png_encode(r->png, data, px, px, stride, clear, png, err);
    const sty_style **st = tl_arena_alloc(a, (n_layers ? n_layers : 1) * sizeof *st);
    for (size_t i = 0; i < n_layers; i++)
        st[i] = layers[i].style;
    return sty__png8_encode(data, px, px, stride, st, n_layers, PNG8_LEVEL, png, err);
}
