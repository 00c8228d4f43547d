/* err.c: tl_err helpers; formatting and the code -> exit status table. */
#include "tiled/base/tl_err.h"

#include <stdio.h>
#include <string.h>

void tl_err_set(tl_err *err, tl_code code, const char *where, const char *fmt, ...)
{
    if (!err || err->code != TL_OK)
        return;
    err->code = code;
    err->where = where ? where : "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* keep it one line */
    for (char *p = err->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

void tl_err_prefix(tl_err *err, const char *fmt, ...)
{
    if (!err || err->code == TL_OK)
        return;
    char pre[128];
    char old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t pl = strlen(pre);
    if (pl >= sizeof err->msg)
        pl = sizeof err->msg - 1;
    memcpy(err->msg, pre, pl);
    size_t ol = strnlen(old, sizeof old - 1);
    if (ol > sizeof err->msg - 1 - pl)
        ol = sizeof err->msg - 1 - pl;
    memcpy(err->msg + pl, old, ol);
    err->msg[pl + ol] = '\0';
}

void tl_err_clear(tl_err *err)
{
    if (!err)
        return;
    err->code = TL_OK;
    err->where = "";
    err->msg[0] = '\0';
}

static const struct {
    const char *name;
    int exit_status;
} code_table[] = {
    [TL_OK] = {"OK", 0},           [TL_EINVAL] = {"EINVAL", 2},
    [TL_ENOTFOUND] = {"ENOTFOUND", 4}, [TL_ETOOBIG] = {"ETOOBIG", 5},
    [TL_ETIMEOUT] = {"ETIMEOUT", 6}, [TL_EUNAUTH] = {"EUNAUTH", 7},
    [TL_ESTORE] = {"ESTORE", 3},   [TL_EGEOM] = {"EGEOM", 8},
    [TL_ECRS] = {"ECRS", 9},       [TL_ENOMEM] = {"ENOMEM", 10},
    [TL_EINTERNAL] = {"EINTERNAL", 11}, [TL_EBUSY] = {"EBUSY", 12},
};

const char *tl_code_name(tl_code code)
{
    if ((unsigned)code >= sizeof code_table / sizeof code_table[0])
        return "EUNKNOWN";
    return code_table[code].name;
}

int tl_code_exit(tl_code code)
{
    if ((unsigned)code >= sizeof code_table / sizeof code_table[0])
        return 11;
    return code_table[code].exit_status;
}
