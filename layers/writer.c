/* writer.c: writing a new layer version into its own table and publishing it atomically.
 * A version is visible only once one catalog transaction has recorded it; a table left
 * behind by a crashed writer is never referenced and is dropped by the next writer. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"

#define COMMIT_EVERY 20000

struct lyr_writer {
    lyr_store *st;
    char layer[LYR_NAME_MAX + 1];
    char table[LYR_NAME_MAX + 16];
    char *title, *source, *source_crs;
    lyr_geom_kind kind;
    int version;
    OGRLayerH lyr;
    OGRFeatureDefnH defn;
    lyr_field_def *fields; /* names owned */
    size_t n_fields;
    int64_t count;
    double ext[4]; /* lon/lat */
    int in_txn;
    int lock_fd;
    char *pipeline, *report;
    int keep;
};

static int next_version(lyr_store *st, const char *layer, int *out, tl_err *err)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(MAX(version), 0) FROM tiled_versions WHERE layer = '%s'", layer);
    OGRLayerH r = GDALDatasetExecuteSQL(st->ds, sql, NULL, NULL);
    if (!r) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot read the catalog");
        return -1;
    }
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    *out = (f ? OGR_F_GetFieldAsInteger(f, 0) : 0) + 1;
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(st->ds, r);
    return 0;
}

static OGRFieldType ogr_type(lyr_field_type t)
{
    switch (t) {
    case LYR_FIELD_INT: return OFTInteger64;
    case LYR_FIELD_REAL: return OFTReal;
    case LYR_FIELD_DATE: return OFTDate;
    default: return OFTString;
    }
}

static int create_table(lyr_writer *w, tl_err *err)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRwkbGeometryType gt = w->kind == LYR_GEOM_POLYGON ? wkbMultiPolygon
                            : w->kind == LYR_GEOM_LINE  ? wkbUnknown
                                                        : wkbPoint;
    char desc[200];
    snprintf(desc, sizeof desc, "DESCRIPTION=%s", w->title ? w->title : w->layer);
    const char *opts[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", desc, NULL};
    w->lyr = GDALDatasetCreateLayer(w->st->ds, w->table, srs, gt, (char **)opts);
    OSRDestroySpatialReference(srs);
    if (!w->lyr) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot create the version table");
        return -1;
    }
    for (size_t i = 0; i < w->n_fields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(w->fields[i].name, ogr_type(w->fields[i].type));
        OGRErr e = OGR_L_CreateField(w->lyr, fd, 1);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot create a field");
            tl_err_prefix(err, "field %s: ", w->fields[i].name);
            return -1;
        }
    }
    w->defn = OGR_L_GetLayerDefn(w->lyr);
    return 0;
}

lyr_writer *lyr_writer_begin(lyr_store *st, const char *layer, const char *title,
                             lyr_geom_kind kind, const lyr_field_def *fields, size_t n_fields,
                             const char *source, const char *source_crs, tl_err *err)
{
    if (!lyr__valid_name(layer)) {
        TL_FAIL(err, TL_EINVAL, "invalid layer name '%.80s' (letters, digits and single _, up "
                                "to %d, not starting with a digit)", layer, LYR_NAME_MAX);
        return NULL;
    }
    if (kind < LYR_GEOM_POINT || kind > LYR_GEOM_POLYGON) {
        TL_FAIL(err, TL_EINVAL, "layer %s: unknown geometry kind %d", layer, (int)kind);
        return NULL;
    }
    int fd = lyr__lock_layer(st, layer, err);
    if (fd < 0)
        return NULL;
    lyr_writer *w = tl_xcalloc(1, sizeof *w);
    w->lock_fd = fd;
    w->st = st;
    w->kind = kind;
    tl_strlcpy(w->layer, layer, sizeof w->layer);
    w->title = tl_xstrdup(title);
    w->source = tl_xstrdup(source);
    w->source_crs = tl_xstrdup(source_crs);
    w->fields = tl_xcalloc(n_fields ? n_fields : 1, sizeof *w->fields);
    w->n_fields = n_fields;
    for (size_t i = 0; i < n_fields; i++) {
        w->fields[i].name = tl_xstrdup(fields[i].name);
        w->fields[i].type = fields[i].type;
    }
    w->ext[0] = w->ext[1] = 1e300;
    w->ext[2] = w->ext[3] = -1e300;
    if (next_version(st, layer, &w->version, err) != 0)
        goto fail;
    snprintf(w->table, sizeof w->table, "%s__v%d", layer, w->version);
    lyr__sweep_orphans(st, layer);
    if (create_table(w, err) != 0)
        goto fail;
    if (GDALDatasetStartTransaction(st->ds, 0) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot start a transaction");
        goto fail;
    }
    w->in_txn = 1;
    return w;
fail:
    tl_err_prefix(err, "layer %s: ", layer);
    lyr_writer_abort(w);
    return NULL;
}

static void set_date(OGRFeatureH f, int i, const char *s)
{
    int64_t y, m, d;
    if (strlen(s) >= 10 && tl_parse_i64n(s, 4, 1, 9999, &y, NULL) == 0 &&
        tl_parse_i64n(s + 5, 2, 1, 12, &m, NULL) == 0 &&
        tl_parse_i64n(s + 8, 2, 1, 31, &d, NULL) == 0)
        OGR_F_SetFieldDateTime(f, i, (int)y, (int)m, (int)d, 0, 0, 0, 0);
    else
        OGR_F_SetFieldNull(f, i);
}

static void grow_extent(lyr_writer *w, OGRGeometryH g)
{
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    if (e.MinX < w->ext[0]) w->ext[0] = e.MinX;
    if (e.MinY < w->ext[1]) w->ext[1] = e.MinY;
    if (e.MaxX > w->ext[2]) w->ext[2] = e.MaxX;
    if (e.MaxY > w->ext[3]) w->ext[3] = e.MaxY;
}

int lyr_writer_add(lyr_writer *w, const unsigned char *wkb, size_t wkb_len,
                   const lyr_value *vals, tl_err *err)
{
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkbEx(wkb, NULL, &g, wkb_len) != OGRERR_NONE || !g) {
        TL_FAIL(err, TL_EINVAL, "layer %s: feature %lld: unreadable WKB geometry", w->layer,
                (long long)w->count + 1);
        return -1;
    }
    if (w->kind == LYR_GEOM_POLYGON)
        g = OGR_G_ForceToMultiPolygon(g);
    OGRFeatureH f = OGR_F_Create(w->defn);
    for (size_t i = 0; i < w->n_fields; i++) {
        int fi = (int)i;
        if (vals[i].is_null) {
            OGR_F_SetFieldNull(f, fi);
            continue;
        }
        switch (w->fields[i].type) {
        case LYR_FIELD_INT: OGR_F_SetFieldInteger64(f, fi, vals[i].i); break;
        case LYR_FIELD_REAL: OGR_F_SetFieldDouble(f, fi, vals[i].d); break;
        case LYR_FIELD_DATE: set_date(f, fi, vals[i].s ? vals[i].s : ""); break;
        default:
            if (vals[i].s)
                OGR_F_SetFieldString(f, fi, vals[i].s);
            else
                OGR_F_SetFieldNull(f, fi);
        }
    }
    if (!OGR_G_IsEmpty(g))
        grow_extent(w, g);
    OGR_F_SetGeometryDirectly(f, g);
    OGRErr e = OGR_L_CreateFeature(w->lyr, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot write a feature");
        tl_err_prefix(err, "layer %s: ", w->layer);
        return -1;
    }
    w->count++;
    if (w->count % COMMIT_EVERY == 0) {
        if (GDALDatasetCommitTransaction(w->st->ds) != OGRERR_NONE ||
            GDALDatasetStartTransaction(w->st->ds, 0) != OGRERR_NONE) {
            w->in_txn = 0;
            lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot commit features");
            return -1;
        }
    }
    return 0;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void lyr_writer_set_meta(lyr_writer *w, const char *pipeline, const char *report, int keep)
{
    free(w->pipeline);
    free(w->report);
    w->pipeline = tl_xstrdup(pipeline);
    w->report = tl_xstrdup(report);
    w->keep = keep;
}

int lyr_writer_version(const lyr_writer *w)
{
    return w->version;
}

static int publish_catalog(lyr_writer *w, tl_err *err)
{
    char now[32];
    utc_now(now, sizeof now);
    if (w->count == 0)
        w->ext[0] = w->ext[1] = w->ext[2] = w->ext[3] = 0;
    char *src = lyr__sql_quote(w->source ? w->source : "");
    char *crs = lyr__sql_quote(w->source_crs ? w->source_crs : "EPSG:4326");
    char *title = lyr__sql_quote(w->title ? w->title : w->layer);
    char *pipe = lyr__sql_quote(w->pipeline ? w->pipeline : "");
    char *rep = lyr__sql_quote(w->report ? w->report : "");
    tl_buf b;
    tl_buf_init(&b, 64u << 20);
    int rc = tl_buf_addf(&b, err,
                         "INSERT INTO tiled_versions (layer, version, table_name, source,"
                         " source_crs, pipeline, feature_count, minx, miny, maxx, maxy,"
                         " imported_at, report) VALUES ('%s', %d, '%s', %s, %s, %s, %lld, %.9f,"
                         " %.9f, %.9f, %.9f, '%s', %s)",
                         w->layer, w->version, w->table, src, crs, pipe, (long long)w->count,
                         w->ext[0], w->ext[1], w->ext[2], w->ext[3], now, rep);
    if (rc == 0)
        rc = lyr__exec(w->st, (const char *)b.data, err);
    tl_buf_reset(&b);
    if (rc == 0)
        rc = tl_buf_addf(&b, err,
                         "INSERT INTO tiled_layers (name, title, current_version, kind) VALUES"
                         " ('%s', %s, %d, %d) ON CONFLICT(name) DO UPDATE SET current_version ="
                         " excluded.current_version, title = excluded.title, kind = excluded.kind",
                         w->layer, title, w->version, (int)w->kind);
    if (rc == 0)
        rc = lyr__exec(w->st, (const char *)b.data, err);
    tl_buf_free(&b);
    free(src);
    free(crs);
    free(title);
    free(pipe);
    free(rep);
    if (rc != 0)
        return -1;
    return lyr__publish_view(w->st, w->layer, w->table, err);
}

int lyr_writer_publish(lyr_writer *w, int *version, tl_err *err)
{
    int rc = -1;
    /* the features' transaction first: this also builds the GeoPackage R-tree */
    if (w->in_txn) {
        w->in_txn = 0;
        if (GDALDatasetCommitTransaction(w->st->ds) != OGRERR_NONE) {
            lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot commit features");
            goto out;
        }
    }
    if (OGR_L_SyncToDisk(w->lyr) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot flush the version table");
        goto out;
    }
    if (GDALDatasetStartTransaction(w->st->ds, 0) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot start the publish transaction");
        goto out;
    }
    if (publish_catalog(w, err) != 0) {
        GDALDatasetRollbackTransaction(w->st->ds);
        goto out;
    }
    if (GDALDatasetCommitTransaction(w->st->ds) != OGRERR_NONE) {
        lyr__gdal_fail(err, TL_ESTORE, __func__, "cannot commit the publish transaction");
        goto out;
    }
    if (version)
        *version = w->version;
    rc = 0;
    tl_err perr = TL_ERR_INIT; /* pruning old versions never undoes a publish */
    if (w->keep > 0 && lyr__prune(w->st, w->layer, w->keep, &perr) != 0)
        tl_log(TL_LOG_WARN, "layer %s: could not drop old versions: %s", w->layer, perr.msg);
out:
    if (rc != 0) {
        tl_err_prefix(err, "layer %s: ", w->layer);
        lyr_writer_abort(w);
        return -1;
    }
    w->lyr = NULL; /* published: keep the table */
    lyr_writer_abort(w);
    return 0;
}

void lyr_writer_abort(lyr_writer *w)
{
    if (!w)
        return;
    if (w->in_txn)
        GDALDatasetRollbackTransaction(w->st->ds);
    if (w->lyr) {
        /* the GeoPackage driver may create the table lazily inside the rolled-back
         * transaction: then there is nothing left to drop, and GDAL would complain */
        CPLPushErrorHandler(CPLQuietErrorHandler);
        lyr__drop_table(w->st, w->table);
        CPLPopErrorHandler();
        CPLErrorReset();
    }
    for (size_t i = 0; i < w->n_fields; i++)
        free((char *)w->fields[i].name);
    free(w->fields);
    free(w->title);
    free(w->source);
    free(w->source_crs);
    free(w->pipeline);
    free(w->report);
    lyr__unlock_layer(w->lock_fd);
    free(w);
}
