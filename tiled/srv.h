/* srv.h: the daemon's internal interfaces: server context, requests, responses, services.
 * Only files of tiled/ include this. */
#ifndef SRV_H
#define SRV_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "layers/layers.h"
#include "styles/styles.h"
#include "tiled/base/tl_arena.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_err.h"

#define SRV_MAX_LAYERS_PER_TILE 16
#define SRV_MAX_TILE_BYTES (16u << 20)

typedef struct srv_static srv_static;     /* the web viewer's files */
typedef struct srv_registry srv_registry; /* the layers being served */

/** What changed from version `base` to `version` of a layer (changes.c). */
typedef struct srv_change {
    int version;
    int base;       /* the version it is compared with (version - 1 unless skipped) */
    int full;       /* everything (unknown, or too many boxes) */
    size_t n;
    tl_bbox *boxes; /* EPSG:3857 bboxes of the features added, removed or modified */
} srv_change;

/** The known changes of a layer's versions; immutable, refcounted. */
typedef struct srv_changelog {
    atomic_int refs;
    srv_change *v;
    size_t n;
} srv_changelog;

/** A served layer: one version's snapshot and the style to draw it with, taken and
 *  dropped together (refcounted, immutable). */
typedef struct srv_layer {
    atomic_int refs;
    char *name;
    lyr_snapshot *snap;
    sty_style *style;
    uint64_t style_key; /* hash of the stored SLD text; 0 for the built-in look */
    srv_changelog *log; /* may be NULL: nothing known, every version changes everything */
} srv_layer;

/* changes.c */
void srv_change_diff(const lyr_snapshot *old, const lyr_snapshot *cur, srv_change *out);
int srv_change_touches(const srv_change *c, const tl_bbox *bb);
/** The content version of a layer (published: `current`) inside `bb`: the newest version
 *  not newer than current whose changes touch bb. */
int srv_changelog_version(const srv_changelog *log, int current, const tl_bbox *bb);
/** A new log: `old` (may be NULL) plus `add` (may be NULL; replaces the same version). */
srv_changelog *srv_changelog_with(const srv_changelog *old, const srv_change *add);
srv_changelog *srv_changelog_acquire(srv_changelog *l);
void srv_changelog_release(srv_changelog *l);
/** Persist one change / load a layer's changes (NULL if none) under cache dir `dir`. */
void srv_change_save(const char *dir, const char *layer, const srv_change *c);
srv_changelog *srv_changelog_load(const char *dir, const char *layer);

/* cache.c: the tile cache on disk */
typedef struct srv_tile_key {
    uint8_t b[16];
} srv_tile_key;
/** The key as 32 lower-case hex digits (the cache's file name, the ETag). */
void srv_tile_key_hex(const srv_tile_key *k, char out[33]);
typedef struct srv_cache srv_cache;
typedef struct srv_cache_info {
    uint64_t tiles, bytes, max_bytes, hits, misses, evictions;
    uint64_t mem_tiles, mem_bytes, mem_max_bytes; /* the in-memory copies */
} srv_cache_info;
/** The bytes of one cached tile held in memory, shared by the cache and the responses
 *  that send it; immutable. */
typedef struct srv_blob {
    atomic_uint refs;
    size_t len;
    unsigned char data[];
} srv_blob;
void srv_blob_release(srv_blob *b);
/** Open (create) the cache directory and index what it holds. The most recently used
 *  tiles are also kept in memory, up to `mem_bytes` (0: none). */
srv_cache *srv_cache_open(const char *dir, uint64_t max_bytes, uint64_t mem_bytes,
                          tl_err *err);
void srv_cache_close(srv_cache *c);
/** A read-only descriptor of the cached tile (caller closes) with its size, or -1. */
int srv_cache_get(srv_cache *c, const srv_tile_key *k, uint64_t *size);
/** The cached tile's bytes with a reference for the caller (from memory, else read from
 *  its file and kept in memory), or NULL when it is not cached. */
srv_blob *srv_cache_get_blob(srv_cache *c, const srv_tile_key *k);
/** Store a tile (atomically: temp file + rename; and in memory); failures only cost a
 *  re-render. */
void srv_cache_put(srv_cache *c, const srv_tile_key *k, const void *data, size_t len);
void srv_cache_stats(srv_cache *c, srv_cache_info *out);

#define SRV_MAX_TOKENS 16

/** The config file's settings (config.c). */
typedef struct srv_config {
    char *tokens[SRV_MAX_TOKENS]; /* admin bearer tokens */
    int n_tokens;
    uint64_t upload_max_bytes;    /* POST body and unzipped size limit */
    int keep_versions;
    uint64_t cache_max_bytes;     /* tile cache size limit */
    uint64_t cache_memory_bytes;  /* of which the most used are also kept in memory */
    char cache_control[128];      /* Cache-Control of tiles */
} srv_config;

void srv_config_defaults(srv_config *c);
/** Read `key = value` lines; unknown keys are errors naming the line. */
int srv_config_load(srv_config *c, const char *path, tl_err *err);
void srv_config_free(srv_config *c);

/** Process-wide server state: immutable after start except the atomics. */
typedef struct srv_ctx {
    const char *store_path;
    srv_registry *reg;
    srv_config cfg;
    srv_cache *cache;    /* NULL: --no-cache */
    uint64_t store_seed; /* the store's identity (path, inode) in tile keys */
    int threads;
    const char *cache_control;
    srv_static *web; /* may be NULL */
    atomic_ullong n_requests;
    atomic_ullong n_tiles;
    atomic_ullong n_errors;
    double started;
} srv_ctx;

/** Per-thread worker context (created on a thread's first request). */
typedef struct srv_worker {
    tl_arena arena;
    sty_renderer *renderer;
} srv_worker;

/** A parsed request as services see it. */
typedef struct srv_request {
    const char *method;
    const char *path;          /* URL path, percent-decoded by MHD */
    const char *if_none_match; /* may be NULL */
    srv_worker *w;
    srv_ctx *ctx;
    void *conn;                /* the HTTP connection (http.c); use srv_arg / srv_header */
    const char *body_path;     /* POST: the file holding the body, or NULL */
    uint64_t body_len;
    int tile_phase;            /* SRV_TILE_*: tiles answered in two steps (http.c) */
    const char *const *args;   /* conn NULL: the query arguments, name, value, ..., NULL */
    const char *const *headers; /* conn NULL: the request headers, the same way */
} srv_request;

/** A query-string argument or a request header (http.c); NULL when absent. */
const char *srv_arg(const srv_request *req, const char *name);
const char *srv_header(const srv_request *req, const char *name);

/** What a service answers. `body` is malloc'd (owned by the response) or static. */
typedef struct srv_response {
    int status;
    const char *content_type;
    unsigned char *body;
    size_t len;
    int body_static;
    char etag[64];
    const char *cache_control;
    int has_fd; /* body is `len` bytes of file descriptor `fd` (closed by the sender) */
    int fd;
    srv_blob *blob; /* body is this blob's bytes (the sender releases it) */
} srv_response;

/* server.c */
typedef struct srv_open_opts {
    const char *store, *config, *cache_dir; /* config, cache_dir may be NULL */
    int no_cache;
    int no_memory_cache; /* no in-memory copies of cached tiles (tiled seed) */
} srv_open_opts;
/** Config, tile cache (default dir STORE.tiles) and layers; srv_close undoes it. */
int srv_open(srv_ctx *ctx, const srv_open_opts *o, tl_err *err);
void srv_close(srv_ctx *ctx);

/* registry.c */
/** Load every published layer of the store (read-only). Change lists persist under
 *  `changes_dir` (the tile cache's directory; NULL: not kept). Main-thread-only. */
srv_registry *srv_registry_load(const char *path, const char *changes_dir, tl_err *err);
/** Start the thread that picks up new versions and styles (checks every 0.2 s). */
int srv_registry_watch(srv_registry *r, tl_err *err);
/** Pick up changes now (force: even if the store's files look unchanged). Thread-safe. */
int srv_registry_refresh(srv_registry *r, int force, tl_err *err);
void srv_registry_free(srv_registry *r);
/** The current pair for `name` with a reference, or NULL with TL_ENOTFOUND. Thread-safe. */
srv_layer *srv_registry_acquire(srv_registry *r, const char *name, tl_err *err);
/** All layers, each with a reference (*out malloc'd); returns the count. Thread-safe. */
size_t srv_registry_list(srv_registry *r, srv_layer ***out);
srv_layer *srv_layer_acquire(srv_layer *l);
void srv_layer_release(srv_layer *l);

/* worker.c */
/** This thread's worker, created on first use; NULL with err if it cannot be built.
 *  Per-thread; freed at thread exit. */
srv_worker *srv_worker_get(tl_err *err);
/** Create the thread key. Main-thread-only, before the HTTP server starts. */
int srv_worker_init_key(void);

/* router.c */
/** Route a request to its service and fill `res`. Never fails: errors become responses. */
void srv_route(srv_request *req, srv_response *res);

/** The cache key of a tile (svc_tiles.c); also its ETag. */
void srv_tile_key_make(const srv_ctx *ctx, const sty_tile *t, srv_layer *const *lays, size_t n,
                       srv_tile_key *out);

/* services */
/** GET /tiles/... In phase SRV_TILE_LOOKUP a tile that would have to be rendered is not:
 *  res->status stays 0 (the caller hands the request to a render thread, which calls
 *  again in phase SRV_TILE_RENDER: the cache has been looked up already). */
enum { SRV_TILE_WHOLE = 0, SRV_TILE_LOOKUP, SRV_TILE_RENDER };
void srv_tiles_handle(srv_request *req, const char *rest, srv_response *res);
void srv_health_handle(srv_request *req, srv_response *res);
/** GET /legend/{layer}.png (svc_legend.c). */
void srv_legend_handle(srv_request *req, const char *rest, srv_response *res);
/* svc_admin.c: /admin/... (bearer token) */
void srv_admin_handle(srv_request *req, const char *rest, srv_response *res);
/** One kept version as JSON (`tiled layers --json`, GET .../versions); new reference. */
json_t *srv_version_json(const lyr_version_info *v);
/** 0 if `authorization` ("Bearer TOKEN") carries a configured admin token (compared in
 *  constant time), else -1 with TL_EUNAUTH. */
int srv_admin_auth(const srv_ctx *ctx, const char *authorization, tl_err *err);

/* svc_static.c */
/** Read the viewer's files under `dir` (missing ones are logged and answered 404).
 *  Main-thread-only. Never NULL. */
srv_static *srv_static_load(const char *dir);
void srv_static_free(srv_static *s);
/** 1 if the path is a viewer file (res filled, body static), else 0. Thread-safe. */
int srv_static_handle(srv_request *req, srv_response *res);

/* errors_http.c */
/** HTTP status for an error code. */
int srv_http_status(tl_code code);
/** Fill `res` with the JSON error body {"error": ..., "detail": ...} for `err`. */
void srv_error_response(const tl_err *err, srv_response *res);
/** Append `s` to `b` as a JSON string literal (quotes included). */
int srv_json_str(tl_buf *b, const char *s, tl_err *err);

/* http.c */
typedef struct srv_http srv_http;
/** Start listening on "host:port" (port 0: the kernel picks). *port receives the bound
 *  port. Main-thread-only. */
srv_http *srv_http_start(srv_ctx *ctx, const char *listen, int threads, int *port, tl_err *err);
void srv_http_stop(srv_http *h);

#endif
