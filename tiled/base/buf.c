/* buf.c: bounded growable byte buffer. */
#include "tiled/base/tl_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/base/tl_util.h"

void tl_buf_init(tl_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->_cap = 0;
    b->_max = max;
}

static int grow(tl_buf *b, size_t extra, tl_err *err)
{
    if (extra > b->_max || b->len > b->_max - extra) {
        TL_FAIL(err, TL_ETOOBIG, "output exceeds the limit of %zu bytes", b->_max);
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->_cap)
        return 0;
    size_t cap = b->_cap ? b->_cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = tl_xrealloc(b->data, cap);
    b->_cap = cap;
    return 0;
}

int tl_buf_add(tl_buf *b, const void *p, size_t n, tl_err *err)
{
    if (grow(b, n, err) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int tl_buf_addf(tl_buf *b, tl_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        TL_FAIL(err, TL_EINTERNAL, "bad format string");
        return -1;
    }
    if (grow(b, (size_t)n, err) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void tl_buf_reset(tl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

unsigned char *tl_buf_take(tl_buf *b, size_t *len)
{
    unsigned char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->_cap = 0;
    return d;
}

void tl_buf_free(tl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->_cap = 0;
}
