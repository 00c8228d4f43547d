/* imp_crs.c: one pinned coordinate operation per import, source CRS -> EPSG:4326 lon/lat.
 *
 * PROJ, left to itself, may choose a different operation point by point (for VN-2000 in
 * Binh Duong: EPSG:5194 south of 11.04N, EPSG:6960 north of it, a 0.8 m seam). An import
 * instead fixes one operation for every coordinate and records its pipeline: for sources
 * on the VN-2000 datum, the source's own projection inverse followed by EPSG:6960 (the
 * national 7-parameter set, DESIGN 5); otherwise the first operation PROJ ranks best. */
#include <ctype.h>
#include <math.h>
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importer_int.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_util.h"

#define VN2000_TO_WGS84 "6960" /* EPSG code of the pinned VN-2000 -> WGS 84 operation */

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Is the datum of `crs` VN-2000 (EPSG:6756), by code or by the names surveyors' .prj
 * files give it ("D_Vietnam_2000", "VN_2000", "Vietnam 2000")? */
static int is_vn2000(PJ_CONTEXT *c, const PJ *crs)
{
    PJ *d = proj_crs_get_datum(c, crs);
    if (!d)
        d = proj_crs_get_datum_ensemble(c, crs);
    if (!d)
        return 0;
    const char *code = proj_get_id_code(d, 0), *name = proj_get_name(d);
    int vn = (code && strcmp(code, "6756") == 0) || contains_ci(name, "VN-2000") ||
             contains_ci(name, "VN_2000") || contains_ci(name, "Vietnam_2000") ||
             contains_ci(name, "Vietnam 2000") || contains_ci(name, "Vietnam-2000");
    proj_destroy(d);
    return vn;
}

/* The steps of a PROJ string, without the leading "+proj=pipeline". */
static int append_steps(tl_buf *b, const char *s, tl_err *err)
{
    const char *p = strstr(s, "+proj=pipeline");
    if (p)
        return tl_buf_addf(b, err, " %s", p + strlen("+proj=pipeline"));
    return tl_buf_addf(b, err, " +step %s", s);
}

static PJ *normalized(PJ_CONTEXT *c, PJ *op)
{
    PJ *n = op ? proj_normalize_for_visualization(c, op) : NULL;
    proj_destroy(op);
    return n;
}

static int pin_vn2000(imp__job *j, PJ *base, tl_err *err)
{
    PJ_CONTEXT *c = j->pjc;
    PJ *geog = proj_crs_get_geodetic_crs(c, base);
    PJ *conv = geog ? normalized(c, proj_create_crs_to_crs_from_pj(c, base, geog, NULL, NULL))
                    : NULL;
    PJ *datum = normalized(c, proj_create_from_database(c, "EPSG", VN2000_TO_WGS84,
                                                        PJ_CATEGORY_COORDINATE_OPERATION, 0,
                                                        NULL));
    int rc = -1;
    const char *s1 = conv ? proj_as_proj_string(c, conv, PJ_PROJ_5, NULL) : NULL;
    const char *s2 = datum ? proj_as_proj_string(c, datum, PJ_PROJ_5, NULL) : NULL;
    if (!s1 || !s2) {
        TL_FAIL(err, TL_ECRS, "cannot build the pinned VN-2000 operation (EPSG:%s): %s",
                VN2000_TO_WGS84, proj_context_errno_string(c, proj_context_errno(c)));
    } else {
        tl_buf b;
        tl_buf_init(&b, 1u << 16);
        if (tl_buf_addf(&b, err, "+proj=pipeline") == 0 && append_steps(&b, s1, err) == 0 &&
            append_steps(&b, s2, err) == 0) {
            j->pj = proj_create(c, (const char *)b.data);
            if (j->pj)
                rc = 0;
            else
                TL_FAIL(err, TL_ECRS, "PROJ rejected the pinned VN-2000 pipeline");
        }
        tl_buf_free(&b);
        snprintf(j->transformation, sizeof j->transformation, "EPSG:%s", VN2000_TO_WGS84);
    }
    proj_destroy(geog);
    proj_destroy(conv);
    proj_destroy(datum);
    return rc;
}

static int best_operation(imp__job *j, PJ *src, PJ *dst, tl_err *err)
{
    PJ_CONTEXT *c = j->pjc;
    PJ_OPERATION_FACTORY_CONTEXT *fc = proj_create_operation_factory_context(c, NULL);
    proj_operation_factory_context_set_grid_availability_use(
        c, fc, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
    proj_operation_factory_context_set_spatial_criterion(
        c, fc, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
    PJ_OBJ_LIST *ops = proj_create_operations(c, src, dst, fc);
    int n = ops ? proj_list_get_count(ops) : 0;
    for (int i = 0; i < n && !j->pj; i++) {
        PJ *op = proj_list_get(c, ops, i);
        if (op && proj_coordoperation_is_instantiable(c, op)) {
            const char *code = proj_get_id_code(op, 0);
            if (code)
                snprintf(j->transformation, sizeof j->transformation, "%s:%s (%s)",
                         proj_get_id_auth_name(op, 0), code, proj_get_name(op));
            else
                snprintf(j->transformation, sizeof j->transformation, "%s", proj_get_name(op));
            j->pj = normalized(c, op);
        } else {
            proj_destroy(op);
        }
    }
    proj_list_destroy(ops);
    proj_operation_factory_context_destroy(fc);
    if (!j->pj) {
        TL_FAIL(err, TL_ECRS, "PROJ knows no operation from %s to EPSG:4326", j->source_crs);
        return -1;
    }
    return 0;
}

static void label_crs(imp__job *j, OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
    OGRSpatialReferenceH id = NULL;
    if (!auth || !code) { /* a .prj without codes: name it by the EPSG CRS it matches */
        id = OSRClone(srs);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        if (OSRAutoIdentifyEPSG(id) == OGRERR_NONE) {
            auth = OSRGetAuthorityName(id, NULL);
            code = OSRGetAuthorityCode(id, NULL);
        }
        CPLPopErrorHandler();
    }
    if (auth && code)
        snprintf(j->source_crs, sizeof j->source_crs, "%s:%s", auth, code);
    else
        snprintf(j->source_crs, sizeof j->source_crs, "%s", OSRGetName(srs) ? OSRGetName(srs)
                                                                          : "unnamed CRS");
    if (id)
        OSRDestroySpatialReference(id);
}

static OGRSpatialReferenceH source_srs(imp__job *j, int *owned, tl_err *err)
{
    *owned = 0;
    if (j->o->s_srs) {
        OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGRErr e = OSRSetFromUserInput(s, j->o->s_srs);
        CPLPopErrorHandler();
        if (e != OGRERR_NONE) {
            OSRDestroySpatialReference(s);
            TL_FAIL(err, TL_ECRS, "unknown --s-srs '%.100s' (give e.g. EPSG:9210 for VN-2000 / "
                                  "TM-3 105-45, or a .prj file's path)", j->o->s_srs);
            return NULL;
        }
        *owned = 1;
        return s;
    }
    OGRSpatialReferenceH s = OGR_L_GetSpatialRef(j->sl);
    if (!s && j->csv_lonlat) {
        imp__note(j, "CSV longitude/latitude columns taken as WGS 84 (EPSG:4326)");
        s = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(s, 4326);
        *owned = 1;
        return s;
    }
    if (!s)
        TL_FAIL(err, TL_ECRS, "%s has no coordinate reference system (no .prj, none embedded); "
                              "give --s-srs, e.g. --s-srs EPSG:9210 for VN-2000 / TM-3 105-45",
                j->label);
    return s;
}

int imp__setup_crs(imp__job *j, tl_err *err)
{
    int owned;
    OGRSpatialReferenceH srs = source_srs(j, &owned, err);
    if (!srs)
        return -1;
    label_crs(j, srs);
    char *wkt = NULL;
    const char *wopts[] = {"FORMAT=WKT2_2019", NULL};
    OSRExportToWktEx(srs, &wkt, wopts);
    if (owned)
        OSRDestroySpatialReference(srs);
    j->pjc = proj_context_create();
    PJ *src = wkt ? proj_create(j->pjc, wkt) : NULL;
    CPLFree(wkt);
    PJ *dst = proj_create(j->pjc, "EPSG:4326");
    int rc = -1;
    if (!src || !dst) {
        TL_FAIL(err, TL_ECRS, "PROJ cannot use the CRS %s", j->source_crs);
        goto out;
    }
    PJ *base = proj_get_type(src) == PJ_TYPE_BOUND_CRS ? proj_get_source_crs(j->pjc, src) : NULL;
    const PJ *crs = base ? base : src;
    if (is_vn2000(j->pjc, crs)) {
        if (base)
            imp__note(j, "the source CRS carries its own TOWGS84 parameters; the pinned "
                         "operation EPSG:%s is used instead", VN2000_TO_WGS84);
        rc = pin_vn2000(j, (PJ *)crs, err);
    } else if (proj_is_equivalent_to(crs, dst, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS)) {
        snprintf(j->transformation, sizeof j->transformation, "none (WGS 84 longitude/latitude)");
        j->pipeline = tl_xstrdup("+proj=noop");
        rc = 0;
    } else {
        rc = best_operation(j, src, dst, err);
    }
    proj_destroy(base);
    if (rc == 0 && j->pj) {
        const char *s = proj_as_proj_string(j->pjc, j->pj, PJ_PROJ_5, NULL);
        j->pipeline = tl_xstrdup(s ? s : proj_get_name(j->pj));
    }
out:
    j->src_crs = src;
    proj_destroy(dst);
    return rc;
}

static int transform_points(imp__job *j, OGRGeometryH g, tl_err *err)
{
    int n = OGR_G_GetGeometryCount(g);
    if (n > 0) {
        for (int i = 0; i < n; i++)
            if (transform_points(j, OGR_G_GetGeometryRef(g, i), err) != 0)
                return -1;
        return 0;
    }
    int np = OGR_G_GetPointCount(g);
    if (np <= 0)
        return 0;
    if ((size_t)np > j->ccap) {
        j->ccap = (size_t)np * 2;
        j->cx = tl_xrealloc(j->cx, j->ccap * sizeof *j->cx);
        j->cy = tl_xrealloc(j->cy, j->ccap * sizeof *j->cy);
    }
    OGR_G_GetPoints(g, j->cx, sizeof(double), j->cy, sizeof(double), NULL, 0);
    proj_trans_generic(j->pj, PJ_FWD, j->cx, sizeof(double), (size_t)np, j->cy, sizeof(double),
                       (size_t)np, NULL, 0, 0, NULL, 0, 0);
    for (int i = 0; i < np; i++) {
        if (!isfinite(j->cx[i]) || !isfinite(j->cy[i]) || fabs(j->cx[i]) > 180.0 ||
            fabs(j->cy[i]) > 90.0) {
            TL_FAIL(err, TL_ECRS, "a coordinate cannot be transformed from %s to longitude/"
                                  "latitude (is the CRS right?)", j->source_crs);
            return -1;
        }
    }
    OGR_G_SetPoints(g, np, j->cx, sizeof(double), j->cy, sizeof(double), NULL, 0);
    return 0;
}

int imp__transform(imp__job *j, OGRGeometryH g, tl_err *err)
{
    if (!j->pj)
        return 0;
    return transform_points(j, g, err);
}

void imp__crs_check_area(imp__job *j)
{
    double w, s, e, n;
    if (!j->src_crs || j->ext[0] > j->ext[2] ||
        !proj_get_area_of_use(j->pjc, j->src_crs, &w, &s, &e, &n, NULL) || w > e)
        return;
    double mx = (e - w) * 0.1, my = (n - s) * 0.1; /* some slack: areas are approximate */
    if (j->ext[0] < w - mx || j->ext[2] > e + mx || j->ext[1] < s - my || j->ext[3] > n + my)
        imp__note(j, "the data (%.4f %.4f %.4f %.4f) lies outside the area of use of %s "
                     "(%.2f %.2f %.2f %.2f): is the source CRS right?", j->ext[0], j->ext[1],
                  j->ext[2], j->ext[3], j->source_crs, w, s, e, n);
}

void imp__crs_free(imp__job *j)
{
    proj_destroy(j->pj);
    proj_destroy(j->src_crs);
    if (j->pjc)
        proj_context_destroy(j->pjc);
    free(j->pipeline);
    free(j->cx);
    free(j->cy);
}
