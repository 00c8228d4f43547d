/* imp_geom.c: each feature's geometry, made fit for the layer: linear, 2D, of the layer's
 * kind, in EPSG:4326, and valid. Invalid geometry is repaired with GEOS MakeValid and the
 * repair reported with GEOS's reason and location; what cannot be repaired is rejected
 * with the reason. The feature is never dropped silently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importer_int.h"
#include "tiled/base/tl_util.h"

lyr_geom_kind imp__kind_of(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint: return LYR_GEOM_POINT;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve: return LYR_GEOM_LINE;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
    case wkbTriangle:
    case wkbPolyhedralSurface:
    case wkbTIN: return LYR_GEOM_POLYGON;
    default: return (lyr_geom_kind)0;
    }
}

static const char *kind_name(lyr_geom_kind k)
{
    return k == LYR_GEOM_POINT ? "point" : k == LYR_GEOM_LINE ? "line" : "polygon";
}

static void geos_notice(const char *fmt, ...)
{
    (void)fmt; /* GEOS notices are about inputs we report ourselves */
}

int imp__geom_setup(imp__job *j, tl_err *err)
{
    j->gh = GEOS_init_r();
    if (!j->gh) {
        TL_FAIL(err, TL_EGEOM, "cannot create a GEOS context");
        return -1;
    }
    GEOSContext_setNoticeHandler_r(j->gh, geos_notice);
    GEOSContext_setErrorHandler_r(j->gh, geos_notice);
    j->wkr = GEOSWKBReader_create_r(j->gh);
    j->wkw = GEOSWKBWriter_create_r(j->gh);
    GEOSWKBWriter_setOutputDimension_r(j->gh, j->wkw, 2);
    GEOSWKBWriter_setByteOrder_r(j->gh, j->wkw, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(j->gh, j->wkw, GEOS_WKB_ISO);
    return 0;
}

void imp__geom_free(imp__job *j)
{
    if (!j->gh)
        return;
    GEOSWKBReader_destroy_r(j->gh, j->wkr);
    GEOSWKBWriter_destroy_r(j->gh, j->wkw);
    GEOS_finish_r(j->gh);
    free(j->wkb);
}

/* Append the parts of `g` of layer kind `k` (clones) to parts[]. */
static void collect(GEOSContextHandle_t h, const GEOSGeometry *g, lyr_geom_kind k,
                    GEOSGeometry ***parts, size_t *n, size_t *cap)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_MULTIPOINT || t == GEOS_MULTILINESTRING || t == GEOS_MULTIPOLYGON ||
        t == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            collect(h, GEOSGetGeometryN_r(h, g, i), k, parts, n, cap);
        return;
    }
    lyr_geom_kind gk = t == GEOS_POINT                                  ? LYR_GEOM_POINT
                       : t == GEOS_LINESTRING || t == GEOS_LINEARRING ? LYR_GEOM_LINE
                       : t == GEOS_POLYGON                             ? LYR_GEOM_POLYGON
                                                                       : (lyr_geom_kind)0;
    if (gk != k || GEOSisEmpty_r(h, g))
        return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *parts = tl_xrealloc(*parts, *cap * sizeof **parts);
    }
    (*parts)[(*n)++] = GEOSGeom_clone_r(h, g);
}

/* MakeValid, keeping only the layer's kind; NULL if nothing of that kind is left. */
static GEOSGeometry *repair(imp__job *j, const GEOSGeometry *g)
{
    GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(j->gh);
    GEOSMakeValidParams_setMethod_r(j->gh, p, j->kind == LYR_GEOM_POLYGON
                                                  ? GEOS_MAKE_VALID_STRUCTURE
                                                  : GEOS_MAKE_VALID_LINEWORK);
    GEOSMakeValidParams_setKeepCollapsed_r(j->gh, p, 0);
    GEOSGeometry *v = GEOSMakeValidWithParams_r(j->gh, g, p);
    GEOSMakeValidParams_destroy_r(j->gh, p);
    if (!v)
        return NULL;
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    collect(j->gh, v, j->kind, &parts, &n, &cap);
    GEOSGeom_destroy_r(j->gh, v);
    if (n == 0) {
        free(parts);
        return NULL;
    }
    int type = j->kind == LYR_GEOM_POLYGON ? GEOS_MULTIPOLYGON
               : j->kind == LYR_GEOM_LINE  ? GEOS_MULTILINESTRING
                                           : GEOS_MULTIPOINT;
    GEOSGeometry *out = GEOSGeom_createCollection_r(j->gh, type, parts, (unsigned)n);
    free(parts);
    if (out && GEOSisValid_r(j->gh, out) != 1) {
        GEOSGeom_destroy_r(j->gh, out);
        return NULL;
    }
    return out;
}

static OGRGeometryH normalise(imp__job *j, OGRGeometryH g)
{
    if (OGR_G_HasCurveGeometry(g, 0)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (lin) {
            OGR_G_DestroyGeometry(g);
            g = lin;
            j->n_curves++;
        }
    }
    if (OGR_G_Is3D(g) || OGR_G_IsMeasured(g)) {
        OGR_G_Set3D(g, 0);
        OGR_G_SetMeasured(g, 0);
        j->n_zm++;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (j->kind == LYR_GEOM_POLYGON && (t == wkbLineString || t == wkbMultiLineString) &&
        OGR_G_GetPointCount(g) >= 4 && t == wkbLineString &&
        OGR_G_GetX(g, 0) == OGR_G_GetX(g, OGR_G_GetPointCount(g) - 1) &&
        OGR_G_GetY(g, 0) == OGR_G_GetY(g, OGR_G_GetPointCount(g) - 1)) {
        g = OGR_G_ForceTo(g, wkbPolygon, NULL); /* a closed CAD polyline is a parcel */
        j->n_closed_lines++;
    }
    if (j->kind == LYR_GEOM_POLYGON)
        OGR_G_CloseRings(g);
    return g;
}

int imp__geom_prepare(imp__job *j, OGRFeatureH f, int64_t fid, const unsigned char **wkb,
                      size_t *len, tl_err *err)
{
    OGRGeometryH g0 = OGR_F_GetGeometryRef(f);
    if (!g0 || OGR_G_IsEmpty(g0)) {
        imp__reject(j, fid, g0 ? "empty geometry" : "no geometry");
        return 0;
    }
    OGRGeometryH g = normalise(j, OGR_G_Clone(g0));
    lyr_geom_kind k = imp__kind_of(OGR_G_GetGeometryType(g));
    if (k != j->kind && wkbFlatten(OGR_G_GetGeometryType(g)) != wkbGeometryCollection) {
        imp__reject(j, fid, "a %s geometry (%s) in a %s layer", k ? kind_name(k) : "mixed",
                    OGR_G_GetGeometryName(g), kind_name(j->kind));
        OGR_G_DestroyGeometry(g);
        return 0;
    }
    tl_err terr = TL_ERR_INIT;
    if (imp__transform(j, g, &terr) != 0) {
        imp__reject(j, fid, "%s", terr.msg);
        OGR_G_DestroyGeometry(g);
        return 0;
    }
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    if (e.MinX < j->ext[0]) j->ext[0] = e.MinX;
    if (e.MinY < j->ext[1]) j->ext[1] = e.MinY;
    if (e.MaxX > j->ext[2]) j->ext[2] = e.MaxX;
    if (e.MaxY > j->ext[3]) j->ext[3] = e.MaxY;
    size_t n = (size_t)OGR_G_WkbSize(g);
    if (n > j->wkb_cap) {
        j->wkb_cap = n * 2;
        j->wkb = tl_xrealloc(j->wkb, j->wkb_cap);
    }
    OGR_G_ExportToIsoWkb(g, wkbNDR, j->wkb);
    OGR_G_DestroyGeometry(g);
    GEOSGeometry *gg = GEOSWKBReader_read_r(j->gh, j->wkr, j->wkb, n);
    if (!gg) {
        imp__reject(j, fid, "unreadable geometry (unclosed ring or too few points)");
        return 0;
    }
    char *reason = NULL;
    GEOSGeometry *loc = NULL;
    char valid = GEOSisValidDetail_r(j->gh, gg, 0, &reason, &loc);
    int wkb_is_ours = 1;
    if (valid == 1 && j->wkb[1] != 7 /* ISO WKB GeometryCollection: split by kind */) {
        *wkb = j->wkb;
        *len = n;
    } else {
        double x = 0, y = 0;
        if (loc) {
            GEOSGeomGetX_r(j->gh, loc, &x);
            GEOSGeomGetY_r(j->gh, loc, &y);
        }
        GEOSGeometry *fixed = repair(j, gg);
        if (!fixed) {
            imp__reject(j, fid, "invalid geometry (%s at %.7f %.7f) that MakeValid cannot turn "
                                "into a %s", reason ? reason : "unknown reason", x, y,
                        kind_name(j->kind));
            wkb_is_ours = 0;
        } else {
            if (valid != 1)
                imp__repair(j, fid, reason ? reason : "invalid", x, y);
            unsigned char *out = GEOSWKBWriter_write_r(j->gh, j->wkw, fixed, &n);
            GEOSGeom_destroy_r(j->gh, fixed);
            if (n > j->wkb_cap) {
                j->wkb_cap = n * 2;
                j->wkb = tl_xrealloc(j->wkb, j->wkb_cap);
            }
            memcpy(j->wkb, out, n);
            GEOSFree_r(j->gh, out);
            *wkb = j->wkb;
            *len = n;
        }
    }
    GEOSFree_r(j->gh, reason);
    if (loc)
        GEOSGeom_destroy_r(j->gh, loc);
    GEOSGeom_destroy_r(j->gh, gg);
    (void)err;
    return wkb_is_ours;
}
