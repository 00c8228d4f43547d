/* rtree.c: a packed, static Hilbert R-tree over feature bounding boxes.
 * Built once per snapshot, never modified, so readers need no locks. */
#include <stdlib.h>
#include <string.h>

#include "layers/layers_int.h"
#include "tiled/base/tl_util.h"

/* Hilbert index of (x, y) in a 2^16 grid (public-domain bit-twiddling formulation). */
static uint32_t hilbert(uint32_t x, uint32_t y)
{
    uint32_t a = x ^ y, b = 0xFFFF ^ a, c = 0xFFFF ^ (x | y), d = x & (y ^ 0xFFFF);
    uint32_t A = a | (b >> 1), B = (a >> 1) ^ a;
    uint32_t C = ((c >> 1) ^ (b & (d >> 1))) ^ c, D = ((a & (c >> 1)) ^ (d >> 1)) ^ d;
    a = A; b = B; c = C; d = D;
    A = (a & (a >> 2)) ^ (b & (b >> 2));
    B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
    C ^= (a & (c >> 2)) ^ (b & (d >> 2));
    D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));
    a = A; b = B; c = C; d = D;
    A = (a & (a >> 4)) ^ (b & (b >> 4));
    B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
    C ^= (a & (c >> 4)) ^ (b & (d >> 4));
    D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));
    a = A; b = B; c = C; d = D;
    C ^= (a & (c >> 8)) ^ (b & (d >> 8));
    D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));
    a = C ^ (C >> 1);
    b = D ^ (D >> 1);
    uint32_t i0 = x ^ y, i1 = b | (0xFFFF ^ (i0 | a));
    i0 = (i0 | (i0 << 8)) & 0x00FF00FF; i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F;
    i0 = (i0 | (i0 << 2)) & 0x33333333; i0 = (i0 | (i0 << 1)) & 0x55555555;
    i1 = (i1 | (i1 << 8)) & 0x00FF00FF; i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F;
    i1 = (i1 | (i1 << 2)) & 0x33333333; i1 = (i1 | (i1 << 1)) & 0x55555555;
    return (i1 << 1) | i0;
}

typedef struct {
    uint32_t h;
    uint32_t id;
} hkey;

static int cmp_hkey(const void *pa, const void *pb)
{
    const hkey *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static void bbox_grow(tl_bbox *a, const tl_bbox *b)
{
    if (b->minx < a->minx) a->minx = b->minx;
    if (b->miny < a->miny) a->miny = b->miny;
    if (b->maxx > a->maxx) a->maxx = b->maxx;
    if (b->maxy > a->maxy) a->maxy = b->maxy;
}

void lyr__rtree_build(lyr_rtree *t, const tl_bbox *bboxes, size_t n)
{
    memset(t, 0, sizeof *t);
    t->n_items = n;
    if (n == 0)
        return;
    /* total boxes over all levels */
    size_t total = n, cnt = n;
    while (cnt > 1) {
        cnt = (cnt + LYR_RTREE_NODE - 1) / LYR_RTREE_NODE;
        total += cnt;
    }
    t->n_nodes = total;
    t->boxes = tl_xmalloc(total * sizeof *t->boxes);
    t->index = tl_xmalloc(total * sizeof *t->index);

    tl_bbox ext = bboxes[0];
    for (size_t i = 1; i < n; i++)
        bbox_grow(&ext, &bboxes[i]);
    double w = ext.maxx - ext.minx, h = ext.maxy - ext.miny;
    hkey *keys = tl_xmalloc(n * sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        double cx = (bboxes[i].minx + bboxes[i].maxx) / 2, cy = (bboxes[i].miny + bboxes[i].maxy) / 2;
        uint32_t hx = w > 0 ? (uint32_t)(65535.0 * (cx - ext.minx) / w) : 0;
        uint32_t hy = h > 0 ? (uint32_t)(65535.0 * (cy - ext.miny) / h) : 0;
        keys[i].h = hilbert(hx, hy);
        keys[i].id = (uint32_t)i;
    }
    qsort(keys, n, sizeof *keys, cmp_hkey);
    for (size_t i = 0; i < n; i++) {
        t->boxes[i] = bboxes[keys[i].id];
        t->index[i] = keys[i].id;
    }
    free(keys);

    size_t start = 0, end = n, pos = n;
    t->level_end[t->n_levels++] = n;
    while (end - start > 1) {
        for (size_t i = start; i < end; i += LYR_RTREE_NODE) {
            tl_bbox b = t->boxes[i];
            size_t stop = i + LYR_RTREE_NODE < end ? i + LYR_RTREE_NODE : end;
            for (size_t j = i + 1; j < stop; j++)
                bbox_grow(&b, &t->boxes[j]);
            t->boxes[pos] = b;
            t->index[pos] = (uint32_t)i;
            pos++;
        }
        start = end;
        end = pos;
        t->level_end[t->n_levels++] = end;
    }
}

void lyr__rtree_free(lyr_rtree *t)
{
    free(t->boxes);
    free(t->index);
    memset(t, 0, sizeof *t);
}

static int overlaps(const tl_bbox *a, const tl_bbox *b)
{
    return a->minx <= b->maxx && b->minx <= a->maxx && a->miny <= b->maxy && b->miny <= a->maxy;
}

int lyr__rtree_search(const lyr_rtree *t, const tl_bbox *q, int (*visit)(void *ud, uint32_t id),
                      void *ud)
{
    if (t->n_items == 0 || !overlaps(q, &t->boxes[t->n_nodes - 1]))
        return 0;
    /* explicit stack of (node position, level); depth * fan-out bounds its size */
    size_t stack_pos[32 * LYR_RTREE_NODE];
    int stack_lvl[32 * LYR_RTREE_NODE];
    int sp = 0;
    stack_pos[sp] = t->n_nodes - 1;
    stack_lvl[sp] = t->n_levels - 1;
    sp++;
    while (sp > 0) {
        sp--;
        size_t node = stack_pos[sp];
        int lvl = stack_lvl[sp];
        if (lvl == 0) { /* a leaf item, already known to overlap */
            int rc = visit(ud, t->index[node]);
            if (rc)
                return rc;
            continue;
        }
        size_t first = t->index[node];
        size_t level_stop = t->level_end[lvl - 1];
        size_t stop = first + LYR_RTREE_NODE < level_stop ? first + LYR_RTREE_NODE : level_stop;
        for (size_t c = first; c < stop; c++) {
            if (!overlaps(q, &t->boxes[c]))
                continue;
            stack_pos[sp] = c;
            stack_lvl[sp] = lvl - 1;
            sp++;
        }
    }
    return 0;
}
