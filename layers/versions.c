/* versions.c: a layer's versions: the per-layer write lock, the layer's view of its
 * published version, listing, pruning and rollback. */
#define _GNU_SOURCE /* F_OFD_SETLK: open-file-description locks (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_util.h"

/* The write lock of a layer is an open-file-description lock on one byte of
 * "<store>.lock", at an offset hashed from the layer name. The kernel drops it when the
 * holder exits, however it exits (SIGKILL included), and it excludes threads of the same
 * process as well as other processes. */
static off_t lock_offset(const char *layer)
{
    uint64_t h = tl_fnv1a(TL_FNV_OFFSET, layer, strlen(layer));
    return (off_t)(h & ((1ULL << 40) - 1));
}

int lyr__lock_layer(lyr_store *st, const char *layer, tl_err *err)
{
    size_t n = strlen(st->path) + 8;
    char *path = tl_xmalloc(n);
    snprintf(path, n, "%s.lock", st->path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        TL_FAIL(err, TL_ESTORE, "cannot open the lock file %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = lock_offset(layer),
                       .l_len = 1};
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EACCES)
            TL_FAIL(err, TL_EBUSY, "another import of layer '%s' is running; try again when "
                                   "it has finished", layer);
        else
            TL_FAIL(err, TL_ESTORE, "cannot lock layer '%s': %s", layer, strerror(e));
        return -1;
    }
    return fd;
}

void lyr__unlock_layer(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the only descriptor releases the OFD lock */
}

/* Single-value query helper: the first column of the first row as text, or "" */
static int query_text(lyr_store *st, const char *sql, char *buf, size_t size, tl_err *err)
{
    OGRLayerH r = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    buf[0] = '\0';
    int found = f != NULL;
    if (f)
        tl_strlcpy(buf, OGR_F_GetFieldAsString(f, 0), size);
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(st->ds, r);
    return found;
}

void lyr__drop_table(lyr_store *st, const char *table)
{
    for (int i = GDALDatasetGetLayerCount(st->ds) - 1; i >= 0; i--) {
        if (strcmp(OGR_L_GetName(GDALDatasetGetLayer(st->ds, i)), table) == 0) {
            GDALDatasetDeleteLayer(st->ds, i);
            return;
        }
    }
}

void lyr__sweep_orphans(lyr_store *st, const char *layer)
{
    /* tables "{layer}__v{N}" that no catalog row references: left by a killed writer */
    char prefix[LYR_NAME_MAX + 8];
    snprintf(prefix, sizeof prefix, "%s__v", layer);
    size_t pl = strlen(prefix);
    for (int i = GDALDatasetGetLayerCount(st->ds) - 1; i >= 0; i--) {
        const char *name = OGR_L_GetName(GDALDatasetGetLayer(st->ds, i));
        if (strncmp(name, prefix, pl) != 0 || name[pl] < '0' || name[pl] > '9')
            continue;
        char sql[200], buf[16];
        snprintf(sql, sizeof sql, "SELECT 1 FROM tiled_versions WHERE table_name = '%s'", name);
        if (query_text(st, sql, buf, sizeof buf, NULL) == 0)
            GDALDatasetDeleteLayer(st->ds, i);
    }
}

int lyr__publish_view(lyr_store *st, const char *layer, const char *table, tl_err *err)
{
    OGRLayerH l = GDALDatasetGetLayerByName(st->ds, table);
    if (!l) {
        TL_FAIL(err, TL_ESTORE, "version table %s is missing", table);
        return -1;
    }
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    tl_buf b;
    tl_buf_init(&b, 1u << 20);
    int rc = tl_buf_addf(&b, err, "CREATE VIEW \"%s\" AS SELECT fid AS OGC_FID, geom", layer);
    for (int i = 0; rc == 0 && i < OGR_FD_GetFieldCount(d); i++)
        rc = tl_buf_addf(&b, err, ", \"%s\"", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)));
    if (rc == 0)
        rc = tl_buf_addf(&b, err, " FROM \"%s\"", table);
    char sql[3][400];
    snprintf(sql[0], sizeof sql[0], "DROP VIEW IF EXISTS \"%s\"", layer);
    snprintf(sql[1], sizeof sql[1], "DELETE FROM gpkg_contents WHERE table_name = '%s'", layer);
    snprintf(sql[2], sizeof sql[2], "DELETE FROM gpkg_geometry_columns WHERE table_name = '%s'",
             layer);
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = lyr__exec(st, sql[i], err);
    if (rc == 0)
        rc = lyr__exec(st, (const char *)b.data, err);
    tl_buf_free(&b);
    if (rc != 0)
        return -1;
    char q[800];
    snprintf(q, sizeof q,
             "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
             " last_change, min_x, min_y, max_x, max_y, srs_id) SELECT '%s', data_type, '%s',"
             " description, last_change, v.minx, v.miny, v.maxx, v.maxy, srs_id FROM"
             " gpkg_contents c JOIN tiled_versions v ON v.table_name = c.table_name"
             " WHERE c.table_name = '%s'",
             layer, layer, table);
    if (lyr__exec(st, q, err) != 0)
        return -1;
    snprintf(q, sizeof q,
             "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name,"
             " srs_id, z, m) SELECT '%s', column_name, geometry_type_name, srs_id, z, m FROM"
             " gpkg_geometry_columns WHERE table_name = '%s'",
             layer, table);
    return lyr__exec(st, q, err);
}

int lyr_store_versions(lyr_store *st, const char *layer, lyr_version_info **out, size_t *n,
                       tl_err *err)
{
    *out = NULL;
    *n = 0;
    if (!lyr__valid_name(layer)) {
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%.80s'", layer);
        return -1;
    }
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT v.version, v.feature_count, v.minx, v.miny, v.maxx, v.maxy, v.source,"
             " v.source_crs, v.imported_at, v.pipeline, l.current_version FROM tiled_versions v"
             " JOIN tiled_layers l ON l.name = v.layer WHERE v.layer = '%s'"
             " ORDER BY v.version DESC",
             layer);
    OGRLayerH r = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    size_t cap = 4, cnt = 0;
    lyr_version_info *v = tl_xcalloc(cap, sizeof *v);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r)) != NULL) {
        if (cnt == cap) {
            cap *= 2;
            v = tl_xrealloc(v, cap * sizeof *v);
        }
        lyr_version_info *vi = &v[cnt++];
        memset(vi, 0, sizeof *vi);
        vi->version = OGR_F_GetFieldAsInteger(f, 0);
        vi->n_features = OGR_F_GetFieldAsInteger64(f, 1);
        for (int k = 0; k < 4; k++)
            vi->extent[k] = OGR_F_GetFieldAsDouble(f, 2 + k);
        tl_strlcpy(vi->source, OGR_F_GetFieldAsString(f, 6), sizeof vi->source);
        tl_strlcpy(vi->source_crs, OGR_F_GetFieldAsString(f, 7), sizeof vi->source_crs);
        tl_strlcpy(vi->imported_at, OGR_F_GetFieldAsString(f, 8), sizeof vi->imported_at);
        tl_strlcpy(vi->pipeline, OGR_F_GetFieldAsString(f, 9), sizeof vi->pipeline);
        vi->current = vi->version == OGR_F_GetFieldAsInteger(f, 10);
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(st->ds, r);
    if (cnt == 0) {
        free(v);
        TL_FAIL(err, TL_ENOTFOUND, "no layer named '%s'", layer);
        return -1;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int lyr__prune(lyr_store *st, const char *layer, int keep, tl_err *err)
{
    if (keep < 1)
        return 0;
    lyr_version_info *v;
    size_t n;
    if (lyr_store_versions(st, layer, &v, &n, err) != 0)
        return -1;
    int rc = 0;
    /* v is newest first; keep the newest `keep` and the current one */
    for (size_t i = (size_t)keep; i < n && rc == 0; i++) {
        if (v[i].current)
            continue;
        char table[LYR_NAME_MAX + 16], sql[200];
        snprintf(table, sizeof table, "%s__v%d", layer, v[i].version);
        snprintf(sql, sizeof sql, "DELETE FROM tiled_versions WHERE layer = '%s' AND version = %d",
                 layer, v[i].version);
        rc = lyr__exec(st, sql, err);
        if (rc == 0)
            lyr__drop_table(st, table);
    }
    free(v);
    return rc;
}

int lyr_store_rollback(lyr_store *st, const char *layer, int version, tl_err *err)
{
    lyr_version_info *v;
    size_t n;
    if (lyr_store_versions(st, layer, &v, &n, err) != 0)
        return -1;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= v[i].version == version;
    free(v);
    if (!found) {
        TL_FAIL(err, TL_ENOTFOUND, "layer '%s' has no version %d (see `tiled layers`)", layer,
                version);
        return -1;
    }
    int fd = lyr__lock_layer(st, layer, err);
    if (fd < 0)
        return -1;
    char table[LYR_NAME_MAX + 16], sql[200];
    snprintf(table, sizeof table, "%s__v%d", layer, version);
    snprintf(sql, sizeof sql, "UPDATE tiled_layers SET current_version = %d WHERE name = '%s'",
             version, layer);
    int rc = -1;
    if (GDALDatasetStartTransaction(st->ds, 0) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot start a transaction");
    } else if (lyr__exec(st, sql, err) != 0 || lyr__publish_view(st, layer, table, err) != 0) {
        GDALDatasetRollbackTransaction(st->ds);
    } else if (GDALDatasetCommitTransaction(st->ds) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot commit the rollback");
    } else {
        rc = 0;
    }
    lyr__unlock_layer(fd);
    return rc;
}
