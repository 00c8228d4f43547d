/* demo_zoning.c: the zoning row of one parcel: zone code by block and urban intensity,
 * planning attributes, ward, parcel id and Vietnamese name (gen_binhduong.py
 * assign_zoning, parcel_name and write_all), written to the open zoning writer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "import/import_int.h"

const lyr_field_def imp__zoning_fields[] = {
    {"parcel_id", LYR_FIELD_STRING}, {"zone_code", LYR_FIELD_STRING},
    {"zone_name", LYR_FIELD_STRING}, {"name", LYR_FIELD_STRING},
    {"district", LYR_FIELD_STRING},  {"ward", LYR_FIELD_STRING},
    {"plot_ratio", LYR_FIELD_REAL},  {"max_height_m", LYR_FIELD_REAL},
    {"coverage_pct", LYR_FIELD_INT}, {"max_floors", LYR_FIELD_INT},
    {"area_m2", LYR_FIELD_REAL},     {"status", LYR_FIELD_STRING},
    {"plan_ref", LYR_FIELD_STRING},  {"approved", LYR_FIELD_DATE},
};
const size_t imp__n_zoning_fields = sizeof imp__zoning_fields / sizeof imp__zoning_fields[0];

/* What the zone rules look at, sampled at the parcel's centroid. */
typedef struct site {
    double u, d_road, d_water;
    int planned;
} site;

static int park_planned(const imp__pctx *pc)
{
    return pc->idx >= 0 && imp__parks[pc->idx].planned;
}

/* Zone code and status (gen_binhduong.py assign_zoning). */
static int assign_zone(imp__demo *d, const imp__pctx *pc, site *s)
{
    double r[4];
    for (int i = 0; i < 4; i++)
        r[i] = imp__rng_unif(&d->rng);
    s->planned = 0;
    switch (pc->kind) {
    case IMP_PK_ORGANIC: {
        int z = pc->dom;
        if (r[0] >= 0.8 || z < 0) {
            const double *mix = s->u > 0.45   ? imp__mix_urban
                                : s->u > 0.12 ? imp__mix_suburb
                                              : imp__mix_rural;
            z = imp__rng_pick(&d->rng, mix, IMP_N_ZONES);
        }
        if (s->d_road < 70.0 && s->u > 0.2 && (z == IMP_Z_R1 || z == IMP_Z_R2 || z == IMP_Z_AG) &&
            r[1] < 0.55)
            z = r[2] < 0.5 ? IMP_Z_C : IMP_Z_MX;
        if (s->d_water < 120.0 && r[3] < 0.35)
            z = IMP_Z_GR;
        s->planned = r[3] > 0.8 && s->u > 0.12;
        return z;
    }
    case IMP_PK_ENCLAVE: {
        static const int z3[3] = {IMP_Z_W, IMP_Z_PUB, IMP_Z_GR};
        return z3[(int)(r[0] * 3)];
    }
    case IMP_PK_PARK_LOT:
        s->planned = park_planned(pc);
        if (r[0] < 0.9)
            return IMP_Z_IND;
        return r[1] < 0.4 ? IMP_Z_C : r[1] < 0.7 ? IMP_Z_PUB : IMP_Z_GR;
    case IMP_PK_PARK_STRIP:
        s->planned = park_planned(pc);
        return IMP_Z_GR;
    case IMP_PK_NEWCITY:
        s->planned = r[3] < 0.4;
        return imp__rng_pick(&d->rng, imp__mix_newcity, IMP_N_ZONES);
    case IMP_PK_GREEN:
        return IMP_Z_GR;
    case IMP_PK_WATER:
    default:
        return IMP_Z_W;
    }
}

static const char *river_name(int k)
{
    return k < IMP_N_BORDER_RIVERS ? imp__border_rivers[k].name
                                   : imp__inner_rivers[k - IMP_N_BORDER_RIVERS].name;
}

static void name_pub(char *out, size_t size, double r, int k, const char *ward)
{
    static const char *const opts[9] = {"Trường Mầm non", "Trường Tiểu học", "Trường THCS",
                                        "Trường THPT",    "Trạm Y tế",       "UBND",
                                        "Nhà văn hóa",    "Sân vận động",    "Bưu điện"};
    int i = (int)(r * 9);
    if (i == 5)
        snprintf(out, size, "UBND %s %s",
                 strcmp(imp__districts[k].admin_type, "Huyện") != 0 ? "phường" : "xã", ward);
    else
        snprintf(out, size, "%s %s", opts[i], ward);
}

static void name_ag(char *out, size_t size, double r, int k, const char *ward)
{
    static const char *const rural[5] = {"Dau Tieng", "Bau Bang", "Phu Giao", "Ben Cat",
                                         "Bac Tan Uyen"};
    int is_rural = 0;
    for (int i = 0; i < 5; i++)
        is_rural |= strcmp(imp__districts[k].name_ascii, rural[i]) == 0;
    if (is_rural)
        snprintf(out, size, r < 0.7 ? "Vườn cao su %s" : "Ruộng lúa %s", ward);
    else
        snprintf(out, size, r < 0.6 ? "Vườn cây ăn trái %s" : "Đất nông nghiệp %s", ward);
}

/* Parcel name (gen_binhduong.py parcel_name); draws two numbers from d->attr. */
static void parcel_name(imp__demo *d, const imp__pctx *pc, int z, int k, const char *ward,
                        const char *park, char *out, size_t size)
{
    double r = imp__rng_unif(&d->attr);
    int n = 1 + (int)(imp__rng_unif(&d->attr) * 20);
    if (pc->kind == IMP_PK_WATER) {
        snprintf(out, size, "%s", river_name(pc->idx));
        return;
    }
    if (pc->kind == IMP_PK_GREEN) {
        snprintf(out, size, "%s", imp__named_green[pc->idx].name);
        return;
    }
    switch (z) {
    case IMP_Z_R1:
        snprintf(out, size, r < 0.6 ? "Khu dân cư %s %d" : "Khu nhà ở %s %d", ward, n);
        break;
    case IMP_Z_R2:
        snprintf(out, size, r < 0.5 ? "Khu chung cư %s %d" : "Khu đô thị %s %d", ward, n);
        break;
    case IMP_Z_C:
        if (r < 0.3)
            snprintf(out, size, "Trung tâm thương mại %s", ward);
        else if (r < 0.45)
            snprintf(out, size, "Chợ %s", ward);
        else
            snprintf(out, size, "Khu dịch vụ %s %d", ward, n);
        break;
    case IMP_Z_IND:
        if (park)
            snprintf(out, size, "Lô %c%d – KCN %s", "ABCDEFGHK"[(int)(r * 9)], n, park);
        else if (r < 0.5)
            snprintf(out, size, "Cụm công nghiệp %s", ward);
        else
            snprintf(out, size, "Xưởng sản xuất %s %d", ward, n);
        break;
    case IMP_Z_MX:
        snprintf(out, size, "Khu hỗn hợp %s %d", ward, n);
        break;
    case IMP_Z_PUB:
        name_pub(out, size, r, k, ward);
        break;
    case IMP_Z_GR:
        if (park)
            snprintf(out, size, "Cây xanh cách ly KCN %s", park);
        else if (r < 0.4)
            snprintf(out, size, "Công viên %s", ward);
        else if (r < 0.7)
            snprintf(out, size, "Vườn hoa %s %d", ward, n);
        else
            snprintf(out, size, "Dải cây xanh %s", ward);
        break;
    case IMP_Z_AG:
        name_ag(out, size, r, k, ward);
        break;
    default:
        snprintf(out, size, r < 0.5 ? "Hồ %s" : "Ao %s %d", ward, n);
        break;
    }
}

static int nearest_ward(const imp__demo *d, int k, double x, double y)
{
    int best = 0;
    double bd = INFINITY;
    for (size_t i = 0; i < imp__districts[k].n_wards; i++) {
        double dx = d->ward_xy[k][2 * i] - x, dy = d->ward_xy[k][2 * i + 1] - y;
        if (dx * dx + dy * dy < bd) {
            bd = dx * dx + dy * dy;
            best = (int)i;
        }
    }
    return best;
}

/* Attributes and the row (gen_binhduong.py write_all zoning_rows). */
static int write_row(imp__demo *d, const imp__pctx *pc, int z, int k, const site *s, double area,
                     double cx, double cy, tl_err *err)
{
    const imp__zone_def *zd = &imp__zones[z];
    int ward = nearest_ward(d, k, cx, cy);
    const char *ward_name = imp__districts[k].wards[ward];
    const char *park = (pc->kind == IMP_PK_PARK_LOT || pc->kind == IMP_PK_PARK_STRIP)
                           ? imp__parks[pc->idx].short_name
                           : NULL;
    double far = zd->far[(size_t)(imp__rng_unif(&d->attr) * (double)zd->n_far)];
    double h = zd->height[(size_t)(imp__rng_unif(&d->attr) * (double)zd->n_height)];
    if ((z == IMP_Z_R2 || z == IMP_Z_C || z == IMP_Z_MX) && s->u < 0.3) {
        far = fmin(far, zd->far[1]); /* lower caps outside the cores */
        h = fmin(h, zd->height[1]);
    }
    double cov = zd->cov[(size_t)(imp__rng_unif(&d->attr) * (double)zd->n_cov)];
    int ref = 100 + (int)(imp__rng_unif(&d->attr) * 4900);
    int day = (int)(imp__rng_unif(&d->attr) * 4200);
    char pid[32], name[192], plan_ref[32], date[11];
    parcel_name(d, pc, z, k, ward_name, park, name, sizeof name);
    uint32_t seq = ++d->seq[k][ward];
    snprintf(pid, sizeof pid, "%d-%02d-%06u", imp__districts[k].code, ward + 1, (unsigned)seq);
    snprintf(plan_ref, sizeof plan_ref, "%d/QĐ-UBND", ref);
    imp__date_str(day, date);
    lyr_value v[14];
    memset(v, 0, sizeof v);
    v[0].s = pid;
    v[1].s = zd->code;
    v[2].s = zd->name;
    v[3].s = name;
    v[4].s = imp__districts[k].name;
    v[5].s = ward_name;
    v[6].d = far;
    v[7].d = h;
    v[8].i = (int64_t)cov;
    v[9].i = h > 0.0 ? (int64_t)rint(h / 3.6) : 0;
    v[10].d = rint(area * 10.0) / 10.0;
    v[11].s = s->planned ? "planned" : "existing";
    v[12].s = plan_ref;
    v[13].s = date;
    if (lyr_writer_add(d->w, d->wkb, d->wkb_len, v, err) < 0)
        return -1;
    d->rep->n_zoning++;
    return 0;
}

int imp__zoning_write(imp__demo *d, const GEOSGeometry *g, const imp__pctx *pc, int k, tl_err *err)
{
    GEOSGeometry *fixed = NULL;
    int repaired = 0;
    if (imp__g_clean(d, g, 0, &fixed, &repaired, err) < 0)
        return -1;
    if (!fixed)
        return 0; /* nothing valid and polygonal left: drop */
    d->rep->n_repaired += (size_t)repaired;
    g = fixed;
    double area, cx, cy;
    int rc = imp__wkb_polygonal(d, g, &area, &cx, &cy, err);
    if (rc < 0 || area < 1.0) {
        GEOSGeom_destroy_r(d->h, fixed);
        return rc;
    }
    site s = {imp__grid_at(&d->grid, d->grid.u, cx, cy),
              imp__grid_at(&d->grid, d->grid.d_road, cx, cy),
              imp__grid_at(&d->grid, d->grid.d_water, cx, cy), 0};
    int z = assign_zone(d, pc, &s);
    int parts = GEOSGetNumGeometries_r(d->h, g);
    if (GEOSGeomTypeId_r(d->h, g) == GEOS_MULTIPOLYGON && parts > 1)
        d->rep->n_multipolygons++;
    rc = write_row(d, pc, z, k, &s, area, cx, cy, err);
    if (rc == 0 && z == IMP_Z_GR && pc->kind == IMP_PK_ORGANIC && s.u > 0.25 && area > 800.0 &&
        area < 300000.0) {
        char name[160];
        snprintf(name, sizeof name, "Công viên khu phố %s",
                 imp__districts[k].wards[nearest_ward(d, k, cx, cy)]);
        rc = imp__green_keep(d, g, name, "neighbourhood_park", k, err);
    }
    GEOSGeom_destroy_r(d->h, fixed);
    return rc;
}
