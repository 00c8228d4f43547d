/* tl_util.h: checked allocation, checked integer/float parsing and small string helpers.
 * Everything here is thread-safe and uses no global state. */
#ifndef TL_UTIL_H
#define TL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tiled/base/tl_err.h"

/* Allocation ------------------------------------------------------------- */

/** malloc/calloc/realloc that abort with a message on failure (small fixed sizes only;
 *  sizes derived from input must be checked against limits first). */
void *tl_xmalloc(size_t n);
void *tl_xcalloc(size_t count, size_t size);
void *tl_xrealloc(void *p, size_t n);
/** strdup that aborts on failure. NULL in, NULL out. Caller frees. */
char *tl_xstrdup(const char *s);

/* Parsing ------------------------------------------------------------------ */

/** Parse the whole of `s` as a decimal integer in [min, max]. 0 on success, -1 with err. */
int tl_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, tl_err *err);
/** Parse the whole of `s` (or of its first `len` bytes) as a decimal integer in [min, max]. */
int tl_parse_i64n(const char *s, size_t len, int64_t min, int64_t max, int64_t *out, tl_err *err);
/** Parse the whole of `s` as a finite double. 0 on success, -1 with err. */
int tl_parse_double(const char *s, double *out, tl_err *err);

/* Strings -------------------------------------------------------------------- */

/** Copy at most size-1 bytes and always NUL-terminate (size > 0). Returns strlen(src). */
size_t tl_strlcpy(char *dst, const char *src, size_t size);
/** 1 if `s` starts with `prefix`. */
int tl_str_starts(const char *s, const char *prefix);
/** 1 if `s` ends with `suffix`. */
int tl_str_ends(const char *s, const char *suffix);

/* Hashing ------------------------------------------------------------------- */

#define TL_FNV_OFFSET 1469598103934665603ULL
/** FNV-1a over n bytes, continuing from `h` (start with TL_FNV_OFFSET). Not for secrets. */
static inline uint64_t tl_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/** Monotonic clock in seconds. */
double tl_now(void);

#endif
