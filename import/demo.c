/* demo.c: `tiled demo`: runs the deterministic Binh Duong generator (geography, fabric,
 * parcels) in its own GEOS context and writes its five layers (zoning, industrial_parks,
 * green_spaces, roads, districts) as new versions of the store, with the layer and field
 * names of shared/bench/gen_binhduong.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#define IMP_DEMO_MAX_PARCELS 5000000

static const size_t scale_parcels[3] = {5000, 100000, 1000000};

int imp_demo_parse_scale(const char *s, imp_demo_scale *out, tl_err *err)
{
    static const char *const names[3] = {"small", "medium", "large"};
    for (int i = 0; s && i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (imp_demo_scale)i;
            return 0;
        }
    }
    TL_FAIL(err, TL_EINVAL, "unknown demo scale '%s' (expected small, medium or large)",
            s ? s : "(null)");
    return -1;
}

void imp__progress(imp__demo *d, const char *stage, double frac)
{
    if (d->o->progress)
        d->o->progress(d->o->progress_ud, stage, frac);
}

static void geos_error(const char *msg, void *ud)
{
    imp__demo *d = ud;
    tl_strlcpy(d->geos_msg, msg ? msg : "", sizeof d->geos_msg);
}

/* Green spaces kept for later ---------------------------------------------------------------- */

/* Clean g (borrowed) and encode it into d->wkb; *empty when nothing valid is left. */
static int encode_clean(imp__demo *d, const GEOSGeometry *g, double *area, int *empty, tl_err *err)
{
    GEOSGeometry *c = NULL;
    int repaired;
    double cx, cy;
    *empty = 0;
    if (imp__g_clean(d, g, 1, &c, &repaired, err) < 0)
        return -1;
    if (!c) {
        *empty = 1;
        return 0;
    }
    int rc = imp__wkb_polygonal(d, c, area, &cx, &cy, err);
    GEOSGeom_destroy_r(d->h, c);
    return rc;
}

int imp__green_keep(imp__demo *d, const GEOSGeometry *g, const char *name, const char *type,
                    int district, tl_err *err)
{
    double area;
    int empty;
    if (encode_clean(d, g, &area, &empty, err) < 0)
        return -1;
    if (empty)
        return 0;
    if (d->n_green == d->cap_green) {
        d->cap_green = d->cap_green ? 2 * d->cap_green : 256;
        d->green = tl_xrealloc(d->green, d->cap_green * sizeof(*d->green));
    }
    imp__green_item *it = &d->green[d->n_green++];
    it->wkb = tl_xmalloc(d->wkb_len);
    memcpy(it->wkb, d->wkb, d->wkb_len);
    it->len = d->wkb_len;
    it->name = tl_xstrdup(name);
    it->type = type;
    it->area = area;
    it->district = district;
    return 0;
}

/* Writers ----------------------------------------------------------------------------------------
 */

static int begin(imp__demo *d, lyr_store *st, const char *layer, const char *title,
                 lyr_geom_kind kind, const lyr_field_def *f, size_t n, tl_err *err)
{
    char source[160];
    snprintf(source, sizeof source, "tiled demo (synthetic Binh Duong), %zu parcels, seed %llu",
             d->n_target, (unsigned long long)d->o->seed);
    d->w = lyr_writer_begin(st, layer, title, kind, f, n, source, "EPSG:4326", err);
    if (!d->w)
        tl_err_prefix(err, "layer %s: ", layer);
    return d->w ? 0 : -1;
}

static int publish(imp__demo *d, const char *layer, tl_err *err)
{
    int rc = lyr_writer_publish(d->w, NULL, err);
    d->w = NULL;
    if (rc < 0)
        tl_err_prefix(err, "layer %s: ", layer);
    return rc;
}

static const char *district_name(int k)
{
    return k >= 0 ? imp__districts[k].name : "";
}

/* One polygonal row of name/type/area/district (green_spaces); g borrowed. */
static int green_row(imp__demo *d, const GEOSGeometry *g, const char *name, const char *type, int k,
                     tl_err *err)
{
    double area;
    int empty;
    if (encode_clean(d, g, &area, &empty, err) < 0)
        return -1;
    if (empty)
        return 0;
    lyr_value v[4];
    memset(v, 0, sizeof v);
    v[0].s = name;
    v[1].s = type;
    v[2].d = rint(area * 10.0) / 10.0;
    v[3].s = district_name(k);
    if (lyr_writer_add(d->w, d->wkb, d->wkb_len, v, err) < 0)
        return -1;
    d->rep->n_green_spaces++;
    return 0;
}

/* Tree belt along one main-road piece: both sides, hw+2 .. hw+14 m from the axis. */
static int tree_belt(imp__demo *d, const imp__road *r, tl_err *err)
{
    double mx, my;
    imp__line_at(r->xy, r->n, 0.5, &mx, &my);
    if (imp__grid_at(&d->grid, d->grid.u, mx, my) < 0.15)
        return 0;
    GEOSGeometry *line = imp__g_line(d, r->xy, r->n, err), *a = NULL, *b = NULL, *x = NULL;
    if (!line)
        return -1;
    a = GEOSBufferWithStyle_r(d->h, line, r->hw + 14, 4, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_ROUND, 5);
    b = GEOSBufferWithStyle_r(d->h, line, r->hw + 2, 4, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_ROUND, 5);
    if (a && b)
        x = GEOSDifference_r(d->h, a, b);
    GEOSGeom_destroy_r(d->h, line);
    GEOSGeom_destroy_r(d->h, a);
    GEOSGeom_destroy_r(d->h, b);
    if (!x)
        return imp__geos_fail(d, "tree belt", err);
    GEOSGeometry *c = NULL, *belt = NULL;
    int rc = imp__g_clip(d, x, d->land, d->land_p, 0.0, &c, err);
    GEOSGeom_destroy_r(d->h, x);
    if (rc == 0)
        rc = imp__g_polygonal(d, c, 50.0, &belt, err);
    if (rc == 0 && belt) {
        char name[192];
        snprintf(name, sizeof name, "Dải cây xanh %s", r->name);
        int k = imp__district_of(d, belt, err);
        rc = k < -1 ? -1 : green_row(d, belt, name, "tree_belt", k, err);
    }
    GEOSGeom_destroy_r(d->h, belt);
    return rc;
}

/* Perimeter buffer strip (25 m) of an established industrial park. */
static int park_buffer(imp__demo *d, const imp__special *sp, tl_err *err)
{
    GEOSGeometry *in =
        GEOSBufferWithStyle_r(d->h, sp->g, -25.0, 2, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_MITRE, 5.0);
    GEOSGeometry *x = in ? GEOSDifference_r(d->h, sp->g, in) : NULL, *strip = NULL;
    GEOSGeom_destroy_r(d->h, in);
    if (!x)
        return imp__geos_fail(d, "park buffer strip", err);
    int rc = imp__g_polygonal(d, x, 0.0, &strip, err);
    if (rc == 0 && strip) {
        char name[160];
        snprintf(name, sizeof name, "Cây xanh cách ly KCN %s", imp__parks[sp->idx].short_name);
        int k = imp__district_of(d, sp->g, err);
        rc = k < -1 ? -1 : green_row(d, strip, name, "buffer_strip", k, err);
    }
    GEOSGeom_destroy_r(d->h, strip);
    return rc;
}

static int write_green(imp__demo *d, lyr_store *st, tl_err *err)
{
    static const lyr_field_def f[] = {{"name", LYR_FIELD_STRING},
                                      {"type", LYR_FIELD_STRING},
                                      {"area_m2", LYR_FIELD_REAL},
                                      {"district", LYR_FIELD_STRING}};
    if (begin(d, st, "green_spaces", "Cây xanh – mặt bằng", LYR_GEOM_POLYGON, f, 4, err) < 0)
        return -1;
    int rc = 0;
    for (size_t s = 0; s < d->n_sp && rc == 0; s++) {
        const imp__special *sp = &d->sp[s];
        if (sp->kind != IMP_SP_GREEN)
            continue;
        const imp__green_def *gd = &imp__named_green[sp->idx];
        int k = imp__district_of(d, sp->g, err);
        rc = k < -1 ? -1 : green_row(d, sp->g, gd->name, gd->type, k, err);
    }
    for (size_t i = 0; i < d->n_green && rc == 0; i++) {
        const imp__green_item *it = &d->green[i];
        lyr_value v[4];
        memset(v, 0, sizeof v);
        v[0].s = it->name;
        v[1].s = it->type;
        v[2].d = rint(it->area * 10.0) / 10.0;
        v[3].s = district_name(it->district);
        rc = lyr_writer_add(d->w, it->wkb, it->len, v, err);
        d->rep->n_green_spaces += rc == 0;
    }
    imp__progress(d, "green_spaces", 0.4);
    for (size_t i = 0; i < d->n_major && rc == 0; i++)
        rc = tree_belt(d, &d->roads[i], err);
    for (size_t s = 0; s < d->n_sp && rc == 0; s++)
        if (d->sp[s].kind == IMP_SP_PARK && !imp__parks[d->sp[s].idx].planned)
            rc = park_buffer(d, &d->sp[s], err);
    if (rc < 0)
        return -1;
    imp__progress(d, "green_spaces", 1.0);
    return publish(d, "green_spaces", err);
}

static int write_parks(imp__demo *d, lyr_store *st, tl_err *err)
{
    static const lyr_field_def f[] = {
        {"name", LYR_FIELD_STRING},        {"short_name", LYR_FIELD_STRING},
        {"status", LYR_FIELD_STRING},      {"area_ha", LYR_FIELD_REAL},
        {"occupancy_pct", LYR_FIELD_REAL}, {"year", LYR_FIELD_INT},
        {"developer", LYR_FIELD_STRING},   {"district", LYR_FIELD_STRING}};
    if (begin(d, st, "industrial_parks", "Khu công nghiệp", LYR_GEOM_POLYGON, f, 8, err) < 0)
        return -1;
    for (size_t s = 0; s < d->n_sp; s++) {
        const imp__special *sp = &d->sp[s];
        if (sp->kind != IMP_SP_PARK)
            continue;
        const imp__park_def *p = &imp__parks[sp->idx];
        double area;
        int empty, k = imp__district_of(d, sp->g, err);
        if (k < -1 || encode_clean(d, sp->g, &area, &empty, err) < 0)
            return -1;
        if (empty)
            continue;
        lyr_value v[8];
        memset(v, 0, sizeof v);
        v[0].s = p->name;
        v[1].s = p->short_name;
        v[2].s = p->planned ? "planned" : "established";
        v[3].d = p->area_ha;
        v[4].d = p->planned ? 0.0 : rint(imp__rng_range(&d->attr, 62.0, 100.0) * 10.0) / 10.0;
        v[5].i = p->year;
        v[6].s = p->developer;
        v[7].s = district_name(k);
        if (lyr_writer_add(d->w, d->wkb, d->wkb_len, v, err) < 0)
            return -1;
        d->rep->n_industrial_parks++;
    }
    imp__progress(d, "industrial_parks", 1.0);
    return publish(d, "industrial_parks", err);
}

static int write_roads(imp__demo *d, lyr_store *st, tl_err *err)
{
    static const lyr_field_def f[] = {{"class", LYR_FIELD_STRING}, {"name", LYR_FIELD_STRING},
                                      {"ref", LYR_FIELD_STRING},   {"lanes", LYR_FIELD_INT},
                                      {"oneway", LYR_FIELD_INT},   {"surface", LYR_FIELD_STRING},
                                      {"maxspeed", LYR_FIELD_INT}};
    if (begin(d, st, "roads", "Mạng lưới giao thông", LYR_GEOM_LINE, f, 7, err) < 0)
        return -1;
    for (size_t i = 0; i < d->n_roads; i++) {
        const imp__road *r = &d->roads[i];
        int unpaved = r->cls == IMP_RC_UNCLASSIFIED && imp__rng_unif(&d->attr) < 0.6;
        lyr_value v[7];
        memset(v, 0, sizeof v);
        v[0].s = imp__road_class_name[r->cls];
        v[1].s = r->name;
        v[2].s = r->ref;
        v[3].i = r->lanes;
        v[4].i = r->cls == IMP_RC_MOTORWAY;
        v[5].s = unpaved ? "unpaved" : "paved";
        v[6].i = imp__road_class_speed[r->cls];
        imp__wkb_line(d, r->xy, r->n);
        if (lyr_writer_add(d->w, d->wkb, d->wkb_len, v, err) < 0)
            return -1;
        d->rep->n_roads++;
        if (i % 20000 == 0)
            imp__progress(d, "roads", (double)i / (double)d->n_roads);
    }
    return publish(d, "roads", err);
}

static int write_districts(imp__demo *d, lyr_store *st, tl_err *err)
{
    static const lyr_field_def f[] = {
        {"code", LYR_FIELD_INT},          {"name", LYR_FIELD_STRING},
        {"name_ascii", LYR_FIELD_STRING}, {"admin_type", LYR_FIELD_STRING},
        {"population", LYR_FIELD_INT},    {"area_km2", LYR_FIELD_REAL}};
    if (begin(d, st, "districts", "Ranh giới hành chính cấp huyện", LYR_GEOM_POLYGON, f, 6, err) <
        0)
        return -1;
    for (int k = 0; k < IMP_N_DISTRICTS; k++) {
        const imp__district_def *dd = &imp__districts[k];
        double area;
        int empty;
        if (encode_clean(d, d->district[k], &area, &empty, err) < 0)
            return -1;
        if (empty)
            continue;
        lyr_value v[6];
        memset(v, 0, sizeof v);
        v[0].i = dd->code;
        v[1].s = dd->name;
        v[2].s = dd->name_ascii;
        v[3].s = dd->admin_type;
        v[4].i = dd->population;
        v[5].d = rint(area / 1e6 * 100.0) / 100.0;
        if (lyr_writer_add(d->w, d->wkb, d->wkb_len, v, err) < 0)
            return -1;
        d->rep->n_districts++;
    }
    imp__progress(d, "districts", 1.0);
    return publish(d, "districts", err);
}

/* Lifetime ----------------------------------------------------------------------------------------
 */

static void demo_free(imp__demo *d)
{
    GEOSContextHandle_t h = d->h;
    lyr_writer_abort(d->w);
    for (size_t s = 0; s < d->n_sp; s++) {
        if (d->sp[s].pg)
            GEOSPreparedGeom_destroy_r(h, d->sp[s].pg);
        GEOSGeom_destroy_r(h, d->sp[s].g);
        imp__pip_free(&d->sp[s].pip);
    }
    free(d->sp);
    for (int k = 0; k < IMP_N_DISTRICTS; k++) {
        if (d->district_p[k])
            GEOSPreparedGeom_destroy_r(h, d->district_p[k]);
        GEOSGeom_destroy_r(h, d->district[k]);
    }
    for (int k = 0; k < IMP_N_RIVERS; k++)
        GEOSGeom_destroy_r(h, d->river[k]);
    for (size_t i = 0; i < d->n_main_lines; i++)
        GEOSGeom_destroy_r(h, d->main_line[i]);
    free(d->main_line);
    free(d->main_line_def);
    if (d->land_p)
        GEOSPreparedGeom_destroy_r(h, d->land_p);
    if (d->province_p)
        GEOSPreparedGeom_destroy_r(h, d->province_p);
    GEOSGeom_destroy_r(h, d->land);
    GEOSGeom_destroy_r(h, d->water);
    GEOSGeom_destroy_r(h, d->province);
    imp__pip_free(&d->province_pip);
    imp__pip_free(&d->land_pip);
    imp__grid_free(&d->grid);
    for (size_t i = 0; i < d->n_green; i++) {
        free(d->green[i].wkb);
        free(d->green[i].name);
    }
    free(d->green);
    free(d->roads);
    tl_arena_free(&d->arena);
    free(d->outline);
    free(d->wkb);
    free(d->cbuf);
    GEOS_finish_r(h);
    free(d);
}

static int run(imp__demo *d, lyr_store *st, tl_err *err)
{
    imp__progress(d, "geography", 0.0);
    if (imp__geog_build(d, err) < 0)
        return -1;
    if (begin(d, st, "zoning", "Quy hoạch phân khu – synthetic zoning parcels, Bình Dương",
              LYR_GEOM_POLYGON, imp__zoning_fields, imp__n_zoning_fields, err) < 0)
        return -1;
    if (imp__fabric_run(d, err) < 0 || publish(d, "zoning", err) < 0)
        return -1;
    if (write_parks(d, st, err) < 0 || write_green(d, st, err) < 0 || write_roads(d, st, err) < 0 ||
        write_districts(d, st, err) < 0)
        return -1;
    return 0;
}

int imp_demo_write(lyr_store *st, const imp_demo_opts *o, imp_demo_report *rep, tl_err *err)
{
    imp_demo_report local;
    if (!st || !o) {
        TL_FAIL(err, TL_EINVAL, "demo: no store or no options");
        return -1;
    }
    if ((int)o->scale < IMP_DEMO_SMALL || (int)o->scale > IMP_DEMO_LARGE) {
        TL_FAIL(err, TL_EINVAL, "demo: unknown scale %d", (int)o->scale);
        return -1;
    }
    if (o->n_parcels > IMP_DEMO_MAX_PARCELS) {
        TL_FAIL(err, TL_ETOOBIG, "demo: %zu parcels asked, the limit is %d", o->n_parcels,
                IMP_DEMO_MAX_PARCELS);
        return -1;
    }
    imp__demo *d = tl_xcalloc(1, sizeof *d);
    d->h = GEOS_init_r();
    if (!d->h) {
        free(d);
        TL_FAIL(err, TL_EGEOM, "demo: cannot create a GEOS context");
        return -1;
    }
    GEOSContext_setErrorMessageHandler_r(d->h, geos_error, d);
    d->o = o;
    d->rep = rep ? rep : &local;
    memset(d->rep, 0, sizeof *d->rep);
    d->n_target = o->n_parcels ? o->n_parcels : scale_parcels[o->scale];
    d->t0 = tl_now();
    imp__rng_seed(&d->rng, o->seed);
    imp__rng_seed(&d->attr, o->seed + 7);
    tl_arena_init(&d->arena, 1 << 20);
    int rc = run(d, st, err);
    if (rc < 0)
        tl_err_prefix(err, "demo: ");
    d->rep->seconds = tl_now() - d->t0;
    demo_free(d); /* aborts a writer left open by a failure */
    return rc;
}
