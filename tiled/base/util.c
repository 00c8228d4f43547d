/* util.c: checked allocation, number parsing and string helpers (no atoi/strtok). */
#include "tiled/base/tl_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_oom(size_t n)
{
    fprintf(stderr, "tiled: out of memory allocating %zu bytes\n", n);
    abort();
}

void *tl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *tl_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *tl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

char *tl_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = tl_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

int tl_parse_i64n(const char *s, size_t len, int64_t min, int64_t max, int64_t *out, tl_err *err)
{
    char buf[32];
    if (!s || len == 0 || len >= sizeof buf) {
        TL_FAIL(err, TL_EINVAL, "'%.*s' is not an integer", (int)(len > 40 ? 40 : len), s ? s : "");
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    return tl_parse_i64(buf, min, max, out, err);
}

int tl_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, tl_err *err)
{
    if (!s || !*s) {
        TL_FAIL(err, TL_EINVAL, "empty value where an integer was expected");
        return -1;
    }
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9') {
        TL_FAIL(err, TL_EINVAL, "'%.40s' is not an integer", s);
        return -1;
    }
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9') {
            TL_FAIL(err, TL_EINVAL, "'%.40s' is not an integer", s);
            return -1;
        }
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || v < min || v > max) {
        TL_FAIL(err, TL_EINVAL, "%.40s is out of range [%lld, %lld]", s, (long long)min,
                (long long)max);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int tl_parse_double(const char *s, double *out, tl_err *err)
{
    if (!s || !*s) {
        TL_FAIL(err, TL_EINVAL, "empty value where a number was expected");
        return -1;
    }
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        TL_FAIL(err, TL_EINVAL, "'%.40s' is not a finite number", s);
        return -1;
    }
    *out = v;
    return 0;
}

size_t tl_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

int tl_str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int tl_str_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

double tl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
