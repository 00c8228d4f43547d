/* tl_buf.h: a bounded growable byte buffer (curl dynbuf). Growing past the maximum
 * fails with TL_ETOOBIG instead of exhausting memory. Per-thread. */
#ifndef TL_BUF_H
#define TL_BUF_H

#include <stddef.h>

#include "tiled/base/tl_err.h"

typedef struct tl_buf {
    unsigned char *data; /* owned; NUL-terminated when non-NULL */
    size_t len;
    size_t _cap;
    size_t _max; /* hard limit on len */
} tl_buf;

/** Initialise an empty buffer that may grow to `max` bytes. No allocation yet. */
void tl_buf_init(tl_buf *b, size_t max);
/** Append bytes. -1 with TL_ETOOBIG if `max` would be passed (buffer unchanged). */
int tl_buf_add(tl_buf *b, const void *p, size_t n, tl_err *err);
/** Append a formatted string. */
int tl_buf_addf(tl_buf *b, tl_err *err, const char *fmt, ...) TL_PRINTF(3, 4);
/** Empty the buffer, keeping its memory. */
void tl_buf_reset(tl_buf *b);
/** Move the data out; caller frees it with free(). The buffer becomes empty. */
unsigned char *tl_buf_take(tl_buf *b, size_t *len);
/** Free the memory. */
void tl_buf_free(tl_buf *b);

#endif
