/* cmd_style.c: `tiled style check FILE.sld` and `tiled style set --layer L FILE.sld`:
 * validate an SLD/SE document, list what tiled does not support, attach it to a layer. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers/layers.h"
#include "styles/styles.h"
#include "tiled/cli.h"

#define MAX_SLD_BYTES (8u << 20)

/* Exit codes of `tiled style check` (and of `set` when it refuses): */
#define EXIT_CLEAN 0       /* valid, everything supported */
#define EXIT_UNSUPPORTED 1 /* valid, but the listed items are not drawn */
/* 2: invalid document or usage (TL_EINVAL); 3: store error; see tl_code_exit */

static const char usage[] =
    "usage: tiled style check [--json] FILE.sld\n"
    "       tiled style set [--store PATH] --layer NAME FILE.sld\n"
    "  check: validate an SLD 1.0 / SE 1.1 document (every NamedLayer) and list each\n"
    "         element or attribute tiled does not support, as FILE:LINE: message.\n"
    "         Exit 0: valid and fully supported; 1: valid, unsupported items listed;\n"
    "         2: not a valid style (the reason on stderr). --json: one JSON object\n"
    "         {\"file\", \"valid\", \"error\", \"issues\": [{\"line\", \"message\"}]} on stdout.\n"
    "  set:   validate the document's NamedLayer NAME (or its only NamedLayer) and attach\n"
    "         the document to layer NAME of the store (default tiled.gpkg). Refused when\n"
    "         the document is invalid; unsupported items are listed and do not refuse.\n";

/* Read a whole file into a NUL-terminated malloc'd buffer. */
static char *read_file(const char *path, size_t *len, tl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        TL_FAIL(err, TL_EINVAL, "cannot open %s", path);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (!b) {
            fclose(f);
            TL_FAIL(err, TL_ENOMEM, "out of memory reading %s", path);
            return NULL;
        }
        n += fread(b + n, 1, cap - 1 - n, f);
        if (n < cap - 1 || cap > MAX_SLD_BYTES)
            break;
        cap *= 2;
        char *nb = realloc(b, cap);
        if (!nb)
            free(b);
        b = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad || n > MAX_SLD_BYTES) {
        free(b);
        TL_FAIL(err, bad ? TL_EINVAL : TL_ETOOBIG, bad ? "cannot read %s" : "%s is larger than 8 MiB",
                path);
        return NULL;
    }
    b[n] = '\0';
    *len = n;
    return b;
}

/* Read FILE and validate it as the style of `layer` (NULL: the first NamedLayer): the
 * document, or NULL with err; *invalid is 1 when the file was read but is not a valid
 * style. */
static char *load(const char *file, const char *layer, sty_issues *is, int *invalid,
                  tl_err *err)
{
    size_t len = 0;
    *invalid = 0;
    char *doc = read_file(file, &len, err);
    if (!doc)
        return NULL;
    sty_style *s = sty_style_from_sld(doc, len, layer, is, err);
    if (!s) {
        free(doc);
        tl_err_prefix(err, "%s: ", file);
        *invalid = 1;
        return NULL;
    }
    sty_style_release(s);
    return doc;
}

static void print_issues(const char *file, const sty_issues *is)
{
    for (size_t i = 0; i < is->n; i++)
        printf("%s:%d: %s\n", file, is->v[i].line, is->v[i].msg);
}

static void print_json(const char *file, const sty_issues *is, const tl_err *err)
{
    json_t *issues = json_array();
    for (size_t i = 0; is && i < is->n; i++)
        json_array_append_new(issues, json_pack("{s:i, s:s}", "line", is->v[i].line, "message",
                                                is->v[i].msg));
    json_t *o = json_pack("{s:s, s:b, s:o}", "file", file, "valid", err == NULL, "issues",
                          issues);
    if (err)
        json_object_set_new(o, "error", json_string(err->msg));
    json_dumpf(o, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(o);
}

static int check(const char *file, int json)
{
    tl_err err = TL_ERR_INIT;
    sty_issues is = {0};
    int invalid;
    char *doc = load(file, NULL, &is, &invalid, &err);
    if (!doc) {
        sty_issues_free(&is);
        if (json && invalid)
            print_json(file, NULL, &err);
        return cli_fail("style", &err);
    }
    free(doc);
    if (json)
        print_json(file, &is, NULL);
    else
        print_issues(file, &is);
    int rc = is.n ? EXIT_UNSUPPORTED : EXIT_CLEAN;
    if (is.n)
        fprintf(stderr, "tiled style: %s: %zu unsupported item%s (not drawn)\n", file, is.n,
                is.n == 1 ? "" : "s");
    sty_issues_free(&is);
    return rc;
}

static int set(int argc, char **argv)
{
    const char *store = "tiled.gpkg", *layer = NULL;
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"layer", required_argument, 0, 'l'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'l': layer = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("style", usage, NULL);
        }
    }
    if (!layer || optind != argc - 1)
        return cli_usage("style", usage, layer ? "one FILE.sld expected" : "--layer is required");
    const char *file = argv[optind];
    tl_err err = TL_ERR_INIT;
    sty_issues is = {0};
    int invalid;
    char *doc = load(file, layer, &is, &invalid, &err);
    if (!doc) {
        sty_issues_free(&is);
        return cli_fail("style", &err);
    }
    print_issues(file, &is);
    lyr_store *st = lyr_store_open(store, 0, &err);
    int rc = st ? lyr_store_set_style(st, layer, doc, &err) : -1;
    lyr_store_close(st);
    free(doc);
    if (rc < 0) {
        sty_issues_free(&is);
        return cli_fail("style", &err);
    }
    printf("layer %s: style %s attached (%zu unsupported item%s)\n", layer, file, is.n,
           is.n == 1 ? "" : "s");
    sty_issues_free(&is);
    return 0;
}

int cmd_style(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "check") == 0) {
        int json = argc == 4 && strcmp(argv[2], "--json") == 0;
        if (argc != 3 + json)
            return cli_usage("style", usage, "check takes [--json] and one FILE.sld");
        return check(argv[2 + json], json);
    }
    if (strcmp(argv[1], "set") == 0)
        return set(argc - 1, argv + 1);
    return cli_usage("style", usage, "unknown style command");
}
