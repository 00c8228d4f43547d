/* text_int.h: fonts, shaping and label placement, shared by styles/text.c, label.c,
 * polylabel.c and render.c only. */
#ifndef STYLES_TEXT_INT_H
#define STYLES_TEXT_INT_H

#include <cairo.h>

#include "styles/styles_int.h"

/* Fonts and shaping (text.c) -------------------------------------------------------------- */

typedef struct sty__fonts sty__fonts; /* per-thread font cache */

/** A shaped run of glyphs, positions in pixels from the start of the baseline. */
typedef struct sty__shaped {
    cairo_glyph_t *glyphs; /* from the arena */
    size_t n;
    double *pen, *adv;     /* per glyph: pen position before it, its advance (pixels) */
    double *rot;           /* NULL: a straight run; else glyph i is turned by rot[i] radians
                            * about its own origin (text along a curved line) */
    double width, ascent, descent, size;
    cairo_font_face_t *face;          /* borrowed from the font cache */
    const cairo_font_options_t *opts; /* borrowed */
} sty__shaped;

/** A new font cache (never NULL). Per-thread. */
sty__fonts *sty__fonts_new(void);
void sty__fonts_free(sty__fonts *f);
/** Shape `utf8` in the font of `t` at `size` pixels. Fails (TL_EINTERNAL) only when no
 *  font can be found at all. */
int sty__text_shape(sty__fonts *f, const sty_text *t, const char *utf8, double size,
                    tl_arena *a, sty__shaped *out, tl_err *err);
/** Draw the run with its baseline start at (ox, oy), turned by `angle` radians, halo of
 *  `halo` pixels first (0: none). */
void sty__text_draw(cairo_t *cr, const sty__shaped *s, const sty_text *t, double halo,
                    double ox, double oy, double angle);

/* Labels (label.c) -------------------------------------------------------------------------- */

/** Where labels are drawn: the tile in device pixels and its place in the world. */
typedef struct sty__label_view {
    int z;
    double scale;      /* pixel ratio */
    double world_x;    /* world pixel of the tile's device (0, 0), at this scale */
    double world_y;
    double size;       /* tile side, device pixels */
    double k;          /* device pixels per EPSG:3857 metre */
} sty__label_view;

/** Interior points of labelled polygons, remembered from tile to tile: a polygon spanning
 *  many label cells gets its anchor computed once per zoom and scale, not once per cell.
 *  Keyed by snapshot serial, feature and scale; one per renderer (not thread-safe). */
typedef struct sty__anchors sty__anchors;
sty__anchors *sty__anchors_new(void);
void sty__anchors_free(sty__anchors *m);

/** Place the labels of every text rule of `layers` active at `denom` and draw those that
 *  touch the tile. Labels are placed per "label cell" (a fixed grid of world squares bigger
 *  than a tile) in a deterministic order, so a label crossing a tile edge is drawn whole
 *  and identically in both tiles. `anchors` may be NULL. */
int sty__labels_draw(cairo_t *cr, sty__fonts *fonts, sty__anchors *anchors,
                     const sty_layer *layers, size_t n_layers, double denom,
                     const sty__label_view *v, tl_arena *a, tl_err *err);

#endif
