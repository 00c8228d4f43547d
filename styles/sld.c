/* sld.c: SLD 1.0 / SE 1.1 documents read with libxml2 (no network, no DTD, no entities)
 * into the style model: StyledLayerDescriptor / NamedLayer / UserStyle /
 * FeatureTypeStyle / Rule. Filters are in sld_filter.c, symbolizers in sld_sym.c. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "styles/sld_int.h"
#include "tiled/base/tl_util.h"

static const char NS_SLD[] = "http://www.opengis.net/sld";
static const char NS_SE[] = "http://www.opengis.net/se";
static const char NS_OGC[] = "http://www.opengis.net/ogc";
static const char NS_XSI[] = "http://www.w3.org/2001/XMLSchema-instance";

/* Issues ------------------------------------------------------------------------------- */

void sty_issues_free(sty_issues *is)
{
    if (!is)
        return;
    free(is->v);
    is->v = NULL;
    is->n = 0;
}

static void issue_add(sty_issues *is, int line, const char *msg)
{
    if (is->n > SLD_MAX_ISSUES)
        return;
    if ((is->n & (is->n - 1)) == 0 || is->n == 0) /* grow at powers of two */
        is->v = tl_xrealloc(is->v, (is->n ? is->n * 2 : 1) * sizeof *is->v);
    sty_issue *i = &is->v[is->n++];
    i->line = line;
    if (is->n == SLD_MAX_ISSUES + 1)
        msg = "too many unsupported items; the rest are not listed";
    tl_strlcpy(i->msg, msg, sizeof i->msg);
}

static int line_of(const xmlNode *n)
{
    long l = n ? xmlGetLineNo(n) : 0;
    return l > 0 && l < 1000000000 ? (int)l : 0;
}

void sld__issue(sld_parser *p, const xmlNode *n, const char *fmt, ...)
{
    if (!p->issues)
        return;
    char msg[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    issue_add(p->issues, line_of(n), msg);
}

void sld__fail(sld_parser *p, const xmlNode *n, const char *fmt, ...)
{
    if (p->failed)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    TL_FAIL(p->err, TL_EINVAL, "line %d: %s", line_of(n), msg);
    p->failed = 1;
}

/* Tree helpers ---------------------------------------------------------------------------- */

static int ns_in(const xmlNode *n, int mask)
{
    const char *href = n->ns ? (const char *)n->ns->href : NULL;
    if (!href)
        return 0;
    if ((mask & SLD_NS_STYLE) && (strcmp(href, NS_SLD) == 0 || strcmp(href, NS_SE) == 0))
        return 1;
    return (mask & SLD_NS_OGC) && strcmp(href, NS_OGC) == 0;
}

int sld__is(const xmlNode *n, const char *name, int ns_mask)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 &&
           ns_in(n, ns_mask);
}

static const xmlNode *elem_from(const xmlNode *n)
{
    while (n && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

const xmlNode *sld__first(const xmlNode *n)
{
    return elem_from(n->children);
}

const xmlNode *sld__next(const xmlNode *n)
{
    return elem_from(n->next);
}

/* Append the text children of n to buf at *len; 0, or -1 on another element child. */
static int text_into(const xmlNode *n, char *buf, size_t size, size_t *len, int allow_literal)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            size_t tl = t ? strlen(t) : 0;
            if (*len + tl >= size)
                tl = size - 1 - *len;
            memcpy(buf + *len, t, tl);
            *len += tl;
        } else if (c->type == XML_ELEMENT_NODE) {
            if (!allow_literal || !sld__is(c, "Literal", SLD_NS_OGC))
                return -1;
            if (text_into(c, buf, size, len, 0) < 0)
                return -1;
        }
    }
    buf[*len] = '\0';
    return 0;
}

const char *sld__text(sld_parser *p, const xmlNode *n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    if (text_into(n, buf, size, &len, 1) < 0) {
        const xmlNode *c = sld__first(n);
        while (c && sld__is(c, "Literal", SLD_NS_OGC))
            c = sld__next(c);
        sld__issue(p, c ? c : n, "<%s> inside <%s>: only a literal value is supported here",
                   c ? (const char *)c->name : "?", (const char *)n->name);
        return NULL;
    }
    char *s = buf;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1]))
        s[--l] = '\0';
    return s;
}

int sld__number(sld_parser *p, const xmlNode *n, double lo, double hi, double *out)
{
    char buf[128];
    const char *t = sld__text(p, n, buf, sizeof buf);
    if (!t)
        return -1;
    tl_err e = TL_ERR_INIT;
    double v;
    if (tl_parse_double(t, &v, &e) < 0) {
        sld__fail(p, n, "<%s>: '%.40s' is not a number", (const char *)n->name, t);
        return -1;
    }
    if (v < lo || v > hi) {
        sld__fail(p, n, "<%s>: %g is outside the supported range [%g, %g]",
                  (const char *)n->name, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

void sld__check_attrs(sld_parser *p, const xmlNode *n, const char *const *ok)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns && a->ns->href && strcmp((const char *)a->ns->href, NS_XSI) == 0)
            continue;
        int fine = 0;
        for (size_t i = 0; ok && ok[i] && !fine; i++)
            fine = strcmp((const char *)a->name, ok[i]) == 0;
        if (!fine)
            sld__issue(p, n, "attribute %s on <%s> is not supported", (const char *)a->name,
                       (const char *)n->name);
    }
}

/* Descriptive elements: accepted everywhere they may appear, never drawn. */
static int is_descriptive(const xmlNode *c)
{
    static const char *const names[] = {"Name", "Title", "Abstract", "Description", "IsDefault",
                                        "FeatureTypeName", "SemanticTypeIdentifier"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sld__is(c, names[i], SLD_NS_STYLE))
            return 1;
    return 0;
}

static void unsupported(sld_parser *p, const xmlNode *c, const xmlNode *parent)
{
    sld__issue(p, c, "<%s> in <%s> is not supported", (const char *)c->name,
               (const char *)parent->name);
}

/* Rules ------------------------------------------------------------------------------------- */

/* Rule title: SLD 1.0 <Title>, SE 1.1 <Description><Title>. */
static void rule_title(sld_parser *p, sty_rule *r, const xmlNode *c)
{
    char buf[256];
    const xmlNode *t = c;
    if (sld__is(c, "Description", SLD_NS_STYLE)) {
        for (t = sld__first(c); t && !sld__is(t, "Title", SLD_NS_STYLE); t = sld__next(t))
            ;
        if (!t)
            return;
    }
    const char *s = sld__text(p, t, buf, sizeof buf);
    if (s && *s)
        r->title = sty__style_strdup(p->s, s);
}

static void parse_rule(sld_parser *p, sty_fts *f, const xmlNode *rn)
{
    sty_rule *r = sty__rule_add(p->s, f, NULL);
    int never = 0;
    char buf[256];
    sld__check_attrs(p, rn, NULL);
    for (const xmlNode *c = sld__first(rn); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Name", SLD_NS_STYLE)) {
            const char *s = sld__text(p, c, buf, sizeof buf);
            r->name = s ? sty__style_strdup(p->s, s) : NULL;
        } else if (sld__is(c, "Title", SLD_NS_STYLE) || sld__is(c, "Description", SLD_NS_STYLE)) {
            rule_title(p, r, c);
        } else if (sld__is(c, "Abstract", SLD_NS_STYLE)) {
            continue;
        } else if (sld__is(c, "Filter", SLD_NS_OGC)) {
            r->filter = sld__filter(p, c, &never);
        } else if (sld__is(c, "ElseFilter", SLD_NS_STYLE)) {
            r->is_else = 1;
        } else if (sld__is(c, "MinScaleDenominator", SLD_NS_STYLE)) {
            (void)sld__number(p, c, 0.0, 1e15, &r->min_scale);
        } else if (sld__is(c, "MaxScaleDenominator", SLD_NS_STYLE)) {
            (void)sld__number(p, c, 0.0, 1e15, &r->max_scale);
        } else if (!sld__symbolizer(p, r, c)) {
            unsupported(p, c, rn);
        }
    }
    if (never) { /* a filter we cannot evaluate: the rule draws nothing */
        r->min_scale = 0.0;
        r->max_scale = 0.0;
    }
}

static void parse_fts(sld_parser *p, const xmlNode *fn)
{
    static const char *const attrs[] = {"version", NULL};
    sty_fts *f = sty__fts_add(p->s, NULL);
    char buf[256];
    sld__check_attrs(p, fn, attrs);
    for (const xmlNode *c = sld__first(fn); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "Rule", SLD_NS_STYLE)) {
            parse_rule(p, f, c);
        } else if (sld__is(c, "Name", SLD_NS_STYLE)) {
            const char *s = sld__text(p, c, buf, sizeof buf);
            f->name = s ? sty__style_strdup(p->s, s) : NULL;
        } else if (!is_descriptive(c)) {
            unsupported(p, c, fn);
        }
    }
}

static void parse_user_style(sld_parser *p, const xmlNode *un)
{
    sld__check_attrs(p, un, NULL);
    for (const xmlNode *c = sld__first(un); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "FeatureTypeStyle", SLD_NS_STYLE))
            parse_fts(p, c);
        else if (!is_descriptive(c))
            unsupported(p, c, un);
    }
}

/* Layers ------------------------------------------------------------------------------------ */

static int named_layer_is(sld_parser *p, const xmlNode *ln, const char *layer)
{
    char buf[128];
    for (const xmlNode *c = sld__first(ln); c; c = sld__next(c)) {
        if (sld__is(c, "Name", SLD_NS_STYLE)) {
            const char *s = sld__text(p, c, buf, sizeof buf);
            return s && strcmp(s, layer) == 0;
        }
    }
    return 0;
}

static void parse_named_layer(sld_parser *p, const xmlNode *ln)
{
    int styles = 0;
    sld__check_attrs(p, ln, NULL);
    for (const xmlNode *c = sld__first(ln); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "UserStyle", SLD_NS_STYLE)) {
            if (styles++ == 0)
                parse_user_style(p, c);
            else
                sld__issue(p, c, "a second <UserStyle> in one <NamedLayer> is not supported "
                                 "(the first one is used)");
        } else if (!is_descriptive(c)) {
            unsupported(p, c, ln);
        }
    }
}

static int count_named_layers(const xmlNode *root)
{
    int n = 0;
    for (const xmlNode *c = sld__first(root); c; c = sld__next(c))
        n += sld__is(c, "NamedLayer", SLD_NS_STYLE);
    return n;
}

/* Parse the NamedLayers of the document into p->s: the one named `layer`, or (NULL) the
 * first, with every other NamedLayer parsed into a scratch style for its issues. */
static int parse_document(sld_parser *p, const xmlNode *root, const char *layer)
{
    static const char *const attrs[] = {"version", NULL};
    int found = 0;
    sld__check_attrs(p, root, attrs);
    for (const xmlNode *c = sld__first(root); c && !p->failed; c = sld__next(c)) {
        if (sld__is(c, "NamedLayer", SLD_NS_STYLE)) {
            if (layer && !named_layer_is(p, c, layer))
                continue;
            if (!found) {
                parse_named_layer(p, c);
                found = 1;
            } else if (!layer) {
                sld_parser q = *p;
                q.s = sty__style_new("scratch");
                parse_named_layer(&q, c);
                p->failed = q.failed;
                sty_style_release(q.s);
            } else {
                sld__issue(p, c, "a second <NamedLayer> named '%s' is not used", layer);
            }
        } else if (!is_descriptive(c)) {
            unsupported(p, c, root);
        }
    }
    if (!found && !p->failed && layer && count_named_layers(root) == 1) {
        /* a document with one NamedLayer (as QGIS exports it, named after the QGIS layer)
         * styles whatever layer it is attached to */
        for (const xmlNode *c = sld__first(root); c; c = sld__next(c))
            if (sld__is(c, "NamedLayer", SLD_NS_STYLE))
                parse_named_layer(p, c);
        found = 1;
    }
    if (!found && !p->failed) {
        if (layer)
            TL_FAIL(p->err, TL_ENOTFOUND, "the style document has no NamedLayer '%s'", layer);
        else
            TL_FAIL(p->err, TL_EINVAL, "the style document has no NamedLayer");
        p->failed = 1;
    }
    return p->failed ? -1 : 0;
}

/* The document ------------------------------------------------------------------------------ */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* libxml2 would print to stderr; the error is read from the context instead. */
static void xml_quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void xml_quiet_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

static xmlDoc *read_xml(const char *xml, size_t len, tl_err *err)
{
    if (len > SLD_MAX_BYTES || len > (size_t)INT32_MAX) {
        TL_FAIL(err, TL_ETOOBIG, "the style document has %zu bytes (limit %u)", len,
                SLD_MAX_BYTES);
        return NULL;
    }
    pthread_once(&xml_once, xml_init);
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        TL_FAIL(err, TL_ENOMEM, "libxml2: out of memory");
        return NULL;
    }
    ctxt->sax->error = xml_quiet;
    ctxt->sax->warning = xml_quiet;
    ctxt->sax->serror = xml_quiet_structured;
    ctxt->vctxt.error = xml_quiet;
    ctxt->vctxt.warning = xml_quiet;
    /* no NOENT (entities stay unexpanded), no DTDLOAD, no network */
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "style.sld", NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = &ctxt->lastError;
        char msg[160];
        tl_strlcpy(msg, e->message ? e->message : "not well-formed", sizeof msg);
        size_t l = strlen(msg);
        while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
            msg[--l] = '\0';
        TL_FAIL(err, TL_EINVAL, "line %d: malformed XML: %s", e->line, msg);
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (doc->intSubset || doc->extSubset) {
        TL_FAIL(err, TL_EINVAL, "line %d: a DTD is not allowed in a style document",
                doc->intSubset ? line_of((xmlNode *)doc->intSubset) : 1);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static int check_root(const xmlNode *root, tl_err *err)
{
    if (!root) {
        TL_FAIL(err, TL_EINVAL, "empty style document");
        return -1;
    }
    const char *name = (const char *)root->name;
    const char *href = root->ns ? (const char *)root->ns->href : NULL;
    if (strcmp(name, "StyledLayerDescriptor") != 0) {
        TL_FAIL(err, TL_EINVAL, "line %d: not an SLD document: the root element is <%.60s>, "
                "not <StyledLayerDescriptor>", line_of(root), name);
        return -1;
    }
    if (!href || strcmp(href, NS_SLD) != 0) {
        TL_FAIL(err, TL_EINVAL, "line %d: not an SLD document: <StyledLayerDescriptor> is in "
                "namespace '%.80s', expected '%s'", line_of(root), href ? href : "(none)",
                NS_SLD);
        return -1;
    }
    return 0;
}

sty_style *sty_style_from_sld(const char *xml, size_t len, const char *layer,
                              sty_issues *issues, tl_err *err)
{
    if (!xml) {
        TL_FAIL(err, TL_EINVAL, "no style document");
        return NULL;
    }
    xmlDoc *doc = read_xml(xml, len, err);
    if (!doc)
        return NULL;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (check_root(root, err) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    sld_parser p = {sty__style_new(layer ? layer : "sld"), issues, err, 0};
    if (parse_document(&p, root, layer) < 0) {
        sty_style_release(p.s);
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlFreeDoc(doc);
    sty__style_finish(p.s);
    return p.s;
}
