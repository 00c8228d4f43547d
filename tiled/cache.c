/* cache.c: the tile cache on disk. A tile is a file DIR/ab/cd/<32 hex digits>.tile named by
 * its 128-bit key (layers, each layer's content version for that tile, style, z/x/y, scale,
 * format), written to a temporary name and renamed, so readers never see half a file and
 * the cache survives restarts and crashes. An in-memory index of (key, size) in LRU order
 * bounds the total size; files found on disk that the index does not know (written by
 * `tiled seed`, or before a restart) join it when first read. The most recently used tiles
 * are also held in memory (a second LRU list over the same entries, its own byte limit):
 * a hit there costs no system call but the send. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

#define NO_ENTRY UINT32_MAX

typedef struct centry {
    srv_tile_key key;
    uint64_t size;
    uint32_t prev, next; /* LRU list: head = most recently used */
    uint32_t hnext;      /* hash chain */
    srv_blob *mem;       /* the bytes, when held in memory */
    uint32_t mprev, mnext; /* LRU list of the entries held in memory */
} centry;

struct srv_cache {
    char *dir;
    uint64_t max_bytes;
    pthread_mutex_t mu;
    centry *e;
    uint32_t n, cap, free_head;
    uint32_t *buckets;
    uint32_t n_buckets;
    uint32_t head, tail;
    uint64_t bytes;
    uint64_t mem_max, mem_bytes;
    uint32_t mem_n, mem_head, mem_tail;
    atomic_ullong hits, misses, evictions;
};

void srv_blob_release(srv_blob *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

static srv_blob *blob_new(size_t len)
{
    srv_blob *b = malloc(sizeof *b + len);
    if (!b)
        return NULL;
    atomic_init(&b->refs, 1);
    b->len = len;
    return b;
}

/* The memory LRU list (mutex held) ------------------------------------------------------ */

static void mem_unlink(srv_cache *c, uint32_t i)
{
    centry *x = &c->e[i];
    if (x->mprev != NO_ENTRY)
        c->e[x->mprev].mnext = x->mnext;
    else
        c->mem_head = x->mnext;
    if (x->mnext != NO_ENTRY)
        c->e[x->mnext].mprev = x->mprev;
    else
        c->mem_tail = x->mprev;
}

static void mem_front(srv_cache *c, uint32_t i)
{
    c->e[i].mprev = NO_ENTRY;
    c->e[i].mnext = c->mem_head;
    if (c->mem_head != NO_ENTRY)
        c->e[c->mem_head].mprev = i;
    c->mem_head = i;
    if (c->mem_tail == NO_ENTRY)
        c->mem_tail = i;
}

/* Let go of entry i's bytes in memory. */
static void mem_drop(srv_cache *c, uint32_t i)
{
    if (!c->e[i].mem)
        return;
    mem_unlink(c, i);
    c->mem_bytes -= c->e[i].mem->len;
    c->mem_n--;
    srv_blob_release(c->e[i].mem);
    c->e[i].mem = NULL;
}

/* Hold `b` (one more reference) as entry i's bytes, then trim to the limit. */
static void mem_attach(srv_cache *c, uint32_t i, srv_blob *b)
{
    if (c->e[i].mem || b->len > c->mem_max / 4)
        return;
    atomic_fetch_add(&b->refs, 1);
    c->e[i].mem = b;
    c->mem_bytes += b->len;
    c->mem_n++;
    mem_front(c, i);
    while (c->mem_bytes > c->mem_max && c->mem_tail != NO_ENTRY)
        mem_drop(c, c->mem_tail);
}

void srv_tile_key_hex(const srv_tile_key *k, char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hx[k->b[i] >> 4];
        out[2 * i + 1] = hx[k->b[i] & 15];
    }
    out[32] = '\0';
}

static void key_path(const srv_cache *c, const srv_tile_key *k, char *out, size_t size)
{
    char h[33];
    srv_tile_key_hex(k, h);
    snprintf(out, size, "%s/%.2s/%.2s/%s.tile", c->dir, h, h + 2, h);
}

static uint32_t bucket_of(const srv_cache *c, const srv_tile_key *k)
{
    uint32_t v;
    memcpy(&v, k->b, sizeof v);
    return v & (c->n_buckets - 1);
}

static uint32_t find(const srv_cache *c, const srv_tile_key *k)
{
    for (uint32_t i = c->buckets[bucket_of(c, k)]; i != NO_ENTRY; i = c->e[i].hnext)
        if (memcmp(c->e[i].key.b, k->b, 16) == 0)
            return i;
    return NO_ENTRY;
}

static void lru_unlink(srv_cache *c, uint32_t i)
{
    centry *x = &c->e[i];
    if (x->prev != NO_ENTRY)
        c->e[x->prev].next = x->next;
    else
        c->head = x->next;
    if (x->next != NO_ENTRY)
        c->e[x->next].prev = x->prev;
    else
        c->tail = x->prev;
}

static void lru_front(srv_cache *c, uint32_t i)
{
    c->e[i].prev = NO_ENTRY;
    c->e[i].next = c->head;
    if (c->head != NO_ENTRY)
        c->e[c->head].prev = i;
    c->head = i;
    if (c->tail == NO_ENTRY)
        c->tail = i;
}

static void rehash(srv_cache *c, uint32_t n_buckets)
{
    free(c->buckets);
    c->n_buckets = n_buckets;
    c->buckets = tl_xmalloc(n_buckets * sizeof *c->buckets);
    memset(c->buckets, 0xff, n_buckets * sizeof *c->buckets);
    for (uint32_t i = c->head; i != NO_ENTRY; i = c->e[i].next) {
        uint32_t b = bucket_of(c, &c->e[i].key);
        c->e[i].hnext = c->buckets[b];
        c->buckets[b] = i;
    }
}

static void insert(srv_cache *c, const srv_tile_key *k, uint64_t size)
{
    uint32_t i;
    if (c->free_head != NO_ENTRY) {
        i = c->free_head;
        c->free_head = c->e[i].hnext;
    } else {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 4096;
            c->e = tl_xrealloc(c->e, c->cap * sizeof *c->e);
        }
        i = c->n++;
    }
    c->e[i].key = *k;
    c->e[i].size = size;
    c->e[i].mem = NULL;
    c->e[i].mprev = c->e[i].mnext = NO_ENTRY;
    lru_front(c, i);
    uint32_t b = bucket_of(c, k);
    c->e[i].hnext = c->buckets[b];
    c->buckets[b] = i;
    c->bytes += size;
    if (c->n > c->n_buckets)
        rehash(c, c->n_buckets * 2);
}

static void drop(srv_cache *c, uint32_t i)
{
    mem_drop(c, i);
    lru_unlink(c, i);
    uint32_t *p = &c->buckets[bucket_of(c, &c->e[i].key)];
    while (*p != i)
        p = &c->e[*p].hnext;
    *p = c->e[i].hnext;
    c->bytes -= c->e[i].size;
    c->e[i].hnext = c->free_head;
    c->free_head = i;
}

/* Evict least recently used tiles until the cache fits (mutex held). */
static void evict(srv_cache *c)
{
    while (c->bytes > c->max_bytes && c->tail != NO_ENTRY) {
        uint32_t i = c->tail;
        char path[4096];
        key_path(c, &c->e[i].key, path, sizeof path);
        unlink(path);
        drop(c, i);
        atomic_fetch_add(&c->evictions, 1);
    }
}

static int parse_hex(const char *s, srv_tile_key *k)
{
    for (int i = 0; i < 32; i++) {
        char ch = s[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (v < 0)
            return -1;
        if (i % 2 == 0)
            k->b[i / 2] = (uint8_t)(v << 4);
        else
            k->b[i / 2] |= (uint8_t)v;
    }
    return strcmp(s + 32, ".tile") == 0 ? 0 : -1;
}

/* Index the files a previous run left (two levels of sub-directories). */
static void scan(srv_cache *c, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        srv_tile_key k;
        struct stat sb;
        if (depth < 2 && strlen(de->d_name) == 2)
            scan(c, p, depth + 1);
        else if (depth == 2 && parse_hex(de->d_name, &k) == 0 && stat(p, &sb) == 0 &&
                 find(c, &k) == NO_ENTRY)
            insert(c, &k, (uint64_t)sb.st_size);
        else if (depth == 2 && strstr(de->d_name, ".tmp"))
            unlink(p); /* a writer died before its rename */
    }
    closedir(d);
}

srv_cache *srv_cache_open(const char *dir, uint64_t max_bytes, uint64_t mem_bytes,
                          tl_err *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        TL_FAIL(err, TL_ESTORE, "cannot create the tile cache %s: %s", dir, strerror(errno));
        return NULL;
    }
    srv_cache *c = tl_xcalloc(1, sizeof *c);
    c->dir = tl_xstrdup(dir);
    c->max_bytes = max_bytes;
    c->mem_max = mem_bytes;
    c->head = c->tail = c->free_head = NO_ENTRY;
    c->mem_head = c->mem_tail = NO_ENTRY;
    pthread_mutex_init(&c->mu, NULL);
    rehash(c, 4096);
    double t0 = tl_now();
    scan(c, dir, 0);
    evict(c);
    TL_INFO("tile cache %s: %u tiles, %.1f MB (limit %.0f MB), indexed in %.2f s", dir,
            c->n - 0, (double)c->bytes / 1e6, (double)max_bytes / 1e6, tl_now() - t0);
    return c;
}

void srv_cache_close(srv_cache *c)
{
    if (!c)
        return;
    while (c->mem_head != NO_ENTRY)
        mem_drop(c, c->mem_head);
    pthread_mutex_destroy(&c->mu);
    free(c->e);
    free(c->buckets);
    free(c->dir);
    free(c);
}

int srv_cache_get(srv_cache *c, const srv_tile_key *k, uint64_t *size)
{
    char path[4096];
    key_path(c, k, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) != 0) {
        close(fd);
        fd = -1;
    }
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, k);
    if (fd < 0) {
        if (i != NO_ENTRY) /* removed behind our back */
            drop(c, i);
    } else if (i != NO_ENTRY) {
        lru_unlink(c, i);
        lru_front(c, i);
    } else {
        insert(c, k, (uint64_t)sb.st_size); /* seeded by another process */
        evict(c);
    }
    pthread_mutex_unlock(&c->mu);
    atomic_fetch_add(fd >= 0 ? &c->hits : &c->misses, 1);
    if (fd >= 0)
        *size = (uint64_t)sb.st_size;
    return fd;
}

srv_blob *srv_cache_get_blob(srv_cache *c, const srv_tile_key *k)
{
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, k);
    if (i != NO_ENTRY && c->e[i].mem) {
        srv_blob *b = c->e[i].mem;
        atomic_fetch_add(&b->refs, 1);
        lru_unlink(c, i);
        lru_front(c, i);
        mem_unlink(c, i);
        mem_front(c, i);
        pthread_mutex_unlock(&c->mu);
        atomic_fetch_add(&c->hits, 1);
        return b;
    }
    pthread_mutex_unlock(&c->mu);
    /* not in memory: read the file (srv_cache_get does the bookkeeping of a disk hit) */
    uint64_t size;
    int fd = srv_cache_get(c, k, &size);
    if (fd < 0)
        return NULL;
    srv_blob *b = size <= SIZE_MAX - sizeof *b ? blob_new((size_t)size) : NULL;
    size_t got = 0;
    while (b && got < b->len) {
        ssize_t r = pread(fd, b->data + got, b->len - got, (off_t)got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    if (!b || got != b->len) { /* shrunk or unreadable behind our back: a miss */
        free(b);
        return NULL;
    }
    if (c->mem_max) {
        pthread_mutex_lock(&c->mu);
        i = find(c, k);
        if (i != NO_ENTRY && c->e[i].size == b->len)
            mem_attach(c, i, b);
        pthread_mutex_unlock(&c->mu);
    }
    return b;
}

void srv_cache_put(srv_cache *c, const srv_tile_key *k, const void *data, size_t len)
{
    char path[4096], tmp[4200];
    key_path(c, k, path, sizeof path);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char *mid = strrchr(path, '/');
    *mid = '\0';
    (void)mkdir(path, 0755);
    *mid = '/';
    (void)mkdir(path, 0755);
    *slash = '/';
    snprintf(tmp, sizeof tmp, "%s.%lu.tmp", path, (unsigned long)pthread_self());
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        if (f)
            fclose(f);
        unlink(tmp);
        return; /* a full disk costs a re-render, nothing more */
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return;
    }
    srv_blob *b = c->mem_max ? blob_new(len) : NULL;
    if (b)
        memcpy(b->data, data, len);
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, k);
    if (i != NO_ENTRY)
        drop(c, i);
    insert(c, k, len);
    evict(c);
    i = find(c, k); /* evict() may have dropped it again (a tile above the limit) */
    if (b && i != NO_ENTRY)
        mem_attach(c, i, b);
    pthread_mutex_unlock(&c->mu);
    srv_blob_release(b);
}

void srv_cache_stats(srv_cache *c, srv_cache_info *out)
{
    pthread_mutex_lock(&c->mu);
    out->tiles = c->n;
    out->bytes = c->bytes;
    out->max_bytes = c->max_bytes;
    out->mem_tiles = c->mem_n;
    out->mem_bytes = c->mem_bytes;
    out->mem_max_bytes = c->mem_max;
    pthread_mutex_unlock(&c->mu);
    out->hits = atomic_load(&c->hits);
    out->misses = atomic_load(&c->misses);
    out->evictions = atomic_load(&c->evictions);
}
