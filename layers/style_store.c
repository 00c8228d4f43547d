/* style_store.c: the SLD text attached to a layer (tiled_layers.style). The text is kept
 * as written, so `tiled style check` and the server see exactly what the user gave. */
#include <stdlib.h>
#include <string.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_util.h"

#define STYLE_MAX_BYTES (16u << 20) /* far above any real SLD; guards the SQL statement */

char *lyr__sql_quote(const char *s)
{
    size_t n = 2;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *q = tl_xmalloc(n + 1), *o = q;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            *o++ = '\'';
        *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

static int layer_exists(lyr_store *st, const char *layer, tl_err *err)
{
    char table[128];
    int version;
    return lyr__current_table(st, layer, table, sizeof table, &version, err);
}

int lyr_store_set_style(lyr_store *st, const char *layer, const char *sld, tl_err *err)
{
    if (layer_exists(st, layer, err) != 0)
        return -1;
    if (sld && strlen(sld) > STYLE_MAX_BYTES) {
        TL_FAIL(err, TL_ETOOBIG, "style for layer '%s' is larger than %u MiB", layer,
                STYLE_MAX_BYTES >> 20);
        return -1;
    }
    char *q = lyr__sql_quote(sld ? sld : "");
    size_t n = strlen(q) + 128;
    char *sql = tl_xmalloc(n);
    if (sld)
        snprintf(sql, n, "UPDATE tiled_layers SET style = %s WHERE name = '%s'", q, layer);
    else
        snprintf(sql, n, "UPDATE tiled_layers SET style = NULL WHERE name = '%s'", layer);
    int rc = lyr__exec(st, sql, err);
    free(sql);
    free(q);
    return rc;
}

int lyr_store_get_style(lyr_store *st, const char *layer, char **sld, tl_err *err)
{
    *sld = NULL;
    if (layer_exists(st, layer, err) != 0)
        return -1;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT style FROM tiled_layers WHERE name = '%s'", layer);
    OGRLayerH r = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    if (f && OGR_F_IsFieldSetAndNotNull(f, 0)) {
        const char *s = OGR_F_GetFieldAsString(f, 0);
        if (*s)
            *sld = tl_xstrdup(s);
    }
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(st->ds, r);
    return 0;
}
