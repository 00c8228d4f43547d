/* legend.c: a legend image of a style: one row per distinct rule title (a swatch drawn
 * with the rule's symbolizers, then the title in Noto Sans), as a PNG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "styles/text_int.h"

#define SWATCH 20       /* swatch side, pixels at scale 1 */
#define ROW 24          /* row height */
#define PAD 6
#define FONT_PX 12.0
#define MAX_ROWS 200
#define MAX_W 1024

typedef struct row {
    const sty_rule *r;
    const char *title;
    sty__shaped sh;
} row;

/* A rule's legend text: its title, else its name, else "(all)". */
static const char *title_of(const sty_rule *r)
{
    return r->title ? r->title : r->name ? r->name : "(all)";
}

static int drawable(const sty_rule *r)
{
    if (r->max_scale <= r->min_scale)
        return 0; /* never active (a filter tiled cannot evaluate) */
    for (size_t i = 0; i < r->n_syms; i++)
        if (r->syms[i]->kind != STY_SYM_TEXT)
            return 1;
    return 0;
}

static void set_rgba(cairo_t *cr, sty_color c, double a)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, a);
}

static void stroke_with(cairo_t *cr, const sty_stroke *k, double scale)
{
    static const cairo_line_cap_t caps[] = {CAIRO_LINE_CAP_BUTT, CAIRO_LINE_CAP_ROUND,
                                            CAIRO_LINE_CAP_SQUARE};
    static const cairo_line_join_t joins[] = {CAIRO_LINE_JOIN_MITER, CAIRO_LINE_JOIN_ROUND,
                                              CAIRO_LINE_JOIN_BEVEL};
    double dash[STY_MAX_DASH], sum = 0.0;
    for (size_t i = 0; i < k->n_dash; i++) {
        dash[i] = k->dash[i] * scale;
        sum += dash[i];
    }
    set_rgba(cr, k->color, k->opacity);
    cairo_set_line_width(cr, fmin(k->width, 4.0) * scale);
    cairo_set_line_cap(cr, caps[k->cap]);
    cairo_set_line_join(cr, joins[k->join]);
    cairo_set_dash(cr, dash, sum > 0.0 ? (int)k->n_dash : 0, 0.0);
    cairo_stroke_preserve(cr);
    cairo_set_dash(cr, NULL, 0, 0.0);
}

static void swatch(cairo_t *cr, const sty_rule *r, double x, double y, double scale)
{
    double s = SWATCH * scale, m = 2.0 * scale;
    cairo_rectangle(cr, x, y, s, s); /* the map's background, so white roads show */
    cairo_set_source_rgb(cr, 0xf2 / 255.0, 0xef / 255.0, 0xe9 / 255.0);
    cairo_fill(cr);
    for (size_t i = 0; i < r->n_syms; i++) {
        const sty_symbolizer *y_ = r->syms[i];
        cairo_new_path(cr);
        if (y_->kind == STY_SYM_POLYGON) {
            cairo_rectangle(cr, x + m, y + m, s - 2 * m, s - 2 * m);
            if (y_->fill.enabled && y_->hatch.kind != STY_HATCH_NONE) {
                cairo_pattern_t *p = sty__hatch_pattern(&y_->hatch, scale, -x, -y);
                cairo_set_source(cr, p);
                cairo_fill_preserve(cr);
                cairo_pattern_destroy(p);
            } else if (y_->fill.enabled) {
                set_rgba(cr, y_->fill.color, y_->fill.opacity);
                cairo_fill_preserve(cr);
            }
            if (y_->stroke.enabled)
                stroke_with(cr, &y_->stroke, scale);
        } else if (y_->kind == STY_SYM_LINE && y_->stroke.enabled) {
            cairo_move_to(cr, x + m, y + s * 0.7);
            cairo_curve_to(cr, x + s * 0.4, y + s * 0.1, x + s * 0.6, y + s * 0.9, x + s - m,
                           y + s * 0.3);
            stroke_with(cr, &y_->stroke, scale);
        } else if (y_->kind == STY_SYM_POINT) {
            sty__mark_path(cr, y_->mark, x + s / 2, y + s / 2, fmin(y_->size, SWATCH - 4) * scale);
            if (y_->fill.enabled) {
                set_rgba(cr, y_->fill.color, y_->fill.opacity);
                cairo_fill_preserve(cr);
            }
            if (y_->stroke.enabled)
                stroke_with(cr, &y_->stroke, scale);
        }
        cairo_new_path(cr);
    }
}

/* Distinct drawable rules, by title, in style order. */
static size_t collect(const sty_style *s, row *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_fts; i++) {
        for (size_t j = 0; j < s->fts[i]->n_rules && n < MAX_ROWS; j++) {
            const sty_rule *r = s->fts[i]->rules[j];
            if (!drawable(r))
                continue;
            const char *t = title_of(r);
            size_t k = 0;
            while (k < n && strcmp(rows[k].title, t) != 0)
                k++;
            if (k == n)
                rows[n++] = (row){r, t, {0}};
        }
    }
    return n;
}

int sty_legend_png(const sty_style *s, int scale, tl_arena *a, tl_buf *png, tl_err *err)
{
    if (scale < 1 || scale > 2) {
        TL_FAIL(err, TL_EINVAL, "legend scale %d is not 1 or 2", scale);
        return -1;
    }
    row *rows = tl_arena_alloc(a, MAX_ROWS * sizeof *rows);
    size_t n = collect(s, rows);
    sty_text font = {.family = "Noto Sans", .size = FONT_PX, .color = {0x22, 0x22, 0x22},
                     .opacity = 1.0};
    sty__fonts *fonts = sty__fonts_new();
    double width = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (sty__text_shape(fonts, &font, rows[i].title, FONT_PX * scale, a, &rows[i].sh, err) <
            0) {
            sty__fonts_free(fonts);
            return -1;
        }
        width = fmax(width, rows[i].sh.width);
    }
    int w = (int)ceil(fmin(PAD * 3 + SWATCH * scale + width, MAX_W * scale)) + PAD;
    int h = (int)((n ? n : 1) * ROW * scale + 2 * PAD);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (size_t i = 0; i < n; i++) {
        double y = PAD + (double)i * ROW * scale;
        swatch(cr, rows[i].r, PAD, y + (ROW - SWATCH) * scale / 2.0, scale);
        double base = y + ROW * scale / 2.0 + (rows[i].sh.ascent - rows[i].sh.descent) / 2.0;
        sty__text_draw(cr, &rows[i].sh, &font, 0.0, 2 * PAD + SWATCH * scale, base, 0.0);
    }
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    sty__fonts_free(fonts);
    int rc = -1;
    if (st != CAIRO_STATUS_SUCCESS) {
        TL_FAIL(err, TL_ENOMEM, "cairo: %s", cairo_status_to_string(st));
    } else {
        cairo_surface_flush(surf);
        uint8_t *data = cairo_image_surface_get_data(surf);
        size_t stride = (size_t)cairo_image_surface_get_stride(surf);
        (void)sty__argb_to_rgba(data, w, h, stride);
        rc = sty_png_encode_rgba(data, w, h, stride, png, err);
    }
    cairo_surface_destroy(surf);
    return rc;
}
