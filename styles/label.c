/* label.c: label placement. The world is cut into label cells of CELL_TILES x CELL_TILES
 * tiles. Placement in a cell depends only on the features of that cell: every candidate
 * label whose box lies wholly inside the cell is considered, in a fixed order (later layer
 * first, then style order, then feature id), and kept unless it overlaps one kept before.
 * A tile draws the kept labels of its cell that touch it, at the same world positions as
 * its neighbours do, so a label crossing a tile edge is whole and identical on both sides.
 * The price: a label that would cross a cell edge is not drawn (cells are 4x4 tiles, so
 * this is rare), and each tile places the labels of its whole cell -- the costly part of
 * that, a large polygon's interior point, is remembered by the renderer (sty__anchors). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "styles/text_int.h"
#include "tiled/base/tl_util.h"

#define CELL_TILES 4
#define MAX_LABEL_FEATURES 20000 /* features looked at per layer and cell */
#define MAX_LABEL_BYTES 512
#define LINE_MARGIN_PX 4.0       /* a line label needs this much line beyond its ends */

typedef struct cand {
    int layer, order;          /* priority: later layer first, then style order */
    int64_t fid;
    const sty_text *t;
    sty__shaped sh;
    double x, y, angle;        /* baseline start, cell pixels; rotation, radians */
    double halo;               /* pixels */
    double x0, y0, x1, y1;     /* box, halo included, cell pixels */
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
    tl_arena *a;
} cands;

typedef struct cell_ctx {
    sty__fonts *fonts;
    sty__anchors *anchors; /* NULL: none */
    const sty__label_view *v;
    double ox, oy;     /* EPSG:3857 of the cell's pixel (0, 0) */
    double side;       /* cell side, pixels */
    double denom;
    tl_arena *a;
    cands c;
} cell_ctx;

/* Label text ---------------------------------------------------------------------------------- */

static void text_of(const sty_text *t, const sty__feat *fc, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_parts && n + 1 < size; i++) {
        const sty_label_part *p = &t->parts[i];
        char num[48];
        const char *s = p->text;
        if (!s) {
            lyr_value v;
            lyr_field_type ty;
            sty__feature_get((void *)fc, p->prop, &v, &ty);
            if (v.is_null)
                continue;
            if (ty == LYR_FIELD_INT) {
                snprintf(num, sizeof num, "%lld", (long long)v.i);
                s = num;
            } else if (ty == LYR_FIELD_REAL) {
                snprintf(num, sizeof num, "%.10g", v.d);
                s = num;
            } else {
                s = v.s;
            }
        }
        if (s)
            n += (size_t)snprintf(buf + n, size - n, "%s", s);
    }
    if (n >= size)
        buf[size - 1] = '\0';
}

static double px_x(const cell_ctx *cc, double mx)
{
    return (mx - cc->ox) * cc->v->k;
}

static double px_y(const cell_ctx *cc, double my)
{
    return (cc->oy - my) * cc->v->k;
}

/* Anchors --------------------------------------------------------------------------------------- */

/* Open addressing over (snapshot serial, feature, pixels per metre); emptied when 3/4
 * full. A polygon's anchor does not depend on the cell asking (polylabel works on the
 * whole polygon), so every cell of a zoom gets the same point. */
#define ANCHOR_SLOTS 8192

typedef struct anchor_slot {
    uint64_t serial, kbits; /* serial 0: empty (serials start at 1) */
    uint32_t id;
    double x, y; /* EPSG:3857 */
} anchor_slot;

struct sty__anchors {
    size_t n;
    anchor_slot slot[ANCHOR_SLOTS];
};

sty__anchors *sty__anchors_new(void)
{
    return tl_xcalloc(1, sizeof(sty__anchors));
}

void sty__anchors_free(sty__anchors *m)
{
    free(m);
}

static anchor_slot *anchor_find(sty__anchors *m, uint64_t serial, uint64_t kbits, uint32_t id)
{
    uint64_t h = (serial * 0x9e3779b97f4a7c15u) ^ (kbits * 0xc2b2ae3d27d4eb4fu) ^ id;
    h ^= h >> 29;
    size_t i = (size_t)(h * 0xbf58476d1ce4e5b9u >> 51) & (ANCHOR_SLOTS - 1);
    while (m->slot[i].serial &&
           !(m->slot[i].serial == serial && m->slot[i].kbits == kbits && m->slot[i].id == id))
        i = (i + 1) & (ANCHOR_SLOTS - 1);
    return &m->slot[i];
}

/* The interior point of the polygon part with the largest bounding box. */
static int polygon_anchor(cell_ctx *cc, const lyr_geom_view *g, const sty__feat *fc, double *x,
                          double *y)
{
    const double kpx = cc->v->k;
    anchor_slot *s = NULL;
    uint64_t serial = lyr_snapshot_serial(fc->snap), kbits;
    memcpy(&kbits, &kpx, sizeof kbits);
    if (cc->anchors) {
        s = anchor_find(cc->anchors, serial, kbits, fc->id);
        if (s->serial) {
            *x = px_x(cc, s->x);
            *y = px_y(cc, s->y);
            return 0;
        }
    }
    uint32_t best = 0, best_end = 0;
    double best_area = -1.0, best_side = 0.0;
    for (uint32_t i = 0; i < g->n_parts;) {
        uint32_t j = i + 1;
        while (j < g->n_parts && !g->ring_outer[j])
            j++;
        double minx = 1e300, maxx = -1e300, miny = 1e300, maxy = -1e300;
        for (uint32_t k = g->part_start[i]; k < g->part_start[i + 1]; k++) {
            minx = fmin(minx, g->xy[2 * (size_t)k]);
            maxx = fmax(maxx, g->xy[2 * (size_t)k]);
            miny = fmin(miny, g->xy[2 * (size_t)k + 1]);
            maxy = fmax(maxy, g->xy[2 * (size_t)k + 1]);
        }
        if ((maxx - minx) * (maxy - miny) > best_area) {
            best_area = (maxx - minx) * (maxy - miny);
            best_side = fmin(maxx - minx, maxy - miny);
            best = i;
            best_end = j;
        }
        i = j;
    }
    if (best_end == 0)
        return -1;
    /* an anchor needs no pixel accuracy inside a large polygon: 1 px or 1 % of its
     * smaller side (bench tiles: ~70 cells a polygon of ~200 vertices, 6 % of all
     * rendering at 1 px; 4 % after) */
    double precision = fmax(1.0, best_side * kpx / 100.0);
    (void)sty__polylabel(g, best, best_end, cc->ox, cc->oy, kpx, precision, cc->a, x, y);
    if (s) {
        sty__anchors *m = cc->anchors;
        if (m->n >= ANCHOR_SLOTS / 4 * 3) { /* full: start again */
            memset(m->slot, 0, sizeof m->slot);
            m->n = 0;
            s = anchor_find(m, serial, kbits, fc->id);
        }
        *s = (anchor_slot){serial, kbits, fc->id, cc->ox + *x / kpx, cc->oy - *y / kpx};
        m->n++;
    }
    return 0;
}

/* The longest part of a line in cell pixels, with the length along it at each vertex. */
typedef struct path_px {
    double *xy, *cum;
    size_t n;
} path_px;

static int longest_part(const cell_ctx *cc, const lyr_geom_view *g, path_px *p)
{
    uint32_t best = 0;
    double best_len = -1.0;
    for (uint32_t i = 0; i < g->n_parts; i++) {
        double len = 0.0;
        for (uint32_t k = g->part_start[i] + 1; k < g->part_start[i + 1]; k++)
            len += hypot(g->xy[2 * (size_t)k] - g->xy[2 * (size_t)k - 2],
                         g->xy[2 * (size_t)k + 1] - g->xy[2 * (size_t)k - 1]);
        if (len > best_len) {
            best_len = len;
            best = i;
        }
    }
    uint32_t k0 = g->part_start[best], n = g->part_start[best + 1] - k0;
    if (best_len <= 0.0 || n < 2)
        return -1;
    p->n = n;
    p->xy = tl_arena_alloc(cc->a, 2 * (size_t)n * sizeof *p->xy);
    p->cum = tl_arena_alloc(cc->a, (size_t)n * sizeof *p->cum);
    for (uint32_t k = 0; k < n; k++) {
        p->xy[2 * k] = px_x(cc, g->xy[2 * (size_t)(k0 + k)]);
        p->xy[2 * k + 1] = px_y(cc, g->xy[2 * (size_t)(k0 + k) + 1]);
        p->cum[k] = k ? p->cum[k - 1] + hypot(p->xy[2 * k] - p->xy[2 * k - 2],
                                              p->xy[2 * k + 1] - p->xy[2 * k - 1])
                      : 0.0;
    }
    return 0;
}

/* The point at length s along the path and the direction of its segment. */
static void point_at(const path_px *p, double s, double *x, double *y, double *th)
{
    size_t k = 0;
    while (k + 2 < p->n && p->cum[k + 1] < s)
        k++;
    const double *a = p->xy + 2 * k, *b = a + 2;
    double l = p->cum[k + 1] - p->cum[k], f = l > 0.0 ? (s - p->cum[k]) / l : 0.0;
    *x = a[0] + f * (b[0] - a[0]);
    *y = a[1] + f * (b[1] - a[1]);
    *th = atan2(b[1] - a[1], b[0] - a[0]);
}

static void path_reverse(path_px *p)
{
    double total = p->cum[p->n - 1];
    for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
        for (int c = 0; c < 2; c++) {
            double t = p->xy[2 * i + c];
            p->xy[2 * i + c] = p->xy[2 * j + c];
            p->xy[2 * j + c] = t;
        }
        double t = p->cum[i];
        p->cum[i] = total - p->cum[j];
        p->cum[j] = total - t;
    }
    if (p->n % 2)
        p->cum[p->n / 2] = total - p->cum[p->n / 2];
}

/* Text along the middle of the longest part of a line, each glyph turned to the line under
 * it and centred on it vertically, reading left to right. -1 if the line is too short or
 * turns by more than MAX_TURN between two letters. */
#define MAX_TURN 0.45 /* radians, about 26 degrees */
static int curved_label(const cell_ctx *cc, const lyr_geom_view *g, cand *c)
{
    path_px p;
    sty__shaped *sh = &c->sh;
    if (longest_part(cc, g, &p) < 0)
        return -1;
    double total = p.cum[p.n - 1], s0 = (total - sh->width) / 2.0, x0, y0, x1, y1, th;
    if (total < sh->width + 2.0 * LINE_MARGIN_PX || sh->n == 0)
        return -1;
    point_at(&p, s0, &x0, &y0, &th);
    point_at(&p, s0 + sh->width, &x1, &y1, &th);
    if (x1 < x0)
        path_reverse(&p);
    double *rot = tl_arena_alloc(cc->a, sh->n * sizeof *rot), prev = 0.0;
    double h = sh->ascent + sh->descent, yshift = (sh->ascent - sh->descent) / 2.0;
    int have_prev = 0;
    c->x0 = c->y0 = 1e300;
    c->x1 = c->y1 = -1e300;
    for (size_t i = 0; i < sh->n; i++) {
        double mx, my, adv = sh->adv[i];
        point_at(&p, s0 + sh->pen[i] + adv / 2.0, &mx, &my, &th);
        if (adv > 0.0) { /* marks (no advance) follow their letter */
            double turn = remainder(th - prev, 2.0 * M_PI);
            if (have_prev && fabs(turn) > MAX_TURN)
                return -1;
            prev = th;
            have_prev = 1;
        }
        double cs = cos(th), sn = sin(th);
        double lx = -adv / 2.0 + (sh->glyphs[i].x - sh->pen[i]), ly = yshift + sh->glyphs[i].y;
        sh->glyphs[i].x = mx + lx * cs - ly * sn;
        sh->glyphs[i].y = my + lx * sn + ly * cs;
        rot[i] = th;
        double r = hypot(adv / 2.0, h / 2.0) + c->halo + 0.5;
        c->x0 = fmin(c->x0, mx - r), c->x1 = fmax(c->x1, mx + r);
        c->y0 = fmin(c->y0, my - r), c->y1 = fmax(c->y1, my + r);
    }
    sh->rot = rot;
    c->x = c->y = c->angle = 0.0;
    return 0;
}

/* Candidates ---------------------------------------------------------------------------------- */

static void box_of(cand *c)
{
    const sty__shaped *s = &c->sh;
    double cs = cos(c->angle), sn = sin(c->angle), h = c->halo + 0.5;
    double lx[2] = {-h, s->width + h}, ly[2] = {-s->ascent - h, s->descent + h};
    c->x0 = c->y0 = 1e300;
    c->x1 = c->y1 = -1e300;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            double x = c->x + lx[i] * cs - ly[j] * sn, y = c->y + lx[i] * sn + ly[j] * cs;
            c->x0 = fmin(c->x0, x), c->x1 = fmax(c->x1, x);
            c->y0 = fmin(c->y0, y), c->y1 = fmax(c->y1, y);
        }
    }
}

/* Place one label of text symbolizer `y` for the current feature; kept if inside the cell. */
static int add_candidate(cell_ctx *cc, const sty_symbolizer *y, const sty__feat *fc,
                         int layer, int order, tl_err *err)
{
    const sty_text *t = y->text;
    char text[MAX_LABEL_BYTES];
    text_of(t, fc, text, sizeof text);
    if (!text[0])
        return 0;
    lyr_geom_view g;
    lyr_snapshot_geom(fc->snap, fc->id, &g);
    double unit = sty__uom_px(y->uom, cc->v->scale, cc->v->k, cc->oy - cc->side / cc->v->k / 2);
    cand c;
    memset(&c, 0, sizeof c);
    if (sty__text_shape(cc->fonts, t, text, t->size * unit, cc->a, &c.sh, err) < 0)
        return -1;
    c.t = t;
    c.layer = layer;
    c.order = order;
    c.fid = lyr_snapshot_fid(fc->snap, fc->id);
    c.halo = t->halo_radius * unit;
    double ax, ay, th;
    if (g.kind == LYR_GEOM_LINE && t->along_line) {
        if (curved_label(cc, &g, &c) < 0)
            return 0;
    } else {
        path_px p;
        if (g.kind == LYR_GEOM_POLYGON) {
            if (polygon_anchor(cc, &g, fc, &ax, &ay) < 0)
                return 0;
        } else if (g.kind == LYR_GEOM_LINE) {
            if (longest_part(cc, &g, &p) < 0)
                return 0;
            point_at(&p, p.cum[p.n - 1] / 2.0, &ax, &ay, &th);
        } else {
            ax = px_x(cc, g.xy[0]);
            ay = px_y(cc, g.xy[1]);
        }
        double h = c.sh.ascent + c.sh.descent;
        c.x = ax - t->anchor_x * c.sh.width + t->disp_x * unit;
        c.y = ay + t->anchor_y * h - c.sh.descent - t->disp_y * unit;
        box_of(&c);
    }
    if (c.x0 < 0.0 || c.y0 < 0.0 || c.x1 > cc->side || c.y1 > cc->side)
        return 0; /* crosses the cell edge: its neighbour cell cannot know about it */
    cands *cs = &cc->c;
    cs->v = tl_arena_grow(cs->a, cs->v, cs->n, &cs->cap, sizeof *cs->v, 64);
    cs->v[cs->n++] = c;
    return 0;
}

/* The candidates of one layer: features in the cell, text rules active at the scale. */
static int layer_candidates(cell_ctx *cc, const sty_layer *L, int layer, tl_err *err)
{
    const sty_style *s = L->style;
    int any = 0;
    for (size_t i = 0; i < s->n_fts; i++)
        for (size_t j = 0; j < s->fts[i]->n_rules; j++)
            for (size_t k = 0; k < s->fts[i]->rules[j]->n_syms; k++)
                any |= s->fts[i]->rules[j]->syms[k]->kind == STY_SYM_TEXT &&
                       sty__rule_active(s->fts[i]->rules[j], cc->denom);
    if (!any)
        return 0;
    double w = cc->side / cc->v->k;
    tl_bbox q = {cc->ox, cc->oy - w, cc->ox + w, cc->oy};
    uint32_t *ids = NULL;
    size_t n = 0;
    if (lyr_snapshot_query_bbox(L->snap, &q, cc->a, MAX_LABEL_FEATURES, &ids, &n, err) < 0)
        return -1;
    sty__feat fc;
    sty__feat_bind(&fc, L->snap, s, cc->a);
    int order = 0;
    for (size_t i = 0; i < s->n_fts; i++) {
        const sty_fts *f = s->fts[i];
        for (size_t m = 0; m < n; m++) {
            fc.id = ids[m];
            int matched = 0;
            for (int pass = 0; pass < 2; pass++) { /* rules, then else rules */
                for (size_t j = 0; j < f->n_rules; j++) {
                    const sty_rule *r = f->rules[j];
                    if (r->is_else != pass || !sty__rule_active(r, cc->denom) ||
                        (pass && matched))
                        continue;
                    if (r->filter && !sty__filter_eval(r->filter, sty__feature_get, &fc))
                        continue;
                    matched = 1;
                    for (size_t k = 0; k < r->n_syms; k++)
                        if (r->syms[k]->kind == STY_SYM_TEXT &&
                            add_candidate(cc, r->syms[k], &fc, layer,
                                          order + (int)(j * 16 + k), err) < 0)
                            return -1;
                }
            }
        }
        order += (int)(f->n_rules * 16);
    }
    return 0;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->layer != b->layer)
        return a->layer > b->layer ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return (a->fid > b->fid) - (a->fid < b->fid);
}

static int overlaps(const cand *a, const cand *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* Placing and drawing ------------------------------------------------------------------------- */

/* Draw the kept labels touching the tile at (tx, ty) of the cell (whole pixels, so glyphs
 * land on the same sub-pixel positions in every tile). They are drawn on a scratch surface
 * MARGIN_PX larger than the tile on each side, then composited: Cairo clips paths to the
 * surface, which shifts the coverage of the outermost pixel column, and an edge column
 * must be the same as its neighbour tile sees it. */
#define MARGIN_PX 8
static int draw_kept(cairo_t *cr, const cell_ctx *cc, const size_t *kept, size_t n_kept,
                     double tx, double ty, tl_err *err)
{
    const sty__label_view *v = cc->v;
    cairo_surface_t *s = NULL;
    cairo_t *lc = NULL;
    for (size_t i = 0; i < n_kept; i++) {
        const cand *c = &cc->c.v[kept[i]];
        if (c->x1 < tx || c->y1 < ty || c->x0 > tx + v->size || c->y0 > ty + v->size)
            continue;
        if (!lc) {
            int side = (int)v->size + 2 * MARGIN_PX;
            s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, side, side);
            lc = cairo_create(s);
        }
        sty__text_draw(lc, &c->sh, c->t, c->halo, c->x - tx + MARGIN_PX, c->y - ty + MARGIN_PX,
                       c->angle);
    }
    if (!lc)
        return 0;
    cairo_status_t st = cairo_status(lc);
    cairo_destroy(lc);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_save(cr);
        cairo_set_source_surface(cr, s, -MARGIN_PX, -MARGIN_PX);
        cairo_paint(cr);
        cairo_restore(cr);
    }
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        TL_FAIL(err, TL_ENOMEM, "cairo: %s", cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

/* Place the labels of the cell at world pixel (cx, cy) and draw those touching the view. */
static int draw_cell(cairo_t *cr, sty__fonts *fonts, sty__anchors *anchors,
                     const sty_layer *layers, size_t n_layers, double denom,
                     const sty__label_view *v, double cx, double cy, double side, tl_arena *a,
                     tl_err *err)
{
    cell_ctx cc = {fonts, anchors, v, cx / v->k - TL_MERC_HALF, TL_MERC_HALF - cy / v->k, side,
                   denom, a, {NULL, 0, 0, a}};
    for (size_t l = 0; l < n_layers; l++)
        if (layer_candidates(&cc, &layers[l], (int)l, err) < 0)
            return -1;
    if (cc.c.n == 0)
        return 0;
    qsort(cc.c.v, cc.c.n, sizeof *cc.c.v, cand_cmp);
    size_t *kept = tl_arena_alloc(a, cc.c.n * sizeof *kept), n_kept = 0;
    for (size_t i = 0; i < cc.c.n; i++) {
        int free_spot = 1;
        for (size_t j = 0; j < n_kept && free_spot; j++)
            free_spot = !overlaps(&cc.c.v[i], &cc.c.v[kept[j]]);
        if (free_spot)
            kept[n_kept++] = i;
    }
    return draw_kept(cr, &cc, kept, n_kept, v->world_x - cx, v->world_y - cy, err);
}

int sty__labels_draw(cairo_t *cr, sty__fonts *fonts, sty__anchors *anchors,
                     const sty_layer *layers, size_t n_layers, double denom,
                     const sty__label_view *v, tl_arena *a, tl_err *err)
{
    double side = 256.0 * CELL_TILES * v->scale;
    double world = 256.0 * v->scale * (double)(1ULL << v->z);
    if (side > world)
        side = world;
    /* a tile lies in one cell; a larger view (tests, tools) in several */
    for (double cy = floor(v->world_y / side) * side; cy < v->world_y + v->size && cy < world;
         cy += side)
        for (double cx = floor(v->world_x / side) * side;
             cx < v->world_x + v->size && cx < world; cx += side)
            if (draw_cell(cr, fonts, anchors, layers, n_layers, denom, v, cx, cy, side, a,
                          err) < 0)
                return -1;
    return 0;
}
