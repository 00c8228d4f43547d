/* cache.c: the tile cache on disk. A tile is a file DIR/ab/cd/<32 hex digits>.tile named by
 * its 128-bit key (layers, each layer's content version for that tile, style, z/x/y, scale,
 * format), written to a temporary name and renamed, so readers never see half a file and
 * the cache survives restarts and crashes. An in-memory index of (key, size) in LRU order
 * bounds the total size; files found on disk that the index does not know (written by
 * `tiled seed`, or before a restart) join it when first read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
    atomic_ullong hits, misses, evictions;
};

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

srv_cache *srv_cache_open(const char *dir, uint64_t max_bytes, tl_err *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        TL_FAIL(err, TL_ESTORE, "cannot create the tile cache %s: %s", dir, strerror(errno));
        return NULL;
    }
    srv_cache *c = tl_xcalloc(1, sizeof *c);
    c->dir = tl_xstrdup(dir);
    c->max_bytes = max_bytes;
    c->head = c->tail = c->free_head = NO_ENTRY;
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
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, k);
    if (i != NO_ENTRY)
        drop(c, i);
    insert(c, k, len);
    evict(c);
    pthread_mutex_unlock(&c->mu);
}

void srv_cache_stats(srv_cache *c, srv_cache_info *out)
{
    pthread_mutex_lock(&c->mu);
    out->tiles = c->n;
    out->bytes = c->bytes;
    out->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->mu);
    out->hits = atomic_load(&c->hits);
    out->misses = atomic_load(&c->misses);
    out->evictions = atomic_load(&c->evictions);
}
