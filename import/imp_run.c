/* imp_run.c: one import from start to publish. The order matters for safety: everything
 * about the source (file, layer, fields, CRS, encoding) is checked before the store is
 * opened; features go into a new version table that no reader sees; the version is
 * published in one catalog transaction only when every feature has been read, and any
 * failure before that drops the table, leaving the store as it was. */
#include <cpl_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/importer_int.h"
#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_util.h"

static void CPL_STDCALL capture_gdal(CPLErr cls, CPLErrorNum no, const char *msg)
{
    (void)no;
    imp__job *j = CPLGetErrorHandlerUserData();
    if (cls >= CE_Failure && j && !j->gdal_failed) {
        j->gdal_failed = 1;
        snprintf(j->gdal_error, sizeof j->gdal_error, "%s", msg);
    }
}

static int feature_values(imp__job *j, OGRFeatureH f, int64_t fid, lyr_value *vals,
                          tl_arena *a, tl_err *err)
{
    for (size_t i = 0; i < j->n_fields; i++) {
        const imp__field *fd = &j->fields[i];
        lyr_value *v = &vals[i];
        memset(v, 0, sizeof *v);
        if (!OGR_F_IsFieldSetAndNotNull(f, fd->src)) {
            v->is_null = 1;
            continue;
        }
        switch (fd->def.type) {
        case LYR_FIELD_INT: v->i = OGR_F_GetFieldAsInteger64(f, fd->src); break;
        case LYR_FIELD_REAL: v->d = OGR_F_GetFieldAsDouble(f, fd->src); break;
        case LYR_FIELD_DATE: {
            int y, m, d, hh, mm, tz;
            float ss;
            if (!OGR_F_GetFieldAsDateTimeEx(f, fd->src, &y, &m, &d, &hh, &mm, &ss, &tz)) {
                v->is_null = 1;
                break;
            }
            char buf[16];
            snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
            v->s = tl_arena_strdup(a, buf);
            break;
        }
        default: {
            const char *s = OGR_F_GetFieldAsString(f, fd->src);
            if (fd->is_text) {
                s = imp__text(j, s, fid, fd, err);
                if (!s)
                    return -1;
            }
            v->s = tl_arena_strdup(a, s);
        }
        }
    }
    return 0;
}

static void progress(imp__job *j, int64_t total)
{
    if (j->o->progress && total > 0 && j->n_read % 2000 == 0)
        j->o->progress(j->o->progress_ud, "import", (double)j->n_read / (double)total);
}

/* Read, check and write every feature into `w`. */
static int copy_features(imp__job *j, lyr_writer *w, tl_err *err)
{
    int64_t total = OGR_L_GetFeatureCount(j->sl, 0);
    lyr_value *vals = tl_xcalloc(j->n_fields + 1, sizeof *vals);
    tl_arena a;
    tl_arena_init(&a, 1u << 16);
    int rc = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(j->sl);
    while (rc == 0) {
        f = OGR_L_GetNextFeature(j->sl);
        if (j->gdal_failed) {
            TL_FAIL(err, TL_EINVAL, "%s: cannot read the feature after %lld: %s", j->label,
                    (long long)j->n_read, j->gdal_error);
            OGR_F_Destroy(f);
            rc = -1;
            break;
        }
        if (!f)
            break;
        j->n_read++;
        int64_t fid = OGR_F_GetFID(f) == OGRNullFID ? j->n_read : OGR_F_GetFID(f);
        const unsigned char *wkb;
        size_t len;
        int g = imp__geom_prepare(j, f, fid, &wkb, &len, err);
        if (g < 0) {
            rc = -1;
        } else if (g > 0) {
            tl_arena_reset(&a);
            rc = feature_values(j, f, fid, vals, &a, err);
            if (rc == 0)
                rc = lyr_writer_add(w, wkb, len, vals, err);
            if (rc == 0)
                j->n_written++;
        }
        OGR_F_Destroy(f);
        progress(j, total);
    }
    tl_arena_free(&a);
    free(vals);
    return rc;
}

static int check_counts(imp__job *j, tl_err *err)
{
    if (j->n_read == 0) {
        TL_FAIL(err, TL_EINVAL, "%s: layer '%s' has no features%s", j->label, j->src_layer,
                j->o->where ? " matching --where" : "");
        return -1;
    }
    if (j->n_written == 0) {
        json_t *first = json_array_get(j->rejections, 0);
        TL_FAIL(err, TL_EINVAL, "%s: all %lld features were rejected (first: %s)", j->label,
                (long long)j->n_read,
                first ? json_string_value(json_object_get(first, "reason")) : "?");
        return -1;
    }
    return 0;
}

static void job_free(imp__job *j)
{
    if (j->ds)
        GDALClose(j->ds);
    for (size_t i = 0; i < j->n_fields; i++)
        free((char *)j->fields[i].def.name);
    free(j->fields);
    imp__crs_free(j);
    imp__text_free(j);
    imp__geom_free(j);
    json_decref(j->repairs);
    json_decref(j->rejections);
    json_decref(j->notes);
}

static int write_version(imp__job *j, imp_result *res, double t0, tl_err *err)
{
    const imp_opts *o = j->o;
    struct stat sb;
    int existed = stat(o->store, &sb) == 0;
    lyr_store *st = lyr_store_open(o->store, 1, err);
    if (!st)
        return -1;
    lyr_field_def *defs = tl_xcalloc(j->n_fields + 1, sizeof *defs);
    for (size_t i = 0; i < j->n_fields; i++)
        defs[i] = j->fields[i].def;
    lyr_writer *w = lyr_writer_begin(st, o->layer, o->title ? o->title : j->src_layer, j->kind,
                                     defs, j->n_fields, j->label, j->source_crs, err);
    free(defs);
    int rc = -1;
    if (w) {
        res->version = lyr_writer_version(w);
        CPLPushErrorHandlerEx(capture_gdal, j);
        rc = copy_features(j, w, err);
        CPLPopErrorHandler();
        if (rc == 0)
            rc = check_counts(j, err);
        if (rc == 0)
            imp__crs_check_area(j);
        if (rc == 0)
            rc = imp__report(j, res, tl_now() - t0);
        if (rc == 0 && !o->dry_run) {
            lyr_writer_set_meta(w, j->pipeline, res->json, o->keep);
            rc = lyr_writer_publish(w, NULL, err);
            w = NULL;
        }
        lyr_writer_abort(w);
    }
    lyr_store_close(st);
    if (rc != 0 && !existed) { /* leave no trace of a store this failed import created */
        size_t n = strlen(o->store) + 8;
        char *p = tl_xmalloc(n);
        unlink(o->store);
        snprintf(p, n, "%s-wal", o->store);
        unlink(p);
        snprintf(p, n, "%s-shm", o->store);
        unlink(p);
        snprintf(p, n, "%s.lock", o->store);
        unlink(p);
        free(p);
    }
    return rc;
}

int imp_run(const imp_opts *o, imp_result *res, tl_err *err)
{
    double t0 = tl_now();
    memset(res, 0, sizeof *res);
    imp__job j;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.cd = (iconv_t)-1;
    j.label = o->source_label ? o->source_label : o->source;
    j.repairs = json_array();
    j.rejections = json_array();
    j.notes = json_array();
    j.ext[0] = j.ext[1] = 1e300;
    j.ext[2] = j.ext[3] = -1e300;
    if (o->encoding)
        snprintf(j.encoding, sizeof j.encoding, "%s", o->encoding);
    int rc = -1;
    if (imp__open_source(&j, err) == 0 && imp__setup_text(&j, err) == 0 &&
        imp__choose_fields(&j, err) == 0 && imp__setup_crs(&j, err) == 0 &&
        imp__geom_setup(&j, err) == 0)
        rc = write_version(&j, res, t0, err);
    if (rc != 0 && err && err->code == TL_OK)
        TL_FAIL(err, TL_EINTERNAL, "import failed");
    job_free(&j);
    if (rc != 0) {
        imp_result_free(res);
        memset(res, 0, sizeof *res);
    }
    return rc;
}

void imp_result_free(imp_result *res)
{
    if (!res)
        return;
    free(res->json);
    free(res->text);
    res->json = res->text = NULL;
}
