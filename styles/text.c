/* text.c: fonts and shaping for labels: fontconfig finds the font file of a family /
 * weight / slant (Noto Sans when the family is missing), HarfBuzz shapes the UTF-8 text
 * (Vietnamese diacritics as mark positioning), Cairo draws the glyphs through its FreeType
 * backend with a halo. One sty__fonts per renderer: per-thread. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-ft.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <hb.h>

#include "styles/text_int.h"
#include "tiled/base/tl_util.h"

#define MAX_FONTS 16

typedef struct font {
    char family[64];
    int bold, italic;
    cairo_font_face_t *cface;
    hb_font_t *hb;
    double upem;
} font;

struct sty__fonts {
    font v[MAX_FONTS];
    size_t n;
    cairo_font_options_t *opts;
};

static pthread_once_t fc_once = PTHREAD_ONCE_INIT;

/* Load fontconfig's configuration once, before any thread matches a font. */
static void fc_init(void)
{
    (void)FcInit();
}

sty__fonts *sty__fonts_new(void)
{
    pthread_once(&fc_once, fc_init);
    sty__fonts *f = tl_xcalloc(1, sizeof *f);
    f->opts = cairo_font_options_create();
    /* unhinted outlines at exact positions: a label looks the same at any sub-pixel
     * offset, on both sides of a tile edge */
    cairo_font_options_set_hint_style(f->opts, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(f->opts, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(f->opts, CAIRO_ANTIALIAS_GRAY);
    return f;
}

void sty__fonts_free(sty__fonts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        cairo_font_face_destroy(f->v[i].cface);
        hb_font_destroy(f->v[i].hb);
    }
    cairo_font_options_destroy(f->opts);
    free(f);
}

/* The fontconfig match for family/weight/slant: its file and face index. */
static FcPattern *match(const char *family, int bold, int italic)
{
    FcPattern *p = FcPatternCreate();
    FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)family);
    FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"Noto Sans"); /* the fallback */
    FcPatternAddInteger(p, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(p, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
    FcPatternAddBool(p, FC_SCALABLE, FcTrue);
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, p, &res);
    FcPatternDestroy(p);
    return m;
}

static font *load(sty__fonts *f, const char *family, int bold, int italic, tl_err *err)
{
    FcPattern *m = match(family, bold, italic);
    FcChar8 *file = NULL;
    int index = 0;
    if (!m || FcPatternGetString(m, FC_FILE, 0, &file) != FcResultMatch) {
        if (m)
            FcPatternDestroy(m);
        TL_FAIL(err, TL_EINTERNAL, "fontconfig: no font for '%s' (is fonts-noto-core installed?)",
                family);
        return NULL;
    }
    (void)FcPatternGetInteger(m, FC_INDEX, 0, &index);
    hb_blob_t *blob = hb_blob_create_from_file((const char *)file);
    hb_face_t *face = hb_face_create(blob, (unsigned)index);
    hb_blob_destroy(blob);
    if (hb_face_get_glyph_count(face) == 0) {
        hb_face_destroy(face);
        FcPatternDestroy(m);
        TL_FAIL(err, TL_EINTERNAL, "harfbuzz: cannot read the font file %s", (const char *)file);
        return NULL;
    }
    font *ft = &f->v[f->n++];
    tl_strlcpy(ft->family, family, sizeof ft->family);
    ft->bold = bold;
    ft->italic = italic;
    ft->upem = hb_face_get_upem(face);
    ft->hb = hb_font_create(face);
    hb_face_destroy(face);
    hb_font_set_scale(ft->hb, (int)ft->upem, (int)ft->upem);
    /* Cairo loads the same file and index, so HarfBuzz's glyph ids are Cairo's */
    ft->cface = cairo_ft_font_face_create_for_pattern(m);
    FcPatternDestroy(m);
    return ft;
}

static font *font_get(sty__fonts *f, const char *family, int bold, int italic, tl_err *err)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].bold == bold && f->v[i].italic == italic &&
            strcmp(f->v[i].family, family) == 0)
            return &f->v[i];
    if (f->n == MAX_FONTS) {
        TL_FAIL(err, TL_ETOOBIG, "more than %d fonts in use", MAX_FONTS);
        return NULL;
    }
    return load(f, family, bold, italic, err);
}

int sty__text_shape(sty__fonts *f, const sty_text *t, const char *utf8, double size,
                    tl_arena *a, sty__shaped *out, tl_err *err)
{
    font *ft = font_get(f, t->family ? t->family : "Noto Sans", t->bold, t->italic, err);
    if (!ft)
        return -1;
    hb_buffer_t *b = hb_buffer_create();
    hb_buffer_add_utf8(b, utf8, -1, 0, -1);
    hb_buffer_guess_segment_properties(b);
    hb_shape(ft->hb, b, NULL, 0);
    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, &n);
    double k = size / ft->upem, x = 0.0;
    out->glyphs = tl_arena_alloc(a, (n ? n : 1) * sizeof *out->glyphs);
    out->pen = tl_arena_alloc(a, (n ? n : 1) * sizeof *out->pen);
    out->adv = tl_arena_alloc(a, (n ? n : 1) * sizeof *out->adv);
    out->rot = NULL;
    out->n = n;
    for (unsigned i = 0; i < n; i++) {
        out->glyphs[i].index = info[i].codepoint;
        out->glyphs[i].x = x + pos[i].x_offset * k;
        out->glyphs[i].y = -pos[i].y_offset * k;
        out->pen[i] = x;
        out->adv[i] = pos[i].x_advance * k;
        x += pos[i].x_advance * k;
    }
    hb_buffer_destroy(b);
    hb_font_extents_t fe;
    hb_font_get_h_extents(ft->hb, &fe);
    out->width = x;
    out->ascent = fe.ascender * k;
    out->descent = -fe.descender * k;
    out->size = size;
    out->face = ft->cface;
    out->opts = f->opts;
    return 0;
}

/* The glyph outlines of the run as the current path. */
static void glyphs_path(cairo_t *cr, const sty__shaped *s)
{
    if (!s->rot) {
        cairo_glyph_path(cr, s->glyphs, (int)s->n);
        return;
    }
    for (size_t i = 0; i < s->n; i++) { /* the path is kept in device space across restore */
        cairo_glyph_t one = {s->glyphs[i].index, 0.0, 0.0};
        cairo_save(cr);
        cairo_translate(cr, s->glyphs[i].x, s->glyphs[i].y);
        cairo_rotate(cr, s->rot[i]);
        cairo_glyph_path(cr, &one, 1);
        cairo_restore(cr);
    }
}

void sty__text_draw(cairo_t *cr, const sty__shaped *s, const sty_text *t, double halo,
                    double ox, double oy, double angle)
{
    cairo_save(cr);
    cairo_translate(cr, ox, oy);
    if (angle != 0.0)
        cairo_rotate(cr, angle);
    cairo_set_font_face(cr, s->face);
    cairo_set_font_size(cr, s->size);
    cairo_set_font_options(cr, s->opts);
    cairo_new_path(cr);
    if (halo > 0.0) {
        glyphs_path(cr, s);
        cairo_set_source_rgba(cr, t->halo_color.r / 255.0, t->halo_color.g / 255.0,
                              t->halo_color.b / 255.0, t->halo_opacity);
        cairo_set_line_width(cr, 2.0 * halo);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_dash(cr, NULL, 0, 0.0);
        cairo_stroke(cr);
    }
    cairo_set_source_rgba(cr, t->color.r / 255.0, t->color.g / 255.0, t->color.b / 255.0,
                          t->opacity);
    glyphs_path(cr, s);
    cairo_fill(cr);
    cairo_restore(cr);
}
