/* tl_arena.h: a bump allocator for request- and job-scoped memory (h2o mem pool).
 * Nothing allocated from an arena is freed piece by piece; tl_arena_reset frees all.
 * An arena is per-thread: never share one between threads. */
#ifndef TL_ARENA_H
#define TL_ARENA_H

#include <stddef.h>

typedef struct tl_arena_chunk tl_arena_chunk;

typedef struct tl_arena {
    tl_arena_chunk *_head;  /* current chunk; chunks form a list */
    size_t _chunk_size;     /* default chunk size */
    size_t _total;          /* bytes handed out since the last reset */
} tl_arena;

/** Initialise with a default chunk size (0 picks 64 KiB). No allocation yet. */
void tl_arena_init(tl_arena *a, size_t chunk_size);
/** Return `n` bytes aligned to 16, or abort on OOM (callers check input sizes first).
 *  Valid until the next reset or free. */
void *tl_arena_alloc(tl_arena *a, size_t n);
/** Zeroed allocation. */
void *tl_arena_calloc(tl_arena *a, size_t count, size_t size);
/** Room for one more element in a growing arena array: `v` itself when n < *cap, else a
 *  copy of its n elements (of `size` bytes) in a new array of twice the capacity
 *  (`first` for an empty one), *cap updated. */
void *tl_arena_grow(tl_arena *a, void *v, size_t n, size_t *cap, size_t size, size_t first);
/** Copy a string into the arena. */
char *tl_arena_strdup(tl_arena *a, const char *s);
/** Free everything but the first chunk, which is kept for the next request. */
void tl_arena_reset(tl_arena *a);
/** Free everything. The arena may be re-initialised. */
void tl_arena_free(tl_arena *a);
/** Bytes handed out since the last reset. */
size_t tl_arena_used(const tl_arena *a);

#endif
