/* svc_admin.c: /admin/layers/{name}[...]: upload a file as a new version (the same import
 * code as `tiled import`), list versions, roll back, replace the style. Every request
 * carries `Authorization: Bearer <token>`, compared in constant time with the tokens of
 * the config file. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

#define MAX_STYLE_BYTES (4u << 20)

static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < lb; i++) /* time depends on the stored token's length only */
        d |= (unsigned char)((i < la ? (unsigned char)a[i] : 0) ^ (unsigned char)b[i]);
    return d == 0;
}

int srv_admin_auth(const srv_ctx *ctx, const char *authorization, tl_err *err)
{
    if (ctx->cfg.n_tokens == 0) {
        TL_FAIL(err, TL_EUNAUTH, "the admin API is off: no admin_token in the config file");
        return -1;
    }
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0) {
        TL_FAIL(err, TL_EUNAUTH, "missing `Authorization: Bearer <token>`");
        return -1;
    }
    const char *tok = authorization + 7;
    int ok = 0;
    for (int i = 0; i < ctx->cfg.n_tokens; i++)
        ok |= same_secret(tok, ctx->cfg.tokens[i]);
    if (!ok) {
        TL_FAIL(err, TL_EUNAUTH, "invalid admin token");
        return -1;
    }
    return 0;
}

static int read_magic(const char *path, unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int got = (int)fread(buf, 1, n, f);
    fclose(f);
    return got;
}

/* The extension GDAL needs to recognise the body: from ?filename= or from its bytes. */
static const char *sniff(const srv_request *req, tl_err *err)
{
    unsigned char m[1024] = {0};
    int n = read_magic(req->body_path, m, sizeof m - 1);
    if (n >= 8 && memcmp(m, "\x89PNG\r\n\x1a\n", 8) == 0) {
        TL_FAIL(err, TL_EINVAL, "the upload is a PNG image, not a vector file");
        return NULL;
    }
    if (n >= 4 && memcmp(m, "PK\003\004", 4) == 0)
        return "zip";
    if (n >= 16 && memcmp(m, "SQLite format 3", 16) == 0)
        return "gpkg";
    const char *t = (const char *)m;
    while (*t && isspace((unsigned char)*t))
        t++;
    if (*t == '{' || *t == '[')
        return "geojson";
    if (strstr(t, "<kml") || strstr(t, "<?xml"))
        return "kml";
    if (strstr(t, "SECTION") && (t[0] == '0'))
        return "dxf";
    return "csv";
}

/* ?filename=parcels.shp.zip -> "parcels.shp.zip" (basename, safe characters only). */
static int upload_name(const srv_request *req, char *out, size_t size, tl_err *err)
{
    const char *fn = srv_arg(req, "filename");
    if (fn) {
        const char *b = strrchr(fn, '/');
        b = b ? b + 1 : fn;
        size_t o = 0;
        for (; *b && o + 1 < size && o < 100; b++)
            out[o++] = isalnum((unsigned char)*b) || *b == '.' || *b == '-' ? *b : '_';
        out[o] = '\0';
        if (o > 0 && strchr(out, '.') && out[0] != '.')
            return 0;
    }
    const char *ext = sniff(req, err);
    if (!ext)
        return -1;
    snprintf(out, size, "upload.%s", ext);
    return 0;
}

static void json_body(srv_response *res, int status, char *json)
{
    res->status = status;
    res->content_type = "application/json";
    res->body = (unsigned char *)json;
    res->len = strlen(json);
}

static void upload(srv_request *req, const char *layer, srv_response *res, tl_err *err)
{
    char name[128], path[600];
    if (req->body_len == 0) {
        TL_FAIL(err, TL_EINVAL, "the upload is empty (0 bytes); send the file as the body");
        return;
    }
    if (upload_name(req, name, sizeof name, err) != 0)
        return;
    /* give the body its name beside it, so GDAL sees the extension */
    snprintf(path, sizeof path, "%.*s/%s", (int)(strrchr(req->body_path, '/') - req->body_path),
             req->body_path, name);
    if (rename(req->body_path, path) != 0) {
        TL_FAIL(err, TL_ESTORE, "cannot stage the upload");
        return;
    }
    const char *dry = srv_arg(req, "dry_run");
    imp_opts o = {.store = req->ctx->store_path,
                  .layer = layer,
                  .title = srv_arg(req, "title"),
                  .source = path,
                  .source_layer = srv_arg(req, "source_layer"),
                  .source_label = name,
                  .s_srs = srv_arg(req, "s_srs"),
                  .encoding = srv_arg(req, "encoding"),
                  .keep = req->ctx->cfg.keep_versions,
                  .dry_run = dry && strcmp(dry, "0") != 0 && strcmp(dry, "false") != 0,
                  .max_unzipped = req->ctx->cfg.upload_max_bytes};
    imp_result r;
    if (imp_run(&o, &r, err) != 0)
        return;
    TL_INFO("admin: layer %s version %d from upload %s (%lld features)", layer, r.version,
            name, (long long)r.n_written);
    tl_err rerr = TL_ERR_INIT;
    if (!o.dry_run && srv_registry_refresh(req->ctx->reg, 1, &rerr) != 0)
        TL_WARN("admin: new version of %s not picked up yet: %s", layer, rerr.msg);
    size_t n = strlen(r.json);
    char *body = tl_xmalloc(n + 2);
    memcpy(body, r.json, n);
    memcpy(body + n, "\n", 2);
    imp_result_free(&r);
    json_body(res, 200, body);
}

static void versions(srv_request *req, const char *layer, srv_response *res, tl_err *err)
{
    lyr_store *st = lyr_store_open_readonly(req->ctx->store_path, err);
    lyr_version_info *v = NULL;
    size_t n = 0;
    if (!st || lyr_store_versions(st, layer, &v, &n, err) != 0) {
        lyr_store_close(st);
        return;
    }
    lyr_store_close(st);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, srv_version_json(&v[i]));
    free(v);
    json_t *doc = json_pack("{s:s, s:o}", "layer", layer, "versions", a);
    json_body(res, 200, json_dumps(doc, JSON_COMPACT));
    json_decref(doc);
}

json_t *srv_version_json(const lyr_version_info *v)
{
    return json_pack("{s:i, s:b, s:I, s:[f, f, f, f], s:s, s:s, s:s, s:s}", "version",
                     v->version, "current", v->current, "features", (json_int_t)v->n_features,
                     "extent", v->extent[0], v->extent[1], v->extent[2], v->extent[3],
                     "source", v->source, "source_crs", v->source_crs, "imported_at",
                     v->imported_at, "pipeline", v->pipeline);
}

static void rollback(srv_request *req, const char *layer, srv_response *res, tl_err *err)
{
    const char *vs = srv_arg(req, "version");
    int64_t v;
    if (!vs || tl_parse_i64(vs, 1, 1000000000, &v, err) != 0) {
        TL_FAIL(err, TL_EINVAL, "rollback needs ?version=N");
        return;
    }
    lyr_store *st = lyr_store_open(req->ctx->store_path, 0, err);
    int rc = st ? lyr_store_rollback(st, layer, (int)v, err) : -1;
    lyr_store_close(st);
    if (rc != 0)
        return;
    srv_registry_refresh(req->ctx->reg, 1, NULL);
    char *body = tl_xmalloc(200);
    snprintf(body, 200, "{\"layer\": \"%s\", \"version\": %lld}\n", layer, (long long)v);
    json_body(res, 200, body);
}

static void set_style(srv_request *req, const char *layer, srv_response *res, tl_err *err)
{
    if (req->body_len == 0 || req->body_len > MAX_STYLE_BYTES) {
        TL_FAIL(err, req->body_len ? TL_ETOOBIG : TL_EINVAL, "send the SLD document (at most "
                "%u MiB) as the body", MAX_STYLE_BYTES >> 20);
        return;
    }
    char *sld = tl_xmalloc(req->body_len + 1);
    FILE *f = fopen(req->body_path, "rb");
    size_t got = f ? fread(sld, 1, req->body_len, f) : 0;
    if (f)
        fclose(f);
    sld[got] = '\0';
    sty_issues is = {0};
    sty_style *s = sty_style_from_sld(sld, got, layer, &is, err);
    json_t *issues = json_array();
    for (size_t i = 0; i < is.n; i++)
        json_array_append_new(issues, json_pack("{s:i, s:s}", "line", is.v[i].line, "message",
                                                is.v[i].msg));
    sty_issues_free(&is);
    lyr_store *st = NULL;
    if (s) {
        sty_style_release(s);
        st = lyr_store_open(req->ctx->store_path, 0, err);
        if (st && lyr_store_set_style(st, layer, sld, err) == 0) {
            srv_registry_refresh(req->ctx->reg, 1, NULL);
            json_t *doc = json_pack("{s:s, s:O}", "layer", layer, "unsupported", issues);
            json_body(res, 200, json_dumps(doc, JSON_COMPACT));
            json_decref(doc);
        }
    }
    lyr_store_close(st);
    json_decref(issues);
    free(sld);
}

void srv_admin_handle(srv_request *req, const char *rest, srv_response *res)
{
    tl_err err = TL_ERR_INIT;
    char layer[80];
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *sub = slash ? slash : "";
    int post = strcmp(req->method, "POST") == 0;
    if (srv_admin_auth(req->ctx, srv_header(req, "Authorization"), &err) != 0)
        goto fail;
    if (!tl_str_starts(req->path, "/admin/layers/") || n == 0 || n >= sizeof layer) {
        TL_FAIL(&err, TL_ENOTFOUND, "no such admin resource: %.100s", req->path);
        goto fail;
    }
    memcpy(layer, rest, n);
    layer[n] = '\0';
    if (post && !*sub)
        upload(req, layer, res, &err);
    else if (!post && strcmp(sub, "/versions") == 0)
        versions(req, layer, res, &err);
    else if (post && strcmp(sub, "/rollback") == 0)
        rollback(req, layer, res, &err);
    else if (post && strcmp(sub, "/style") == 0)
        set_style(req, layer, res, &err);
    else
        TL_FAIL(&err, TL_ENOTFOUND, "no such admin resource: %s %.100s", req->method,
                req->path);
    if (err.code == TL_OK)
        return;
fail:
    srv_error_response(&err, res);
}
