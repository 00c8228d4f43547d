/* importer_int.h: the state of one import (imp_run), shared by the import/imp_ files only.
 * One imp__job belongs to the thread running the import: it owns its PROJ context, its
 * GEOS context and its iconv descriptor. */
#ifndef IMPORTER_INT_H
#define IMPORTER_INT_H

#include <gdal.h>
#include <geos_c.h>
#include <iconv.h>
#include <jansson.h>
#include <ogr_api.h>
#include <proj.h>

#include "import/import.h"

#define IMP_MAX_FIELDS 500
#define IMP_MAX_DETAILS 200 /* repairs / rejections listed one by one in the report */

typedef struct imp__field {
    int src;            /* index in the source layer definition */
    lyr_field_def def;  /* name owned */
    int is_bool;        /* OFSTBoolean: kept as INT 0/1 */
    int is_text;        /* converted with iconv / checked for UTF-8 */
} imp__field;

typedef struct imp__job {
    const imp_opts *o;
    const char *label; /* source label for messages */
    /* source */
    GDALDatasetH ds;
    OGRLayerH sl;
    char driver[64];
    char src_layer[256];
    int is_shp, is_dxf, is_csv, cpg;
    int csv_lonlat; /* a CSV whose geometry comes from lon/lat columns */
    lyr_geom_kind kind;
    imp__field *fields;
    size_t n_fields;
    /* CRS */
    PJ_CONTEXT *pjc;
    PJ *pj;                 /* source -> EPSG:4326 lon/lat, NULL when the source is lon/lat */
    PJ *src_crs;            /* the source CRS (for its area of use) */
    char source_crs[160];
    char transformation[160];
    char *pipeline;         /* malloc'd */
    double *cx, *cy;        /* coordinate scratch for proj_trans_generic */
    size_t ccap;
    /* text */
    iconv_t cd;             /* (iconv_t)-1 when not converting */
    char encoding[64];
    char *tbuf;             /* conversion scratch */
    size_t tcap;
    /* geometry */
    GEOSContextHandle_t gh;
    GEOSWKBReader *wkr;
    GEOSWKBWriter *wkw;
    unsigned char *wkb;     /* scratch for OGR's WKB */
    size_t wkb_cap;
    /* GDAL error capture while reading */
    char gdal_error[256];
    int gdal_failed;
    /* report */
    int64_t n_read, n_written, n_repaired, n_rejected;
    int64_t n_zm, n_curves, n_closed_lines;
    json_t *repairs, *rejections, *notes;
    double ext[4];
} imp__job;

/* imp_source.c */
int imp__open_source(imp__job *j, tl_err *err);
int imp__choose_fields(imp__job *j, tl_err *err);

/* imp_crs.c */
int imp__setup_crs(imp__job *j, tl_err *err);
/** Transform every coordinate of `g` in place to lon/lat. */
int imp__transform(imp__job *j, OGRGeometryH g, tl_err *err);
/** Note in the report when the data lies outside the source CRS's area of use. */
void imp__crs_check_area(imp__job *j);
void imp__crs_free(imp__job *j);

/* imp_text.c */
int imp__setup_text(imp__job *j, tl_err *err);
/** The UTF-8 text of field `f` of feature `fid` (raw bytes `s`): converted or checked.
 *  Borrowed until the next call. */
const char *imp__text(imp__job *j, const char *s, int64_t fid, const imp__field *f,
                      tl_err *err);
/** A field name in UTF-8 (converted like the text); borrowed until the next call. */
const char *imp__text_name(imp__job *j, const char *name, tl_err *err);
void imp__text_free(imp__job *j);

/* imp_geom.c */
int imp__geom_setup(imp__job *j, tl_err *err);
void imp__geom_free(imp__job *j);
/** Turn the feature's geometry into the layer's kind, 2D, linear, EPSG:4326, valid.
 *  Returns 1 with the ISO WKB in *wkb and *len (borrowed), 0 when the feature is rejected
 *  (recorded in the report), -1 on a hard error. */
int imp__geom_prepare(imp__job *j, OGRFeatureH f, int64_t fid, const unsigned char **wkb,
                      size_t *len, tl_err *err);
/** The layer kind of an OGR geometry type, or 0. */
lyr_geom_kind imp__kind_of(OGRwkbGeometryType t);

/* imp_report.c */
void imp__note(imp__job *j, const char *fmt, ...) TL_PRINTF(2, 3);
void imp__reject(imp__job *j, int64_t fid, const char *fmt, ...) TL_PRINTF(3, 4);
void imp__repair(imp__job *j, int64_t fid, const char *reason, double x, double y);
int imp__report(imp__job *j, imp_result *res, double seconds);

#endif
