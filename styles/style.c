/* style.c: building, freezing, hashing and reference counting of the style model. */
#include <stdlib.h>
#include <string.h>

#include "styles/styles_int.h"
#include "tiled/base/tl_util.h"

/* Lifetime ----------------------------------------------------------------------- */

sty_style *sty__style_new(const char *name)
{
    sty_style *s = tl_xcalloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    tl_arena_init(&s->mem, 4096);
    s->name = sty__style_strdup(s, name ? name : "");
    return s;
}

sty_style *sty_style_acquire(sty_style *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void sty_style_release(sty_style *s)
{
    if (!s)
        return;
    /* acq_rel: the freeing thread must see every other thread's last use */
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    tl_arena_free(&s->mem);
    free(s);
}

uint64_t sty_style_hash(const sty_style *s)
{
    return s ? s->hash : 0;
}

void *sty__style_alloc(sty_style *s, size_t n)
{
    return tl_arena_calloc(&s->mem, 1, n ? n : 1);
}

char *sty__style_strdup(sty_style *s, const char *str)
{
    return str ? tl_arena_strdup(&s->mem, str) : NULL;
}

/* Growing an array of pointers in the style's arena (the old block is left behind:
 * styles are small and built once). */
static void push_ptr(sty_style *s, void ***arr, size_t *n, size_t *cap, void *item)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        void **na = sty__style_alloc(s, ncap * sizeof *na);
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = item;
}

/* Building --------------------------------------------------------------------------- */

sty_fts *sty__fts_add(sty_style *s, const char *name)
{
    sty_fts *f = sty__style_alloc(s, sizeof *f);
    f->name = sty__style_strdup(s, name);
    push_ptr(s, (void ***)&s->fts, &s->n_fts, &s->_cap_fts, f);
    return f;
}

sty_rule *sty__rule_add(sty_style *s, sty_fts *f, const char *name)
{
    sty_rule *r = sty__style_alloc(s, sizeof *r);
    r->name = sty__style_strdup(s, name);
    r->min_scale = 0.0;
    r->max_scale = STY_SCALE_UNBOUNDED;
    push_ptr(s, (void ***)&f->rules, &f->n_rules, &f->_cap_rules, r);
    return r;
}

sty_symbolizer *sty__sym_add(sty_style *s, sty_rule *r, sty_sym_kind kind)
{
    sty_symbolizer *y = sty__style_alloc(s, sizeof *y);
    y->kind = kind;
    y->fill.color = sty__rgb(0x808080);
    y->fill.opacity = 1.0;
    y->stroke.color = sty__rgb(0x000000);
    y->stroke.opacity = 1.0;
    y->stroke.width = 1.0;
    y->stroke.cap = STY_CAP_BUTT;
    y->stroke.join = STY_JOIN_MITER;
    y->stroke.miter_limit = 10.0;
    y->mark = STY_MARK_SQUARE;
    y->size = 6.0;
    y->fill.enabled = kind == STY_SYM_POINT;
    y->stroke.enabled = kind != STY_SYM_POLYGON && kind != STY_SYM_TEXT;
    y->hatch.spacing = 8.0;
    y->hatch.opacity = 1.0;
    y->hatch.width = 1.0;
    if (kind == STY_SYM_TEXT) {
        sty_text *t = sty__style_alloc(s, sizeof *t);
        t->family = "Noto Sans";
        t->size = 10.0;
        t->opacity = 1.0;
        t->halo_color = sty__rgb(0xffffff);
        t->halo_opacity = 1.0;
        t->anchor_x = 0.0; /* SLD 1.0 / SE 1.1 default anchor: left, middle */
        t->anchor_y = 0.5;
        y->text = t;
    }
    push_ptr(s, (void ***)&r->syms, &r->n_syms, &r->_cap_syms, y);
    return y;
}

int sty__prop_slot(sty_style *s, const char *name)
{
    for (size_t i = 0; i < s->n_props; i++)
        if (strcmp(s->props[i], name) == 0)
            return (int)i;
    push_ptr(s, (void ***)&s->props, &s->n_props, &s->_cap_props, sty__style_strdup(s, name));
    return (int)(s->n_props - 1);
}

static void literal_init(sty_style *s, sty_literal *l, const char *text)
{
    tl_err e = TL_ERR_INIT;
    l->s = sty__style_strdup(s, text);
    if (tl_parse_i64(text, INT64_MIN, INT64_MAX, &l->i, &e) == 0) {
        l->is_int = 1;
        l->is_num = 1;
        l->d = (double)l->i;
        return;
    }
    tl_err_clear(&e);
    if (tl_parse_double(text, &l->d, &e) == 0)
        l->is_num = 1;
}

sty_filter *sty__filter_leaf(sty_style *s, sty_filter_op op, const char *prop,
                             const char *const *lits, size_t n_lits)
{
    sty_filter *f = sty__style_alloc(s, sizeof *f);
    sty_literal *l = sty__style_alloc(s, (n_lits ? n_lits : 1) * sizeof *l);
    for (size_t i = 0; i < n_lits; i++)
        literal_init(s, &l[i], lits[i]);
    f->op = op;
    f->prop = sty__prop_slot(s, prop);
    f->lits = l;
    f->n_lits = n_lits;
    f->match_case = 1;
    f->wild = '*';
    f->single = '?';
    f->escape = '\\';
    return f;
}

sty_filter *sty__filter_logic(sty_style *s, sty_filter_op op, sty_filter *const *kids,
                              size_t n)
{
    sty_filter *f = sty__style_alloc(s, sizeof *f);
    const sty_filter **k = sty__style_alloc(s, (n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = kids[i];
    f->op = op;
    f->prop = -1;
    f->kids = k;
    f->n_kids = n;
    return f;
}

/* Colours ------------------------------------------------------------------------ */

sty_color sty__rgb(uint32_t hex)
{
    sty_color c = {(uint8_t)(hex >> 16), (uint8_t)(hex >> 8), (uint8_t)hex};
    return c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sty__color_parse(const char *str, sty_color *out)
{
    uint32_t v = 0;
    if (*str == '#')
        str++;
    if (strlen(str) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        int h = hexval(str[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | (uint32_t)h;
    }
    *out = sty__rgb(v);
    return 0;
}

/* Content hash (FNV-1a 64) ----------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static void h_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= FNV_PRIME;
    }
}

static void h_u64(uint64_t *h, uint64_t v)
{
    h_bytes(h, &v, sizeof v);
}

static void h_dbl(uint64_t *h, double d)
{
    uint64_t v;
    if (d == 0.0)
        d = 0.0; /* -0.0 and 0.0 hash alike */
    memcpy(&v, &d, sizeof v);
    h_u64(h, v);
}

static void h_str(uint64_t *h, const char *s)
{
    size_t n = s ? strlen(s) : (size_t)-1;
    h_u64(h, (uint64_t)n);
    if (s)
        h_bytes(h, s, n);
}

static void h_filter(uint64_t *h, const sty_style *s, const sty_filter *f)
{
    if (!f) {
        h_u64(h, 0);
        return;
    }
    h_u64(h, (uint64_t)f->op);
    if (f->op == STY_F_AND || f->op == STY_F_OR || f->op == STY_F_NOT) {
        h_u64(h, f->n_kids);
        for (size_t i = 0; i < f->n_kids; i++)
            h_filter(h, s, f->kids[i]);
        return;
    }
    h_str(h, s->props[f->prop]); /* by name: slots depend on build order */
    h_u64(h, f->n_lits);
    for (size_t i = 0; i < f->n_lits; i++)
        h_str(h, f->lits[i].s);
    h_u64(h, (uint64_t)f->match_case);
    unsigned char pc[3] = {(unsigned char)f->wild, (unsigned char)f->single,
                           (unsigned char)f->escape};
    h_bytes(h, pc, sizeof pc);
}

static void h_color(uint64_t *h, sty_color c, double opacity)
{
    unsigned char b[3] = {c.r, c.g, c.b};
    h_bytes(h, b, sizeof b);
    h_dbl(h, opacity);
}

static void h_text(uint64_t *h, const sty_style *s, const sty_text *t)
{
    h_u64(h, t->n_parts);
    for (size_t i = 0; i < t->n_parts; i++) {
        h_str(h, t->parts[i].text);
        h_str(h, t->parts[i].prop >= 0 ? s->props[t->parts[i].prop] : NULL);
    }
    h_str(h, t->family);
    h_u64(h, (uint64_t)(t->bold * 2 + t->italic));
    h_dbl(h, t->size);
    h_color(h, t->color, t->opacity);
    h_dbl(h, t->halo_radius);
    h_color(h, t->halo_color, t->halo_opacity);
    h_u64(h, (uint64_t)t->along_line);
    h_dbl(h, t->anchor_x);
    h_dbl(h, t->anchor_y);
    h_dbl(h, t->disp_x);
    h_dbl(h, t->disp_y);
}

static void h_sym(uint64_t *h, const sty_style *s, const sty_symbolizer *y)
{
    h_u64(h, (uint64_t)y->kind);
    h_u64(h, (uint64_t)y->fill.enabled);
    h_color(h, y->fill.color, y->fill.opacity);
    const sty_stroke *k = &y->stroke;
    h_u64(h, (uint64_t)k->enabled);
    h_color(h, k->color, k->opacity);
    h_dbl(h, k->width);
    h_u64(h, k->n_dash);
    for (size_t i = 0; i < k->n_dash; i++)
        h_dbl(h, k->dash[i]);
    h_dbl(h, k->dash_offset);
    h_u64(h, (uint64_t)k->cap);
    h_u64(h, (uint64_t)k->join);
    h_dbl(h, k->miter_limit);
    h_u64(h, (uint64_t)y->mark);
    h_dbl(h, y->size);
    h_u64(h, (uint64_t)y->uom);
    h_u64(h, (uint64_t)y->hatch.kind);
    if (y->hatch.kind != STY_HATCH_NONE) {
        h_dbl(h, y->hatch.spacing);
        h_color(h, y->hatch.color, y->hatch.opacity);
        h_dbl(h, y->hatch.width);
    }
    if (y->text)
        h_text(h, s, y->text);
}

void sty__style_finish(sty_style *s)
{
    uint64_t h = FNV_OFFSET;
    h_str(&h, s->name);
    h_u64(&h, s->n_fts);
    for (size_t i = 0; i < s->n_fts; i++) {
        const sty_fts *f = s->fts[i];
        h_str(&h, f->name);
        h_u64(&h, f->n_rules);
        for (size_t j = 0; j < f->n_rules; j++) {
            const sty_rule *r = f->rules[j];
            h_str(&h, r->name);
            h_str(&h, r->title);
            h_u64(&h, (uint64_t)r->is_else);
            h_dbl(&h, r->min_scale);
            h_dbl(&h, r->max_scale);
            h_filter(&h, s, r->filter);
            h_u64(&h, r->n_syms);
            for (size_t k = 0; k < r->n_syms; k++)
                h_sym(&h, s, r->syms[k]);
        }
    }
    s->hash = h;
    s->finished = 1;
}
