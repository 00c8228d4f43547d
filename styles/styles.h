/* styles.h: styles (rules + symbolizers), the per-thread tile renderer (Cairo) and PNG
 * encoding (libpng). A style is immutable and refcounted; a renderer is per-thread. */
#ifndef STYLES_H
#define STYLES_H

#include <stddef.h>
#include <stdint.h>

#include "layers/layers.h"
#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_err.h"

typedef struct sty_style sty_style;       /* opaque; refcounted, immutable */
typedef struct sty_renderer sty_renderer; /* opaque; per-thread */

/* Styles ----------------------------------------------------------------------- */

/** The built-in look of a layer: the Binh Duong planning cartography for the demo layer
 *  names (zoning, industrial_parks, green_spaces, roads, districts) and a plain default
 *  for any other layer of geometry `kind`. Never NULL; caller owns one reference.
 *  Thread-safe. */
TL_MUST_USE sty_style *sty_style_builtin(const char *layer, lyr_geom_kind kind);
/** Take / drop a reference. Thread-safe. NULL is a no-op. */
sty_style *sty_style_acquire(sty_style *s);
void sty_style_release(sty_style *s);
/** A number that changes whenever the style's content changes (for cache keys). */
uint64_t sty_style_hash(const sty_style *s);

/* SLD / SE documents (to be implemented in styles/sld*.c, issue 4) ---------------- */

/** One thing in a style document that tiled does not support (or a value it could not use),
 *  with its 1-based line in the document. */
typedef struct sty_issue {
    int line;
    char msg[240];
} sty_issue;

typedef struct sty_issues {
    sty_issue *v; /* malloc'd; free with sty_issues_free */
    size_t n;
} sty_issues;
void sty_issues_free(sty_issues *is);

/** Parse an SLD 1.0 / SE 1.1 document and build the style of its NamedLayer `layer`
 *  (`layer` NULL: the first NamedLayer, with every other NamedLayer checked too; a document
 *  with a single NamedLayer of another name styles `layer` with it). Every unsupported element or attribute is added
 *  to `issues` (may be NULL), never silently ignored. Malformed XML, a document that is
 *  not SLD, or an invalid value: NULL with err (TL_EINVAL, message with the line number).
 *  No NamedLayer of that name: NULL with TL_ENOTFOUND. Thread-safe; caller owns one
 *  reference. */
TL_MUST_USE sty_style *sty_style_from_sld(const char *xml, size_t len, const char *layer,
                                          sty_issues *issues, tl_err *err);

/* Rendering -------------------------------------------------------------------- */

/** One layer to draw: a held snapshot and the style to draw it with (both borrowed). */
typedef struct sty_layer {
    const lyr_snapshot *snap;
    const sty_style *style;
} sty_layer;

/** Output encoding of a tile. */
typedef enum sty_format {
    STY_FORMAT_PNG = 0, /* 32-bit RGBA */
    STY_FORMAT_PNG8 = 1 /* 8-bit palette; the style's own colours stay exact */
} sty_format;

/** Tile address, pixel ratio (scale 1: 256 px, scale 2: 512 px "@2x") and format. */
typedef struct sty_tile {
    int z;
    uint32_t x, y;
    int scale;
    sty_format format; /* 0 (PNG) when left out of an initializer */
} sty_tile;

/** A renderer owns a Cairo image surface for the largest tile. Per-thread: create one per
 *  worker thread. NULL with err on failure. */
TL_MUST_USE sty_renderer *sty_renderer_new(tl_err *err);
void sty_renderer_free(sty_renderer *r);

/** Draw `layers` in order into a transparent tile and append the PNG (RGBA, 8 bit, or a
 *  palette PNG for STY_FORMAT_PNG8) to `png`. Scratch memory comes from `a`. Deterministic: the same input gives the same bytes.
 *  Fails with TL_ETOOBIG when a layer has more than the per-tile feature limit in view. */
int sty_render_tile(sty_renderer *r, const sty_layer *layers, size_t n_layers,
                    const sty_tile *t, tl_arena *a, tl_buf *png, tl_err *err);

/** A legend of `s` as a PNG appended to `png`: one row per distinct rule title, with a
 *  swatch drawn by the rule's symbolizers and the title (rules with only labels, and rules
 *  that can never draw, are left out). `scale` 2 doubles everything. Scratch from `a`.
 *  Thread-safe. */
int sty_legend_png(const sty_style *s, int scale, tl_arena *a, tl_buf *png, tl_err *err);

/** Encode non-premultiplied RGBA rows (w*4 bytes each, `stride` apart) as PNG into `out`. */
int sty_png_encode_rgba(const uint8_t *rgba, int w, int h, size_t stride, tl_buf *out,
                        tl_err *err);
/** Decode a PNG into malloc'd non-premultiplied RGBA (w*h*4). For tests and tools. */
int sty_png_decode_rgba(const uint8_t *png, size_t len, uint8_t **rgba, int *w, int *h,
                        tl_err *err);

#endif
