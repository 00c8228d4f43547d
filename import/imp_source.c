/* imp_source.c: opening what surveyors deliver: the file (zipped or not), its layer, its
 * geometry kind and its fields. Everything that can be checked before a feature is
 * written is checked here, so a bad file fails before the store is touched. */
#define _GNU_SOURCE /* VSIStatBufL is a struct stat64 */
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import/importer_int.h"
#include "tiled/base/tl_util.h"

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int has_magic(const char *path, const char *magic, size_t n)
{
    char buf[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n && memcmp(buf, magic, n) == 0;
}

/* A sibling of `path` with extension `ext` (tried in lower and upper case), or NULL. */
static char *sibling(const char *path, const char *ext)
{
    const char *dot = strrchr(path, '.');
    size_t base = dot ? (size_t)(dot - path) : strlen(path);
    char *p = tl_xmalloc(base + strlen(ext) + 2);
    for (int upper = 0; upper < 2; upper++) {
        memcpy(p, path, base);
        p[base] = '.';
        for (size_t i = 0; ext[i]; i++)
            p[base + 1 + i] = upper ? (char)toupper((unsigned char)ext[i]) : ext[i];
        p[base + 1 + strlen(ext)] = '\0';
        VSIStatBufL sb;
        if (VSIStatL(p, &sb) == 0)
            return p;
    }
    free(p);
    return NULL;
}

static int check_zip(imp__job *j, const char *vpath, int *has_shp, tl_err *err)
{
    char **files = VSIReadDirRecursive(vpath);
    if (!files) {
        TL_FAIL(err, TL_EINVAL, "%s is not a zip file GDAL can read", j->label);
        return -1;
    }
    uint64_t total = 0;
    int rc = 0;
    for (char **f = files; *f; f++) {
        size_t n = strlen(vpath) + strlen(*f) + 2;
        char *p = tl_xmalloc(n);
        snprintf(p, n, "%s/%s", vpath, *f);
        VSIStatBufL sb;
        if (VSIStatL(p, &sb) == 0 && !VSI_ISDIR(sb.st_mode))
            total += (uint64_t)sb.st_size;
        free(p);
        if (ends_with_ci(*f, ".shp"))
            *has_shp = 1;
    }
    CSLDestroy(files);
    if (j->o->max_unzipped && total > j->o->max_unzipped) {
        TL_FAIL(err, TL_ETOOBIG, "%s unzips to %llu bytes, more than the limit of %llu",
                j->label, (unsigned long long)total, (unsigned long long)j->o->max_unzipped);
        rc = -1;
    }
    return rc;
}

static int check_shapefile(imp__job *j, const char *path, tl_err *err)
{
    static const char *const need[] = {"shx", "dbf"};
    for (size_t i = 0; i < 2; i++) {
        char *p = sibling(path, need[i]);
        if (!p) {
            TL_FAIL(err, TL_EINVAL, "%s: the .%s file is missing (a Shapefile needs its .shp, "
                                    ".shx and .dbf side by side)", j->label, need[i]);
            return -1;
        }
        free(p);
    }
    return 0;
}

/* The iconv name of a .cpg's code page ("1258" -> "CP1258", "UTF-8" -> "" for none). */
static void cpg_encoding(const char *cpg, char *out, size_t size)
{
    if (strcasecmp(cpg, "UTF-8") == 0 || strcasecmp(cpg, "UTF8") == 0 ||
        strcmp(cpg, "65001") == 0 || !*cpg)
        out[0] = '\0';
    else if (isdigit((unsigned char)cpg[0]) && strlen(cpg) == 4)
        snprintf(out, size, "CP%s", cpg);
    else if (strcmp(cpg, "88591") == 0)
        snprintf(out, size, "ISO-8859-1");
    else
        snprintf(out, size, "%s", cpg);
}

/* A Shapefile's text is read raw (GDAL's own recoding drops the last character of strings
 * in CP1258 and TCVN, whose decoders wait for a combining accent that never comes) and
 * converted by imp_text: from --encoding, else from the .cpg, else it must be UTF-8. */
static void shapefile_encoding(imp__job *j)
{
    if (j->o->encoding)
        return;
    const char *desc = GDALGetDescription(j->ds);
    char shp[4200];
    if (strlen(desc) > 4 && strcasecmp(desc + strlen(desc) - 4, ".shp") == 0)
        snprintf(shp, sizeof shp, "%s", desc);
    else
        snprintf(shp, sizeof shp, "%s/%s.shp", desc, j->src_layer);
    char *cpg = sibling(shp, "cpg");
    if (!cpg)
        return;
    VSILFILE *f = VSIFOpenL(cpg, "rb");
    char buf[64] = {0};
    if (f) {
        size_t n = VSIFReadL(buf, 1, sizeof buf - 1, f);
        VSIFCloseL(f);
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n ")] = '\0';
    }
    free(cpg);
    cpg_encoding(buf, j->encoding, sizeof j->encoding);
    if (j->encoding[0])
        imp__note(j, "text converted from the .cpg's encoding '%s' (%s) to UTF-8", buf,
                  j->encoding);
}

/* Does the CSV header name a longitude and a latitude column? */
static int csv_has_lonlat(const char *path)
{
    char line[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
        return 0;
    static const char *const xs[] = {"lon", "lng", "long", "longitude", "x"};
    static const char *const ys[] = {"lat", "latitude", "y"};
    int hx = 0, hy = 0;
    for (char *save = NULL, *t = strtok_r(line, ",;\t\r\n", &save); t;
         t = strtok_r(NULL, ",;\t\r\n", &save)) {
        while (*t == '"' || *t == ' ')
            t++;
        size_t n = strcspn(t, "\" ");
        for (size_t i = 0; i < 5; i++)
            hx |= strlen(xs[i]) == n && strncasecmp(t, xs[i], n) == 0;
        for (size_t i = 0; i < 3; i++)
            hy |= strlen(ys[i]) == n && strncasecmp(t, ys[i], n) == 0;
    }
    return hx && hy;
}

static int choose_layer(imp__job *j, tl_err *err)
{
    int n = GDALDatasetGetLayerCount(j->ds);
    if (j->o->source_layer) {
        j->sl = GDALDatasetGetLayerByName(j->ds, j->o->source_layer);
        if (!j->sl) {
            TL_FAIL(err, TL_ENOTFOUND, "%s has no layer '%.80s'", j->label, j->o->source_layer);
            return -1;
        }
    } else if (n == 1) {
        j->sl = GDALDatasetGetLayer(j->ds, 0);
    } else if (n == 0) {
        TL_FAIL(err, TL_EINVAL, "%s has no layers", j->label);
        return -1;
    } else {
        char names[160] = "";
        size_t o = 0;
        for (int i = 0; i < n && o + 4 < sizeof names; i++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "",
                                  OGR_L_GetName(GDALDatasetGetLayer(j->ds, i)));
        TL_FAIL(err, TL_EINVAL, "%s has %d layers (%s); name the one to import after the file",
                j->label, n, names);
        return -1;
    }
    snprintf(j->src_layer, sizeof j->src_layer, "%s", OGR_L_GetName(j->sl));
    return 0;
}

/* The layer's kind: declared, or (DXF, GeoJSON with mixed types) the most common one. */
static int choose_kind(imp__job *j, tl_err *err)
{
    j->kind = imp__kind_of(OGR_L_GetGeomType(j->sl));
    if (j->kind)
        return 0;
    size_t count[4] = {0};
    OGRFeatureH f;
    OGR_L_ResetReading(j->sl);
    while ((f = OGR_L_GetNextFeature(j->sl)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g) {
            lyr_geom_kind k = imp__kind_of(OGR_G_GetGeometryType(g));
            if (k == LYR_GEOM_LINE && OGR_G_GetPointCount(g) >= 4 &&
                OGR_G_GetX(g, 0) == OGR_G_GetX(g, OGR_G_GetPointCount(g) - 1) &&
                OGR_G_GetY(g, 0) == OGR_G_GetY(g, OGR_G_GetPointCount(g) - 1))
                k = LYR_GEOM_POLYGON; /* a closed polyline: a parcel boundary */
            count[k]++;
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(j->sl);
    for (int k = 1; k <= 3; k++)
        if (count[k] > 0 && (!j->kind || count[k] > count[j->kind]))
            j->kind = (lyr_geom_kind)k;
    if (!j->kind) {
        TL_FAIL(err, TL_EINVAL, "%s: layer '%s' has no features with geometry", j->label,
                j->src_layer);
        return -1;
    }
    return 0;
}

int imp__open_source(imp__job *j, tl_err *err)
{
    const char *src = j->o->source;
    struct stat sb;
    if (stat(src, &sb) != 0) {
        TL_FAIL(err, TL_ENOTFOUND, "%s does not exist", j->label);
        return -1;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
        TL_FAIL(err, TL_EINVAL, "%s is %s", j->label,
                S_ISREG(sb.st_mode) ? "empty (0 bytes)" : "not a regular file");
        return -1;
    }
    char *path = NULL;
    int zip = ends_with_ci(src, ".zip") || has_magic(src, "PK\003\004", 4);
    int shp = ends_with_ci(src, ".shp");
    if (zip) {
        size_t n = strlen(src) + 16;
        path = tl_xmalloc(n);
        snprintf(path, n, "/vsizip/{%s}", src);
        if (check_zip(j, path, &shp, err) != 0)
            goto fail;
    } else {
        path = tl_xstrdup(src);
        if (shp && check_shapefile(j, path, err) != 0)
            goto fail;
    }
    if (zip && j->o->encoding)
        snprintf(j->encoding, sizeof j->encoding, "%s", j->o->encoding);
    j->is_shp = shp;
    char **oo = NULL;
    if (shp)
        oo = CSLAddString(oo, "ENCODING="); /* raw bytes: imp_text converts or checks them */
    if (ends_with_ci(src, ".csv")) {
        oo = CSLAddString(oo, "X_POSSIBLE_NAMES=lon,lng,long,longitude,x");
        oo = CSLAddString(oo, "Y_POSSIBLE_NAMES=lat,latitude,y");
        oo = CSLAddString(oo, "GEOM_POSSIBLE_NAMES=wkt,geometry,geom,the_geom");
        oo = CSLAddString(oo, "KEEP_GEOM_COLUMNS=NO");
        oo = CSLAddString(oo, "AUTODETECT_TYPE=YES");
        j->is_csv = 1;
        j->csv_lonlat = csv_has_lonlat(src);
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    j->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, (const char *const *)oo,
                       NULL);
    const char *why = CPLGetLastErrorMsg();
    char msg[200];
    snprintf(msg, sizeof msg, "%s", why && *why ? why : "unrecognised format");
    CPLPopErrorHandler();
    CSLDestroy(oo);
    if (!j->ds) {
        TL_FAIL(err, TL_EINVAL, "%s is not a vector file GDAL can read (%s)", j->label, msg);
        goto fail;
    }
    free(path);
    path = NULL;
    snprintf(j->driver, sizeof j->driver, "%s",
             GDALGetDriverShortName(GDALGetDatasetDriver(j->ds)));
    j->is_dxf = strcmp(j->driver, "DXF") == 0;
    if (choose_layer(j, err) != 0)
        return -1;
    if (strcmp(j->driver, "ESRI Shapefile") == 0)
        shapefile_encoding(j);
    if (j->o->where && OGR_L_SetAttributeFilter(j->sl, j->o->where) != OGRERR_NONE) {
        TL_FAIL(err, TL_EINVAL, "--where '%.80s' is not a valid filter for %s", j->o->where,
                j->label);
        return -1;
    }
    return choose_kind(j, err);
fail:
    free(path);
    return -1;
}

static lyr_field_type field_type(OGRFieldDefnH fd, int *is_bool)
{
    *is_bool = OGR_Fld_GetSubType(fd) == OFSTBoolean;
    switch (OGR_Fld_GetType(fd)) {
    case OFTInteger:
    case OFTInteger64: return LYR_FIELD_INT;
    case OFTReal: return LYR_FIELD_REAL;
    case OFTDate: return LYR_FIELD_DATE;
    default: return LYR_FIELD_STRING; /* strings, date-times (ISO text), lists (text) */
    }
}

static int name_taken(const imp__job *j, const char *name)
{
    static const char *const reserved[] = {"fid", "geom", "ogc_fid"};
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(name, reserved[i]) == 0)
            return 1;
    for (size_t i = 0; i < j->n_fields; i++)
        if (strcasecmp(name, j->fields[i].def.name) == 0)
            return 1;
    return 0;
}

int imp__choose_fields(imp__job *j, tl_err *err)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(j->sl);
    int n = OGR_FD_GetFieldCount(d);
    if (n > IMP_MAX_FIELDS) {
        TL_FAIL(err, TL_ETOOBIG, "%s has %d fields, more than %d", j->label, n, IMP_MAX_FIELDS);
        return -1;
    }
    j->fields = tl_xcalloc((size_t)n + 1, sizeof *j->fields);
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, i);
        const char *orig = imp__text_name(j, OGR_Fld_GetNameRef(fd), err);
        if (!orig)
            return -1;
        char name[80];
        size_t o = 0;
        for (const char *p = orig; *p && o + 1 < 64; p++)
            name[o++] = *p == '"' ? '_' : *p; /* the layer view quotes names with " */
        while (o > 0 && ((unsigned char)orig[o] & 0xC0) == 0x80)
            o--; /* never cut a UTF-8 character in two */
        name[o] = '\0';
        if (!o)
            snprintf(name, sizeof name, "field_%d", i + 1);
        char cand[80];
        snprintf(cand, sizeof cand, "%s", name);
        for (int k = 2; name_taken(j, cand); k++)
            snprintf(cand, sizeof cand, "%.60s_%d", name, k);
        if (strcmp(cand, orig) != 0)
            imp__note(j, "field '%s' stored as '%s' (reserved or duplicate name)", orig, cand);
        imp__field *f = &j->fields[j->n_fields++];
        f->src = i;
        f->def.name = tl_xstrdup(cand);
        f->def.type = field_type(fd, &f->is_bool);
        f->is_text = f->def.type == LYR_FIELD_STRING;
        if (OGR_Fld_GetType(fd) == OFTDateTime)
            f->is_text = 0; /* GDAL formats it: ASCII */
    }
    return 0;
}
