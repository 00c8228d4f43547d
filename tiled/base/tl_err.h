/* tl_err.h: the one error type of tiled: a code plus a one-line, user-presentable message.
 * Fallible functions take `tl_err *err` last and return -1 or NULL on failure. */
#ifndef TL_ERR_H
#define TL_ERR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define TL_MUST_USE __attribute__((warn_unused_result))
#define TL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TL_MUST_USE
#define TL_PRINTF(f, a)
#endif

typedef enum tl_code {
    TL_OK = 0,
    TL_EINVAL,    /* bad client or file input        -> 400, CLI exit 2 */
    TL_ENOTFOUND, /* no such layer/tile/feature      -> 404, exit 4 */
    TL_ETOOBIG,   /* a limit was hit                 -> 413, exit 5 */
    TL_ETIMEOUT,  /* request deadline passed         -> 503, exit 6 */
    TL_EUNAUTH,   /*                                 -> 401, exit 7 */
    TL_ESTORE,    /* store/GDAL I/O failure          -> 500, exit 3 */
    TL_EGEOM,     /* GEOS failure                    -> 500, exit 8 */
    TL_ECRS,      /* PROJ/OSR failure                -> 400, exit 9 */
    TL_ENOMEM,    /*                                 -> 500, exit 10 */
    TL_EINTERNAL, /* a bug: ALWAYS/NEVER tripped     -> 500, exit 11 */
    TL_EBUSY      /* held by someone else (a lock)   -> 409, exit 12 */
} tl_code;

typedef struct tl_err {
    tl_code code;
    const char *where; /* __func__ of the first failure; static string */
    char msg[256];     /* one line, no trailing newline */
} tl_err;

#define TL_ERR_INIT {TL_OK, "", {0}}

/** Record a failure (first one wins: a set error is never overwritten). */
void tl_err_set(tl_err *err, tl_code code, const char *where, const char *fmt, ...)
    TL_PRINTF(4, 5);
#define TL_FAIL(err, code, ...) tl_err_set((err), (code), __func__, __VA_ARGS__)

/** Prefix context to an error already set ("layer zoning: " + msg). */
void tl_err_prefix(tl_err *err, const char *fmt, ...) TL_PRINTF(2, 3);

/** Reset to TL_OK. */
void tl_err_clear(tl_err *err);

/** Short stable name of a code ("EINVAL"). Never NULL. */
const char *tl_code_name(tl_code code);

/** The CLI exit status for a code (0 for TL_OK; documented in README). */
int tl_code_exit(tl_code code);

/* Fail-soft checks for "cannot happen" (SQLite ALWAYS/NEVER). */
#define TL_ALWAYS(x) (__builtin_expect(!!(x), 1))
#define TL_NEVER(x) (__builtin_expect(!!(x), 0))

#endif
