/* sld_int.h: the SLD/SE parser's shared state and helpers, for styles/sld*.c only. The
 * parser walks a libxml2 tree and builds the style model of styles_int.h through the
 * sty__ builder functions; it is reentrant (all state lives in one sld_parser). */
#ifndef STYLES_SLD_INT_H
#define STYLES_SLD_INT_H

#include <libxml/tree.h>

#include "styles/styles_int.h"

#define SLD_MAX_DEPTH 64         /* element nesting the parser follows (filters recurse) */
#define SLD_MAX_BYTES (8u << 20) /* a style document */
#define SLD_MAX_ISSUES 1000      /* issues recorded; more are counted in one last issue */

/* Which namespaces an element may come from. */
#define SLD_NS_STYLE 1 /* http://www.opengis.net/sld or http://www.opengis.net/se */
#define SLD_NS_OGC 2   /* http://www.opengis.net/ogc (also fes/2.0 as QGIS may write) */

typedef struct sld_parser {
    sty_style *s;       /* the style being built */
    sty_issues *issues; /* may be NULL */
    tl_err *err;
    int failed;         /* an error was set: stop */
} sld_parser;

/* sld.c ----------------------------------------------------------------------------- */

/** 1 if `n` is an element named `name` in one of the namespaces of `ns_mask`. */
int sld__is(const xmlNode *n, const char *name, int ns_mask);
/** Record an unsupported item at n's line. */
void sld__issue(sld_parser *p, const xmlNode *n, const char *fmt, ...) TL_PRINTF(3, 4);
/** Fail the parse with TL_EINVAL at n's line (first failure wins). */
void sld__fail(sld_parser *p, const xmlNode *n, const char *fmt, ...) TL_PRINTF(3, 4);
/** The element's text, trimmed, from `buf` (size bytes); an ogc:Literal child counts as
 *  text. NULL (and a failure) if the element has element children of another kind. */
const char *sld__text(sld_parser *p, const xmlNode *n, char *buf, size_t size);
/** A number in [lo, hi] from the element's text; failure otherwise. */
int sld__number(sld_parser *p, const xmlNode *n, double lo, double hi, double *out);
/** Report each attribute of `n` not in the NULL-terminated list `ok` (namespace
 *  declarations and xsi:* attributes are always fine). */
void sld__check_attrs(sld_parser *p, const xmlNode *n, const char *const *ok);
/** The first element child of n, and the next element sibling (comments skipped). */
const xmlNode *sld__first(const xmlNode *n);
const xmlNode *sld__next(const xmlNode *n);

/* sld_filter.c ------------------------------------------------------------------------ */

/** Parse the content of an ogc:Filter element. NULL when the filter cannot be evaluated
 *  (issue recorded, *never set: the rule draws nothing) or on failure (p->failed). */
sty_filter *sld__filter(sld_parser *p, const xmlNode *filter, int *never);

/* sld_sym.c --------------------------------------------------------------------------- */

/** Parse a Polygon/Line/Point/TextSymbolizer element into a new symbolizer of `r`.
 *  Returns 0 if `n` is not a symbolizer element. */
int sld__symbolizer(sld_parser *p, sty_rule *r, const xmlNode *n);

#endif
