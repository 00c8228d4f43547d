/* snapshot.c: loading a layer version into an immutable in-memory snapshot (coordinates
 * pre-projected to EPSG:3857, attribute columns, interned strings, packed R-tree) and the
 * read-only accessors the serving path uses. */
#include <cpl_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_util.h"

/* Growable arrays used while loading ------------------------------------------ */

typedef struct {
    void *p;
    size_t n, cap, elem;
} vec;

static void *vec_push(vec *v, size_t count)
{
    if (v->n + count > v->cap) {
        size_t cap = v->cap ? v->cap : 1024;
        while (cap < v->n + count)
            cap *= 2;
        v->p = tl_xrealloc(v->p, cap * v->elem);
        v->cap = cap;
    }
    void *at = (char *)v->p + v->n * v->elem;
    v->n += count;
    return at;
}

/* String interning: open addressing over offsets into the pool ----------------- */

typedef struct {
    vec pool;       /* char */
    uint32_t *slot; /* offset + 1, 0 = empty */
    size_t n_slots, n_used;
} interner;

static uint64_t fnv1a(const char *s, size_t n)
{
    return tl_fnv1a(TL_FNV_OFFSET, s, n);
}

static void intern_rehash(interner *in)
{
    size_t ns = in->n_slots ? in->n_slots * 2 : 4096;
    uint32_t *slot = tl_xcalloc(ns, sizeof *slot);
    for (size_t i = 0; i < in->n_slots; i++) {
        if (!in->slot[i])
            continue;
        const char *s = (const char *)in->pool.p + in->slot[i] - 1;
        size_t j = fnv1a(s, strlen(s)) & (ns - 1);
        while (slot[j])
            j = (j + 1) & (ns - 1);
        slot[j] = in->slot[i];
    }
    free(in->slot);
    in->slot = slot;
    in->n_slots = ns;
}

static uint32_t intern(interner *in, const char *s, tl_err *err)
{
    size_t len = strlen(s);
    if ((in->n_used + 1) * 2 > in->n_slots)
        intern_rehash(in);
    size_t j = fnv1a(s, len) & (in->n_slots - 1);
    while (in->slot[j]) {
        const char *t = (const char *)in->pool.p + in->slot[j] - 1;
        if (strcmp(t, s) == 0)
            return in->slot[j] - 1;
        j = (j + 1) & (in->n_slots - 1);
    }
    if (in->pool.n + len + 1 >= UINT32_MAX - 1) {
        TL_FAIL(err, TL_ETOOBIG, "attribute text exceeds 4 GiB");
        return LYR_NO_STR;
    }
    uint32_t off = (uint32_t)in->pool.n;
    memcpy(vec_push(&in->pool, len + 1), s, len + 1);
    in->slot[j] = off + 1;
    in->n_used++;
    return off;
}

/* WKB -> parts of EPSG:3857 coordinates ------------------------------------------ */

typedef struct {
    const unsigned char *p, *end;
    vec *part_start, *ring_outer, *xy;
    lyr_geom_kind want;
    tl_bbox *bb;
} wkb_rd;

static int rd_u32(wkb_rd *r, int le, uint32_t *v)
{
    if (r->end - r->p < 4)
        return -1;
    const unsigned char *b = r->p;
    *v = le ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
            : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
    r->p += 4;
    return 0;
}

static double rd_f64(const unsigned char *b, int le)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)b[le ? i : 7 - i] << (8 * i);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* `n` coordinates: projected, appended to xy, as a new part. */
static int rd_coords(wkb_rd *r, int le, int dims, uint32_t n, int outer)
{
    if ((size_t)(r->end - r->p) / (8u * (unsigned)dims) < n)
        return -1;
    *(uint32_t *)vec_push(r->part_start, 1) = (uint32_t)(r->xy->n / 2);
    if (r->want == LYR_GEOM_POLYGON)
        *(uint8_t *)vec_push(r->ring_outer, 1) = (uint8_t)outer;
    double *xy = vec_push(r->xy, 2 * (size_t)n);
    tl_bbox *b = r->bb;
    for (uint32_t i = 0; i < n; i++) {
        double *c = &xy[2 * i];
        tl_lonlat_to_merc(rd_f64(r->p, le), rd_f64(r->p + 8, le), &c[0], &c[1]);
        r->p += 8 * dims;
        if (c[0] < b->minx) b->minx = c[0];
        if (c[0] > b->maxx) b->maxx = c[0];
        if (c[1] < b->miny) b->miny = c[1];
        if (c[1] > b->maxy) b->maxy = c[1];
    }
    return 0;
}

/* A counted point sequence (linestring or ring). */
static int rd_points(wkb_rd *r, int le, int dims, int outer)
{
    uint32_t n;
    if (rd_u32(r, le, &n) != 0)
        return -1;
    return rd_coords(r, le, dims, n, outer);
}

static int rd_geom(wkb_rd *r, int depth)
{
    if (depth > 8 || r->end - r->p < 5)
        return -1;
    int le = *r->p++ == 1;
    uint32_t type;
    if (rd_u32(r, le, &type) != 0)
        return -1;
    int dims = 2;
    if (type & 0x80000000u) dims++; /* EWKB Z */
    if (type & 0x40000000u) dims++; /* EWKB M */
    type &= 0x0FFFFFFFu;
    if (type >= 3000) { dims = 4; type -= 3000; }
    else if (type >= 2000) { dims = 3; type -= 2000; }
    else if (type >= 1000) { dims = 3; type -= 1000; }
    uint32_t n;
    switch (type) {
    case 1: /* point: a part of one vertex */
        if ((size_t)(r->end - r->p) < 8u * (unsigned)dims)
            return -1;
        if (r->want != LYR_GEOM_POINT) {
            r->p += 8 * dims;
            return 0;
        }
        return rd_coords(r, le, dims, 1, 0);
    case 2: /* linestring */
        return r->want == LYR_GEOM_LINE ? rd_points(r, le, dims, 0) : 0;
    case 3: /* polygon */
        if (rd_u32(r, le, &n) != 0)
            return -1;
        for (uint32_t i = 0; i < n; i++) {
            if (r->want == LYR_GEOM_POLYGON) {
                if (rd_points(r, le, dims, i == 0) != 0)
                    return -1;
            } else { /* skip the ring */
                uint32_t k;
                if (rd_u32(r, le, &k) != 0 || (size_t)(r->end - r->p) / (8u * (unsigned)dims) < k)
                    return -1;
                r->p += (size_t)k * 8u * (unsigned)dims;
            }
        }
        return 0;
    case 4: case 5: case 6: case 7: /* multi*, collection */
        if (rd_u32(r, le, &n) != 0)
            return -1;
        for (uint32_t i = 0; i < n; i++)
            if (rd_geom(r, depth + 1) != 0)
                return -1;
        return 0;
    default:
        return -1;
    }
}

/* Loading ------------------------------------------------------------------------ */

typedef struct {
    vec fid, feat_part, part_start, ring_outer, xy, bbox;
    vec *col_i, *col_d, *col_s, *col_null; /* per field */
    interner strs;
} loader;

static void load_attrs(loader *L, lyr_snapshot *s, OGRFeatureH f, tl_err *err)
{
    for (size_t k = 0; k < s->n_fields; k++) {
        int fi = (int)k;
        int isnull = !OGR_F_IsFieldSetAndNotNull(f, fi);
        switch (s->cols[k].def.type) {
        case LYR_FIELD_INT:
            *(int64_t *)vec_push(&L->col_i[k], 1) = isnull ? 0 : OGR_F_GetFieldAsInteger64(f, fi);
            *(uint8_t *)vec_push(&L->col_null[k], 1) = (uint8_t)isnull;
            break;
        case LYR_FIELD_REAL:
            *(double *)vec_push(&L->col_d[k], 1) = isnull ? 0 : OGR_F_GetFieldAsDouble(f, fi);
            *(uint8_t *)vec_push(&L->col_null[k], 1) = (uint8_t)isnull;
            break;
        case LYR_FIELD_DATE: {
            int y, m, d, hh, mm, tz;
            float ss;
            char buf[16];
            uint32_t off = LYR_NO_STR;
            if (!isnull && OGR_F_GetFieldAsDateTimeEx(f, fi, &y, &m, &d, &hh, &mm, &ss, &tz)) {
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
                off = intern(&L->strs, buf, err);
            }
            *(uint32_t *)vec_push(&L->col_s[k], 1) = off;
            break;
        }
        default:
            *(uint32_t *)vec_push(&L->col_s[k], 1) =
                isnull ? LYR_NO_STR : intern(&L->strs, OGR_F_GetFieldAsString(f, fi), err);
        }
    }
}

static lyr_field_type field_type(OGRFieldType t)
{
    switch (t) {
    case OFTInteger: case OFTInteger64: return LYR_FIELD_INT;
    case OFTReal: return LYR_FIELD_REAL;
    case OFTDate: return LYR_FIELD_DATE;
    default: return LYR_FIELD_STRING;
    }
}

static void vec_init_all(loader *L, size_t nf)
{
    memset(L, 0, sizeof *L);
    L->fid.elem = sizeof(int64_t);
    L->feat_part.elem = L->part_start.elem = sizeof(uint32_t);
    L->ring_outer.elem = 1;
    L->xy.elem = sizeof(double);
    L->bbox.elem = sizeof(tl_bbox);
    L->col_i = tl_xcalloc(nf + 1, sizeof(vec));
    L->col_d = tl_xcalloc(nf + 1, sizeof(vec));
    L->col_s = tl_xcalloc(nf + 1, sizeof(vec));
    L->col_null = tl_xcalloc(nf + 1, sizeof(vec));
    for (size_t k = 0; k < nf; k++) {
        L->col_i[k].elem = sizeof(int64_t);
        L->col_d[k].elem = sizeof(double);
        L->col_s[k].elem = sizeof(uint32_t);
        L->col_null[k].elem = 1;
    }
    L->strs.pool.elem = 1;
}

static int read_features(loader *L, lyr_snapshot *s, OGRLayerH lyr, tl_err *err)
{
    vec wkb = {.elem = 1};
    OGRFeatureH f;
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (s->n >= UINT32_MAX - 1) {
            OGR_F_Destroy(f);
            TL_FAIL(err, TL_ETOOBIG, "more than 4 billion features");
            break;
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        tl_bbox bb = {1e300, 1e300, -1e300, -1e300};
        *(uint32_t *)vec_push(&L->feat_part, 1) = (uint32_t)L->part_start.n;
        if (g && !OGR_G_IsEmpty(g)) {
            size_t sz = (size_t)OGR_G_WkbSize(g);
            wkb.n = 0;
            unsigned char *buf = vec_push(&wkb, sz);
            OGR_G_ExportToIsoWkb(g, wkbNDR, buf);
            wkb_rd r = {buf, buf + sz, &L->part_start, &L->ring_outer, &L->xy, s->kind, &bb};
            if (rd_geom(&r, 0) != 0)
                TL_FAIL(err, TL_ESTORE, "feature %lld: unreadable geometry",
                        (long long)OGR_F_GetFID(f));
        }
        if (bb.minx > bb.maxx) /* empty: a degenerate box that no query overlaps */
            bb = (tl_bbox){1e300, 1e300, 1e300, 1e300};
        *(tl_bbox *)vec_push(&L->bbox, 1) = bb;
        *(int64_t *)vec_push(&L->fid, 1) = OGR_F_GetFID(f);
        load_attrs(L, s, f, err);
        OGR_F_Destroy(f);
        s->n++;
        if (err && err->code != TL_OK)
            break;
    }
    free(wkb.p);
    return err && err->code != TL_OK ? -1 : 0;
}

/* Move the loader's arrays into the snapshot. */
static void finish(loader *L, lyr_snapshot *s)
{
    *(uint32_t *)vec_push(&L->feat_part, 1) = (uint32_t)L->part_start.n;
    s->n_parts = L->part_start.n;
    *(uint32_t *)vec_push(&L->part_start, 1) = (uint32_t)(L->xy.n / 2);
    s->n_points = L->xy.n / 2;
    s->fid = L->fid.p;
    s->feat_part = L->feat_part.p;
    s->part_start = L->part_start.p;
    s->ring_outer = L->ring_outer.p;
    s->xy = L->xy.p;
    s->bbox = L->bbox.p;
    s->bytes = L->fid.n * 8 + L->feat_part.n * 4 + L->part_start.n * 4 + L->ring_outer.n +
               L->xy.n * 8 + L->bbox.n * sizeof(tl_bbox);
    for (size_t k = 0; k < s->n_fields; k++) {
        s->cols[k].i = L->col_i[k].p;
        s->cols[k].d = L->col_d[k].p;
        s->cols[k].s = L->col_s[k].p;
        s->cols[k].null = L->col_null[k].p;
        s->bytes += L->col_i[k].n * 8 + L->col_d[k].n * 8 + L->col_s[k].n * 4 + L->col_null[k].n;
    }
    s->strpool = L->strs.pool.p;
    s->strpool_len = L->strs.pool.n;
    s->bytes += L->strs.pool.n;
    free(L->strs.slot);
    free(L->col_i);
    free(L->col_d);
    free(L->col_s);
    free(L->col_null);
    s->extent = (tl_bbox){1e300, 1e300, -1e300, -1e300};
    for (size_t i = 0; i < s->n; i++) {
        if (s->bbox[i].minx > s->bbox[i].maxx || s->bbox[i].minx >= 1e300)
            continue;
        if (s->bbox[i].minx < s->extent.minx) s->extent.minx = s->bbox[i].minx;
        if (s->bbox[i].miny < s->extent.miny) s->extent.miny = s->bbox[i].miny;
        if (s->bbox[i].maxx > s->extent.maxx) s->extent.maxx = s->bbox[i].maxx;
        if (s->bbox[i].maxy > s->extent.maxy) s->extent.maxy = s->bbox[i].maxy;
    }
    lyr__rtree_build(&s->rtree, s->bbox, s->n);
    s->bytes += s->rtree.n_nodes * (sizeof(tl_bbox) + 4);
}

static void loader_discard(loader *L, size_t nf)
{
    free(L->fid.p); free(L->feat_part.p); free(L->part_start.p); free(L->ring_outer.p);
    free(L->xy.p); free(L->bbox.p); free(L->strs.pool.p); free(L->strs.slot);
    for (size_t k = 0; k < nf; k++) {
        free(L->col_i[k].p); free(L->col_d[k].p); free(L->col_s[k].p); free(L->col_null[k].p);
    }
    free(L->col_i); free(L->col_d); free(L->col_s); free(L->col_null);
}

static atomic_uint_least64_t snapshot_serial;

lyr_snapshot *lyr_snapshot_load(lyr_store *st, const char *layer, tl_err *err)
{
    char table[LYR_NAME_MAX + 16];
    int version;
    if (lyr__current_table(st, layer, table, sizeof table, &version, err) != 0)
        return NULL;
    OGRLayerH lyr = GDALDatasetGetLayerByName(st->ds, table);
    if (!lyr) {
        TL_FAIL(err, TL_ESTORE, "layer %s: version table %s is missing", layer, table);
        return NULL;
    }
    lyr_snapshot *s = tl_xcalloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    atomic_init(&s->overlap_flags, NULL);
    atomic_init(&s->n_overlapping, 0);
    s->name = tl_xstrdup(layer);
    s->version = version;
    s->serial = atomic_fetch_add_explicit(&snapshot_serial, 1, memory_order_relaxed) + 1;
    OGRwkbGeometryType gt = wkbFlatten(OGR_L_GetGeomType(lyr));
    s->kind = gt == wkbPoint || gt == wkbMultiPoint          ? LYR_GEOM_POINT
              : gt == wkbLineString || gt == wkbMultiLineString ? LYR_GEOM_LINE
                                                                : LYR_GEOM_POLYGON;
    if (gt == wkbUnknown) { /* mixed or undeclared: the catalog says */
        lyr_layer_info *li = NULL;
        size_t nl = 0;
        if (lyr_store_list(st, &li, &nl, NULL) == 0)
            for (size_t i = 0; i < nl; i++)
                if (strcmp(li[i].name, layer) == 0 && li[i].kind)
                    s->kind = li[i].kind;
        free(li);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    s->n_fields = (size_t)OGR_FD_GetFieldCount(defn);
    s->cols = tl_xcalloc(s->n_fields + 1, sizeof *s->cols);
    for (size_t k = 0; k < s->n_fields; k++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, (int)k);
        s->cols[k].def.name = tl_xstrdup(OGR_Fld_GetNameRef(fd));
        s->cols[k].def.type = field_type(OGR_Fld_GetType(fd));
    }
    loader L;
    vec_init_all(&L, s->n_fields);
    if (read_features(&L, s, lyr, err) != 0) {
        loader_discard(&L, s->n_fields);
        tl_err_prefix(err, "layer %s: ", layer);
        lyr_snapshot_release(s);
        return NULL;
    }
    finish(&L, s);
    return s;
}

lyr_snapshot *lyr_snapshot_acquire(lyr_snapshot *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void lyr_snapshot_release(lyr_snapshot *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t k = 0; k < s->n_fields; k++) {
        free((char *)s->cols[k].def.name);
        free(s->cols[k].i);
        free(s->cols[k].d);
        free(s->cols[k].s);
        free(s->cols[k].null);
    }
    free(s->cols);
    free(s->name);
    free(s->fid);
    free(s->feat_part);
    free(s->part_start);
    free(s->ring_outer);
    free(s->xy);
    free(s->bbox);
    free(s->strpool);
    lyr__rtree_free(&s->rtree);
    free(atomic_load(&s->overlap_flags));
    free(s);
}

/* Accessors ---------------------------------------------------------------------- */

const char *lyr_snapshot_name(const lyr_snapshot *s) { return s->name; }
int lyr_snapshot_version(const lyr_snapshot *s) { return s->version; }
uint64_t lyr_snapshot_serial(const lyr_snapshot *s) { return s->serial; }
lyr_geom_kind lyr_snapshot_kind(const lyr_snapshot *s) { return s->kind; }
size_t lyr_snapshot_count(const lyr_snapshot *s) { return s->n; }
tl_bbox lyr_snapshot_extent(const lyr_snapshot *s) { return s->extent; }
size_t lyr_snapshot_n_fields(const lyr_snapshot *s) { return s->n_fields; }
size_t lyr_snapshot_bytes(const lyr_snapshot *s) { return s->bytes; }
int64_t lyr_snapshot_fid(const lyr_snapshot *s, uint32_t id) { return s->fid[id]; }

const lyr_field_def *lyr_snapshot_field(const lyr_snapshot *s, size_t i)
{
    return i < s->n_fields ? &s->cols[i].def : NULL;
}

int lyr_snapshot_field_index(const lyr_snapshot *s, const char *name)
{
    for (size_t k = 0; k < s->n_fields; k++)
        if (strcmp(s->cols[k].def.name, name) == 0)
            return (int)k;
    return -1;
}

void lyr_snapshot_geom(const lyr_snapshot *s, uint32_t id, lyr_geom_view *out)
{
    uint32_t p0 = s->feat_part[id], p1 = s->feat_part[id + 1];
    out->kind = s->kind;
    out->n_parts = p1 - p0;
    out->part_start = s->part_start + p0;
    out->ring_outer = s->ring_outer ? s->ring_outer + p0 : NULL;
    out->xy = s->xy;
    out->bbox = s->bbox[id];
}

void lyr_snapshot_value(const lyr_snapshot *s, uint32_t id, int field, lyr_value *out)
{
    memset(out, 0, sizeof *out);
    if (field < 0 || (size_t)field >= s->n_fields) {
        out->is_null = 1;
        return;
    }
    const lyr_column *c = &s->cols[field];
    switch (c->def.type) {
    case LYR_FIELD_INT:
        out->is_null = c->null[id];
        out->i = c->i[id];
        out->d = (double)c->i[id];
        break;
    case LYR_FIELD_REAL:
        out->is_null = c->null[id];
        out->d = c->d[id];
        break;
    default:
        out->is_null = c->s[id] == LYR_NO_STR;
        out->s = out->is_null ? NULL : s->strpool + c->s[id];
    }
}

const char *lyr_snapshot_str(const lyr_snapshot *s, uint32_t id, int field)
{
    if (field < 0 || (size_t)field >= s->n_fields || !s->cols[field].s)
        return NULL;
    uint32_t off = s->cols[field].s[id];
    return off == LYR_NO_STR ? NULL : s->strpool + off;
}

int lyr_snapshot_str_key(const lyr_snapshot *s, uint32_t id, int field, uint32_t *key)
{
    if (field < 0 || (size_t)field >= s->n_fields || !s->cols[field].s)
        return 0;
    *key = s->cols[field].s[id]; /* interned: one offset per distinct string */
    return 1;
}

/* Queries ------------------------------------------------------------------------ */

typedef struct {
    const lyr_snapshot *s;
    const tl_bbox *q;
    uint32_t *ids;
    size_t n, max;
} hit_ctx;

static int collect(void *ud, uint32_t id)
{
    hit_ctx *h = ud;
    if (h->n == h->max)
        return 1;
    h->ids[h->n++] = id;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Put the hits in feature order. A tile's query returns thousands of ids (a z10 tile of
 * the medium demo, 40,000 of 100,120): marking them in a bitmap of the layer and reading
 * it back costs n/64 word reads and beats qsort by far (callgrind, that tile: qsort was
 * 10 % of the render). Sparse hits keep qsort. */
static size_t sort_ids(const lyr_snapshot *s, uint32_t *ids, size_t n, tl_arena *a)
{
    size_t words = (s->n + 63) / 64;
    if (n < 64 || words > 4 * n) {
        qsort(ids, n, sizeof *ids, cmp_u32);
        return n;
    }
    uint64_t *bits = tl_arena_calloc(a, words, sizeof *bits);
    for (size_t i = 0; i < n; i++)
        bits[ids[i] >> 6] |= UINT64_C(1) << (ids[i] & 63);
    size_t k = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1)
            ids[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
    return k; /* the index lists each feature once, so k == n */
}

int lyr_snapshot_query_bbox(const lyr_snapshot *s, const tl_bbox *bb, tl_arena *a,
                            size_t max_hits, uint32_t **ids, size_t *n, tl_err *err)
{
    size_t cap = max_hits < s->n ? max_hits : s->n;
    hit_ctx h = {s, bb, tl_arena_alloc(a, (cap + 1) * sizeof(uint32_t)), 0, cap};
    if (lyr__rtree_search(&s->rtree, bb, collect, &h) != 0 && h.n >= max_hits) {
        TL_FAIL(err, TL_ETOOBIG, "layer %s: more than %zu features in the requested area",
                s->name, max_hits);
        return -1;
    }
    *ids = h.ids;
    *n = sort_ids(s, h.ids, h.n, a);
    return 0;
}
