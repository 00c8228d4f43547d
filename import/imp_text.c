/* imp_text.c: attribute text to UTF-8. Text is converted with iconv when the user names
 * the source's encoding (--encoding) or the Shapefile's .cpg does; otherwise it must
 * already be UTF-8, and a value that is not is an error naming the feature and field:
 * a guessed encoding would corrupt Vietnamese names silently. */
#include <cpl_string.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importer_int.h"
#include "tiled/base/tl_util.h"

int imp__setup_text(imp__job *j, tl_err *err)
{
    j->cd = (iconv_t)-1;
    if (!j->encoding[0]) {
        snprintf(j->encoding, sizeof j->encoding, "UTF-8");
        return 0;
    }
    if (strcasecmp(j->encoding, "UTF-8") == 0 || strcasecmp(j->encoding, "UTF8") == 0)
        return 0;
    j->cd = iconv_open("UTF-8", j->encoding);
    if (j->cd == (iconv_t)-1) {
        TL_FAIL(err, TL_EINVAL, "unknown encoding '%.60s' (iconv has no such character set; "
                                "e.g. TCVN5712-1 for TCVN3, CP1258, ISO-8859-1)", j->encoding);
        return -1;
    }
    return 0;
}

/* `s` in UTF-8 (borrowed until the next call), or NULL when it cannot be: *why says so. */
static const char *convert(imp__job *j, const char *s, const char **why)
{
    if (j->cd == (iconv_t)-1) {
        *why = "not valid UTF-8";
        return CPLIsUTF8(s, -1) ? s : NULL;
    }
    size_t in_left = strlen(s), need = in_left * 4 + 8;
    if (need > j->tcap) {
        j->tcap = need;
        j->tbuf = tl_xrealloc(j->tbuf, j->tcap);
    }
    char *in = (char *)s, *out = j->tbuf;
    size_t out_left = j->tcap - 1;
    iconv(j->cd, NULL, NULL, NULL, NULL);
    /* the second call flushes what a stateful decoder (CP1258, TCVN) still holds back */
    if (iconv(j->cd, &in, &in_left, &out, &out_left) == (size_t)-1 ||
        iconv(j->cd, NULL, NULL, &out, &out_left) == (size_t)-1) {
        *why = strerror(errno);
        return NULL;
    }
    *out = '\0';
    return j->tbuf;
}

const char *imp__text(imp__job *j, const char *s, int64_t fid, const imp__field *f,
                      tl_err *err)
{
    const char *why = "";
    const char *u = convert(j, s, &why);
    if (u)
        return u;
    if (j->cd == (iconv_t)-1)
        TL_FAIL(err, TL_EINVAL, "%s: feature %lld, field '%s': text is not valid UTF-8; give "
                                "the source's encoding with --encoding (e.g. TCVN5712-1 for "
                                "TCVN3, CP1258)", j->label, (long long)fid, f->def.name);
    else
        TL_FAIL(err, TL_EINVAL, "%s: feature %lld, field '%s': text is not valid %s (%s)",
                j->label, (long long)fid, f->def.name, j->encoding, why);
    return NULL;
}

const char *imp__text_name(imp__job *j, const char *name, tl_err *err)
{
    const char *why = "";
    const char *u = convert(j, name, &why);
    if (!u && j->cd == (iconv_t)-1)
        TL_FAIL(err, TL_EINVAL, "%s: a field name is not valid UTF-8; give the source's "
                                "encoding with --encoding (e.g. TCVN5712-1 for TCVN3, CP1258)",
                j->label);
    else if (!u)
        TL_FAIL(err, TL_EINVAL, "%s: a field name is not valid %s (%s)", j->label, j->encoding,
                why);
    return u;
}

void imp__text_free(imp__job *j)
{
    if (j->cd != (iconv_t)-1)
        iconv_close(j->cd);
    free(j->tbuf);
}
