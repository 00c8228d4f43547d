/* config.c: the server's config file: `key = value` lines, `#` comments. Unknown keys and
 * malformed lines are errors with their line number: a typo must not disable security. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

void srv_config_defaults(srv_config *c)
{
    memset(c, 0, sizeof *c);
    c->upload_max_bytes = 256ull << 20;
    c->keep_versions = 5;
    c->cache_max_bytes = 1ull << 30;
    c->cache_memory_bytes = 64ull << 20;
    snprintf(c->cache_control, sizeof c->cache_control, "public, max-age=60");
}

static int set(srv_config *c, const char *key, const char *val, const char *where, tl_err *err)
{
    int64_t v;
    if (strcmp(key, "admin_token") == 0) {
        if (strlen(val) < 16) {
            TL_FAIL(err, TL_EINVAL, "%s: admin_token must be at least 16 characters", where);
            return -1;
        }
        if (c->n_tokens == SRV_MAX_TOKENS) {
            TL_FAIL(err, TL_EINVAL, "%s: more than %d admin tokens", where, SRV_MAX_TOKENS);
            return -1;
        }
        c->tokens[c->n_tokens++] = tl_xstrdup(val);
    } else if (strcmp(key, "upload_max_bytes") == 0) {
        if (tl_parse_i64(val, 1, INT64_C(1) << 40, &v, err) != 0)
            goto bad;
        c->upload_max_bytes = (uint64_t)v;
    } else if (strcmp(key, "cache_max_bytes") == 0) {
        if (tl_parse_i64(val, 0, INT64_C(1) << 50, &v, err) != 0)
            goto bad;
        c->cache_max_bytes = (uint64_t)v;
    } else if (strcmp(key, "cache_memory_bytes") == 0) {
        if (tl_parse_i64(val, 0, INT64_C(1) << 40, &v, err) != 0)
            goto bad;
        c->cache_memory_bytes = (uint64_t)v;
    } else if (strcmp(key, "cache_control") == 0) {
        if (strlen(val) >= sizeof c->cache_control || strpbrk(val, "\r\n")) {
            TL_FAIL(err, TL_EINVAL, "%s: cache_control is too long", where);
            return -1;
        }
        snprintf(c->cache_control, sizeof c->cache_control, "%s", val);
    } else if (strcmp(key, "keep_versions") == 0) {
        if (tl_parse_i64(val, 0, 1000000, &v, err) != 0)
            goto bad;
        c->keep_versions = (int)v;
    } else {
        TL_FAIL(err, TL_EINVAL, "%s: unknown key '%.60s' (known: admin_token, "
                                "upload_max_bytes, keep_versions, cache_max_bytes, cache_memory_bytes, "
                                "cache_control)", where, key);
        return -1;
    }
    return 0;
bad:
    tl_err_prefix(err, "%s: %s: ", where, key);
    return -1;
}

int srv_config_load(srv_config *c, const char *path, tl_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        TL_FAIL(err, TL_ENOTFOUND, "config %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024], where[300];
    int no = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        snprintf(where, sizeof where, "%.200s:%d", path, no);
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            TL_FAIL(err, TL_EINVAL, "%s: expected `key = value`", where);
            rc = -1;
            break;
        }
        *eq = '\0';
        rc = set(c, trim(s), trim(eq + 1), where, err);
    }
    fclose(f);
    return rc;
}

void srv_config_free(srv_config *c)
{
    for (int i = 0; i < c->n_tokens; i++)
        free(c->tokens[i]);
    c->n_tokens = 0;
}
