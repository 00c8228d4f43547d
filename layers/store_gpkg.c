/* store_gpkg.c: the GeoPackage store: opening, the catalog tables and listing layers. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_util.h"

static const char *const catalog_ddl[] = {
    "CREATE TABLE IF NOT EXISTS tiled_layers ("
    " name TEXT PRIMARY KEY NOT NULL,"
    " title TEXT,"
    " current_version INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " style TEXT,"
    " measure_crs TEXT NOT NULL DEFAULT 'EPSG:9210')",
    "CREATE TABLE IF NOT EXISTS tiled_versions ("
    " layer TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " table_name TEXT NOT NULL,"
    " source TEXT,"
    " source_crs TEXT,"
    " pipeline TEXT,"
    " feature_count INTEGER NOT NULL,"
    " minx REAL, miny REAL, maxx REAL, maxy REAL,"
    " imported_at TEXT NOT NULL,"
    " report TEXT,"
    " PRIMARY KEY (layer, version))",
};

void lyr__gdal_fail(tl_err *err, tl_code code, const char *where, const char *what)
{
    const char *msg = CPLGetLastErrorMsg();
    if (msg && *msg)
        tl_err_set(err, code, where, "%s: %s", what, msg);
    else
        tl_err_set(err, code, where, "%s", what);
    CPLErrorReset();
}

int lyr__valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > LYR_NAME_MAX || strstr(name, "__"))
        return 0; /* "__" is reserved for the version tables ({layer}__v{N}) */
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        int digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0))
            return 0;
    }
    return 1;
}

int lyr__exec(lyr_store *st, const char *sql, tl_err *err)
{
    CPLErrorReset();
    OGRLayerH res = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (res)
        GDALDatasetReleaseResultSet(st->ds, res);
    if (CPLGetLastErrorType() >= CE_Failure) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "store SQL failed");
        return -1;
    }
    return 0;
}

/* The catalog tables are not registered in gpkg_contents, so ask sqlite_master. */
static int has_catalog(lyr_store *st)
{
    int found = 0;
    OGRLayerH r = GDALDatasetExecuteSQL(
        st->ds, "SELECT name FROM sqlite_master WHERE type='table' AND name='tiled_layers'",
        NULL, NULL);
    if (r) {
        OGRFeatureH f = OGR_L_GetNextFeature(r);
        found = f != NULL;
        OGR_F_Destroy(f);
        GDALDatasetReleaseResultSet(st->ds, r);
    }
    CPLErrorReset();
    return found;
}

static GDALDatasetH create_gpkg(const char *path, tl_err *err)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) {
        TL_FAIL(err, TL_ESTORE, "GDAL has no GPKG driver (was GDALAllRegister called?)");
        return NULL;
    }
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot create the store");
    return ds;
}

lyr_store *lyr__store_open(const char *path, int create, int writable, tl_err *err)
{
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    GDALDatasetH ds = NULL;
    if (!exists) {
        if (!create) {
            TL_FAIL(err, TL_ENOTFOUND, "store %s does not exist (create one with `tiled demo` "
                                       "or `tiled import`)", path);
            return NULL;
        }
        ds = create_gpkg(path, err);
        if (!ds) {
            tl_err_prefix(err, "store %s: ", path);
            return NULL;
        }
    } else {
        if (!S_ISREG(sb.st_mode)) {
            TL_FAIL(err, TL_ESTORE, "store %s is not a regular file", path);
            return NULL;
        }
        static const char *const drivers[] = {"GPKG", NULL};
        unsigned flags = GDAL_OF_VECTOR | (writable ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        ds = GDALOpenEx(path, flags, drivers, NULL, NULL);
        CPLPopErrorHandler();
        if (!ds) {
            lyr__gdal_fail(err, TL_ESTORE, __func__, "not a GeoPackage");
            tl_err_prefix(err, "store %s: ", path);
            return NULL;
        }
    }
    lyr_store *st = tl_xcalloc(1, sizeof *st);
    st->ds = ds;
    st->path = tl_xstrdup(path);
    st->writable = writable || !exists;
    if (!has_catalog(st)) {
        if (!create || !st->writable) {
            TL_FAIL(err, TL_ESTORE, "store %s is a GeoPackage without tiled's catalog "
                                    "(tiled_layers); import into a new store instead", path);
            lyr_store_close(st);
            return NULL;
        }
        for (size_t i = 0; i < sizeof catalog_ddl / sizeof catalog_ddl[0]; i++) {
            if (lyr__exec(st, catalog_ddl[i], err) != 0) {
                lyr_store_close(st);
                return NULL;
            }
        }
    }
    if (st->writable)
        (void)lyr__exec(st, "PRAGMA journal_mode=WAL", NULL);
    /* a concurrent writer (another layer's import) holds the lock only briefly */
    (void)lyr__exec(st, "PRAGMA busy_timeout = 30000", NULL);
    return st;
}

lyr_store *lyr_store_open(const char *path, int create, tl_err *err)
{
    return lyr__store_open(path, create, 1, err);
}

lyr_store *lyr_store_open_readonly(const char *path, tl_err *err)
{
    return lyr__store_open(path, 0, 0, err);
}

void lyr_store_close(lyr_store *st)
{
    if (!st)
        return;
    if (st->ds)
        GDALClose(st->ds);
    free(st->path);
    free(st);
}

int lyr__current_table(lyr_store *st, const char *layer, char *buf, size_t size, int *version,
                       tl_err *err)
{
    if (!lyr__valid_name(layer)) {
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%.80s'", layer);
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT v.table_name, v.version FROM tiled_layers l JOIN tiled_versions v"
             " ON v.layer = l.name AND v.version = l.current_version WHERE l.name = '%s'",
             layer);
    OGRLayerH r = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    int rc = -1;
    if (f) {
        tl_strlcpy(buf, OGR_F_GetFieldAsString(f, 0), size);
        *version = OGR_F_GetFieldAsInteger(f, 1);
        rc = 0;
        OGR_F_Destroy(f);
    } else {
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%s'", layer);
    }
    GDALDatasetReleaseResultSet(st->ds, r);
    return rc;
}

int lyr_store_list(lyr_store *st, lyr_layer_info **out, size_t *n, tl_err *err)
{
    OGRLayerH r = GDALDatasetExecuteSQL(
        st->ds,
        "SELECT l.name, l.title, l.current_version, v.feature_count, v.minx, v.miny, v.maxx,"
        " v.maxy, v.source, v.source_crs, v.imported_at, l.kind FROM tiled_layers l"
        " JOIN tiled_versions v ON v.layer = l.name AND v.version = l.current_version"
        " ORDER BY l.name",
        NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    size_t cap = 8, cnt = 0;
    lyr_layer_info *v = tl_xcalloc(cap, sizeof *v);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r)) != NULL) {
        if (cnt == cap) {
            cap *= 2;
            v = tl_xrealloc(v, cap * sizeof *v);
        }
        lyr_layer_info *li = &v[cnt++];
        memset(li, 0, sizeof *li);
        tl_strlcpy(li->name, OGR_F_GetFieldAsString(f, 0), sizeof li->name);
        tl_strlcpy(li->title, OGR_F_GetFieldAsString(f, 1), sizeof li->title);
        li->version = OGR_F_GetFieldAsInteger(f, 2);
        li->n_features = OGR_F_GetFieldAsInteger64(f, 3);
        for (int k = 0; k < 4; k++)
            li->extent[k] = OGR_F_GetFieldAsDouble(f, 4 + k);
        tl_strlcpy(li->source, OGR_F_GetFieldAsString(f, 8), sizeof li->source);
        tl_strlcpy(li->source_crs, OGR_F_GetFieldAsString(f, 9), sizeof li->source_crs);
        tl_strlcpy(li->imported_at, OGR_F_GetFieldAsString(f, 10), sizeof li->imported_at);
        li->kind = (lyr_geom_kind)OGR_F_GetFieldAsInteger(f, 11);
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(st->ds, r);
    *out = v;
    *n = cnt;
    return 0;
}
