/* arena.c: chunked bump allocator; the first chunk survives resets. */
#include "tiled/base/tl_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tiled/base/tl_util.h"

struct tl_arena_chunk {
    tl_arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void tl_arena_init(tl_arena *a, size_t chunk_size)
{
    a->_head = NULL;
    a->_chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->_total = 0;
}

static tl_arena_chunk *chunk_new(size_t size, tl_arena_chunk *next)
{
    tl_arena_chunk *c = tl_xmalloc(sizeof *c + size);
    c->next = next;
    c->size = size;
    c->used = 0;
    return c;
}

void *tl_arena_alloc(tl_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n) /* overflow */
        need = SIZE_MAX;
    tl_arena_chunk *c = a->_head;
    if (!c || c->size - c->used < need) {
        if (need > a->_chunk_size / 4) {
            /* big block: its own chunk, placed behind the head so the head keeps filling */
            tl_arena_chunk *big = chunk_new(need, NULL);
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                a->_head = big;
            }
            big->used = need;
            a->_total += need;
            return big->data;
        }
        c = chunk_new(a->_chunk_size, a->_head);
        a->_head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->_total += need;
    return p;
}

void *tl_arena_calloc(tl_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return tl_arena_alloc(a, SIZE_MAX); /* aborts */
    void *p = tl_arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

void *tl_arena_grow(tl_arena *a, void *v, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? 2 * *cap : first;
    if (size && nc > SIZE_MAX / size)
        return tl_arena_alloc(a, SIZE_MAX); /* aborts */
    void *nv = tl_arena_alloc(a, nc * size);
    if (n)
        memcpy(nv, v, n * size);
    *cap = nc;
    return nv;
}

char *tl_arena_strdup(tl_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = tl_arena_alloc(a, n);
    memcpy(d, s, n);
    return d;
}

void tl_arena_reset(tl_arena *a)
{
    tl_arena_chunk *c = a->_head;
    tl_arena_chunk *keep = NULL;
    /* keep the last (oldest) regular-size chunk; free the rest */
    while (c) {
        tl_arena_chunk *next = c->next;
        if (!keep && next == NULL && c->size == a->_chunk_size) {
            keep = c;
        } else {
            free(c);
        }
        c = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->_head = keep;
    a->_total = 0;
}

void tl_arena_free(tl_arena *a)
{
    tl_arena_chunk *c = a->_head;
    while (c) {
        tl_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->_head = NULL;
    a->_total = 0;
}

size_t tl_arena_used(const tl_arena *a)
{
    return a->_total;
}
