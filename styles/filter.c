/* filter.c: evaluation of a rule's filter expression tree against one feature. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "styles/styles_int.h"

/* Text helpers ------------------------------------------------------------------------ */

static int text_cmp(const char *a, const char *b, int match_case)
{
    return match_case ? strcmp(a, b) : strcasecmp(a, b);
}

/* The whole of `s` as a finite number (C locale; strtod never sees a global locale here
 * because the process never calls setlocale). */
static int text_number(const char *s, double *out)
{
    if (!*s)
        return 0;
    char *end = NULL;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

static int dbl_cmp(double a, double b)
{
    return (a > b) - (a < b);
}

/* Comparisons ------------------------------------------------------------------------- */

static int value_eq(const lyr_value *v, lyr_field_type t, const sty_literal *l, int mc)
{
    double d;
    switch (t) {
    case LYR_FIELD_INT:
        if (l->is_int)
            return v->i == l->i;
        return l->is_num && (double)v->i == l->d;
    case LYR_FIELD_REAL:
        return l->is_num && v->d == l->d;
    case LYR_FIELD_STRING:
    case LYR_FIELD_DATE:
    default:
        if (!v->s)
            return 0;
        if (text_cmp(v->s, l->s, mc) == 0)
            return 1;
        /* "1.0" = 1 when both sides read as numbers */
        return l->is_num && text_number(v->s, &d) && d == l->d;
    }
}

/* Order of value against literal in *c (-1, 0, 1); 0 if they cannot be compared. */
static int value_order(const lyr_value *v, lyr_field_type t, const sty_literal *l, int mc,
                       int *c)
{
    double d;
    switch (t) {
    case LYR_FIELD_INT:
        if (l->is_int) {
            *c = (v->i > l->i) - (v->i < l->i);
            return 1;
        }
        if (!l->is_num)
            return 0;
        *c = dbl_cmp((double)v->i, l->d);
        return 1;
    case LYR_FIELD_REAL:
        if (!l->is_num || isnan(v->d))
            return 0;
        *c = dbl_cmp(v->d, l->d);
        return 1;
    case LYR_FIELD_STRING:
    case LYR_FIELD_DATE:
    default:
        if (!v->s)
            return 0;
        if (l->is_num && text_number(v->s, &d)) {
            *c = dbl_cmp(d, l->d);
            return 1;
        }
        *c = text_cmp(v->s, l->s, mc); /* dates "YYYY-MM-DD" order as text */
        *c = (*c > 0) - (*c < 0);
        return 1;
    }
}

/* LIKE ---------------------------------------------------------------------------------- */

/* Step over one UTF-8 character. */
static const char *utf8_next(const char *s)
{
    s++;
    while ((*(const unsigned char *)s & 0xC0) == 0x80)
        s++;
    return s;
}

static int char_eq(char a, char b, int mc)
{
    if (a == b)
        return 1;
    if (mc)
        return 0;
    if (a >= 'A' && a <= 'Z')
        a = (char)(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z')
        b = (char)(b - 'A' + 'a');
    return a == b;
}

/* Glob match with one-star backtracking: linear in practice, never exponential. */
static int like_match(const char *s, const char *p, const sty_filter *f)
{
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == f->wild) {
            star_p = ++p;
            star_s = s;
            continue;
        }
        if (*p == f->single) {
            s = utf8_next(s);
            p++;
            continue;
        }
        const char *lit = p;
        if (*p == f->escape && p[1])
            lit = p + 1;
        if (*lit && char_eq(*s, *lit, f->match_case)) {
            s++;
            p = lit + 1;
            continue;
        }
        if (!star_p)
            return 0;
        p = star_p;
        star_s = utf8_next(star_s);
        s = star_s;
    }
    while (*p == f->wild)
        p++;
    return *p == '\0';
}

static int value_like(const lyr_value *v, lyr_field_type t, const sty_filter *f)
{
    char num[40];
    const char *text = v->s;
    if (t == LYR_FIELD_INT) {
        snprintf(num, sizeof num, "%lld", (long long)v->i);
        text = num;
    } else if (t == LYR_FIELD_REAL) {
        snprintf(num, sizeof num, "%.15g", v->d);
        text = num;
    }
    return text && like_match(text, f->lits[0].s, f);
}

/* Evaluation ---------------------------------------------------------------------------- */

static int eval_leaf(const sty_filter *f, const lyr_value *v, lyr_field_type t)
{
    int c = 0, c2 = 0;
    switch (f->op) {
    case STY_F_EQ:
        return value_eq(v, t, &f->lits[0], f->match_case);
    case STY_F_NE:
        return !value_eq(v, t, &f->lits[0], f->match_case);
    case STY_F_LT:
        return value_order(v, t, &f->lits[0], f->match_case, &c) && c < 0;
    case STY_F_LE:
        return value_order(v, t, &f->lits[0], f->match_case, &c) && c <= 0;
    case STY_F_GT:
        return value_order(v, t, &f->lits[0], f->match_case, &c) && c > 0;
    case STY_F_GE:
        return value_order(v, t, &f->lits[0], f->match_case, &c) && c >= 0;
    case STY_F_IN:
        for (size_t i = 0; i < f->n_lits; i++)
            if (value_eq(v, t, &f->lits[i], f->match_case))
                return 1;
        return 0;
    case STY_F_BETWEEN:
        return value_order(v, t, &f->lits[0], f->match_case, &c) && c >= 0 &&
               value_order(v, t, &f->lits[1], f->match_case, &c2) && c2 <= 0;
    case STY_F_LIKE:
        return value_like(v, t, f);
    default:
        return 0;
    }
}

int sty__filter_eval(const sty_filter *f, sty__getter get, void *ctx)
{
    switch (f->op) {
    case STY_F_AND:
        for (size_t i = 0; i < f->n_kids; i++)
            if (!sty__filter_eval(f->kids[i], get, ctx))
                return 0;
        return 1;
    case STY_F_OR:
        for (size_t i = 0; i < f->n_kids; i++)
            if (sty__filter_eval(f->kids[i], get, ctx))
                return 1;
        return 0;
    case STY_F_NOT:
        return f->n_kids == 1 && !sty__filter_eval(f->kids[0], get, ctx);
    default:
        break;
    }
    lyr_value v;
    lyr_field_type t = LYR_FIELD_STRING;
    get(ctx, f->prop, &v, &t);
    if (f->op == STY_F_ISNULL)
        return v.is_null;
    if (v.is_null)
        return 0;
    if ((f->op == STY_F_BETWEEN && f->n_lits < 2) || (f->op != STY_F_IN && f->n_lits < 1))
        return 0;
    return eval_leaf(f, &v, t);
}

int sty__filter_slot(const sty_filter *f)
{
    if (f->op == STY_F_AND || f->op == STY_F_OR || f->op == STY_F_NOT) {
        int slot = -1;
        for (size_t i = 0; i < f->n_kids; i++) {
            int k = sty__filter_slot(f->kids[i]);
            if (k == -2 || (k >= 0 && slot >= 0 && k != slot))
                return -2;
            if (k >= 0)
                slot = k;
        }
        return slot;
    }
    return f->prop >= 0 ? f->prop : -1;
}
