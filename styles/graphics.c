/* graphics.c: the drawn pieces of symbolizers that are not paths of features: hatch
 * patterns anchored to the world pixel grid (so hatches run on across tile edges) and the
 * well-known marks of point symbolizers. */
#include <math.h>

#include <cairo.h>

#include "styles/styles_int.h"

#define MAX_CELL_PX 2048 /* a hatch cell side, device pixels */

/* Hatches ------------------------------------------------------------------------------------ */

/* Draw the lines of one hatch cell of side c, repeated one cell around so diagonals meet
 * their neighbours' at the cell edges. */
static void hatch_lines(cairo_t *cr, sty_hatch_kind k, double c)
{
    int hor = k == STY_HATCH_HORLINE || k == STY_HATCH_PLUS;
    int ver = k == STY_HATCH_VERTLINE || k == STY_HATCH_PLUS;
    int sla = k == STY_HATCH_SLASH || k == STY_HATCH_TIMES;
    int bsl = k == STY_HATCH_BACKSLASH || k == STY_HATCH_TIMES;
    if (hor) {
        cairo_move_to(cr, -1, c / 2.0);
        cairo_line_to(cr, c + 1, c / 2.0);
    }
    if (ver) {
        cairo_move_to(cr, c / 2.0, -1);
        cairo_line_to(cr, c / 2.0, c + 1);
    }
    for (int i = -1; i <= 1; i++) {
        double o = i * c;
        if (sla) {
            cairo_move_to(cr, o - 1, c + 1);
            cairo_line_to(cr, o + c + 1, -1);
        }
        if (bsl) {
            cairo_move_to(cr, o - 1, -1);
            cairo_line_to(cr, o + c + 1, c + 1);
        }
    }
}

cairo_pattern_t *sty__hatch_pattern(const sty_hatch *h, double unit, double world_x,
                                    double world_y)
{
    double cell = round(h->spacing * unit);
    if (cell < 2.0)
        cell = 2.0;
    if (cell > MAX_CELL_PX)
        cell = MAX_CELL_PX;
    int c = (int)cell;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, c, c);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgba(cr, h->color.r / 255.0, h->color.g / 255.0, h->color.b / 255.0,
                          h->opacity < 0 ? 0 : h->opacity > 1 ? 1 : h->opacity);
    cairo_set_line_width(cr, fmax(h->width * unit, 0.1));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    hatch_lines(cr, h->kind, cell);
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_pattern_t *p = cairo_pattern_create_for_surface(s);
    cairo_surface_destroy(s);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    cairo_pattern_set_filter(p, CAIRO_FILTER_NEAREST);
    /* device pixel (0, 0) is world pixel (world_x, world_y): the pattern's origin sits on
     * the world pixel origin, whatever the tile */
    cairo_matrix_t m;
    cairo_matrix_init_translate(&m, fmod(round(world_x), cell), fmod(round(world_y), cell));
    cairo_pattern_set_matrix(p, &m);
    return p;
}

/* Marks ---------------------------------------------------------------------------------------- */

static void polygon_path(cairo_t *cr, double cx, double cy, const double *pts, int n, double r)
{
    cairo_new_sub_path(cr);
    for (int i = 0; i < n; i++)
        cairo_line_to(cr, cx + pts[2 * i] * r, cy + pts[2 * i + 1] * r);
    cairo_close_path(cr);
}

void sty__mark_path(cairo_t *cr, sty_mark_shape shape, double cx, double cy, double size)
{
    double r = size / 2.0;
    switch (shape) {
    case STY_MARK_SQUARE:
        cairo_rectangle(cr, cx - r, cy - r, size, size);
        break;
    case STY_MARK_TRIANGLE: {
        static const double tri[] = {0, -1, 0.866025, 0.5, -0.866025, 0.5};
        polygon_path(cr, cx, cy, tri, 3, r);
        break;
    }
    case STY_MARK_STAR: {
        double pts[20];
        for (int i = 0; i < 10; i++) {
            double a = -M_PI / 2.0 + i * M_PI / 5.0, k = i % 2 ? 0.382 : 1.0;
            pts[2 * i] = k * cos(a);
            pts[2 * i + 1] = k * sin(a);
        }
        polygon_path(cr, cx, cy, pts, 10, r);
        break;
    }
    case STY_MARK_CROSS: { /* a plus sign of arms 1/5 of the size wide */
        static const double plus[] = {-0.2, -1, 0.2, -1, 0.2, -0.2, 1, -0.2, 1, 0.2,
                                      0.2, 0.2, 0.2, 1, -0.2, 1, -0.2, 0.2, -1, 0.2,
                                      -1, -0.2, -0.2, -0.2};
        polygon_path(cr, cx, cy, plus, 12, r);
        break;
    }
    case STY_MARK_X: {
        double pts[24];
        static const double plus[] = {-0.2, -1, 0.2, -1, 0.2, -0.2, 1, -0.2, 1, 0.2,
                                      0.2, 0.2, 0.2, 1, -0.2, 1, -0.2, 0.2, -1, 0.2,
                                      -1, -0.2, -0.2, -0.2};
        for (int i = 0; i < 12; i++) { /* the plus turned by 45 degrees */
            pts[2 * i] = (plus[2 * i] - plus[2 * i + 1]) * M_SQRT1_2;
            pts[2 * i + 1] = (plus[2 * i] + plus[2 * i + 1]) * M_SQRT1_2;
        }
        polygon_path(cr, cx, cy, pts, 12, r);
        break;
    }
    case STY_MARK_CIRCLE:
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, cx, cy, r, 0.0, 2.0 * M_PI);
        break;
    }
}
